"""The app layering of ARCHITECTURE.md and fail-closed managers on every plan-owned model."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django_scopes import ScopeError

from ecm_platform.tenancy.models import HealthPlan

ROOT = Path(__file__).resolve().parents[2]
# Lower layers never import higher ones; apps on one layer do not import each other.
LAYERS = [
    ["ecm_platform"],
    ["exchange"],
    ["benefits"],
    ["members"],
    ["eligibility"],
    ["providers"],
    ["authorizations"],
    ["outreach", "community_supports"],
    ["encounters"],
    ["reporting"],
    ["portal"],
    ["demo"],
]
LAYER_OF = {app: index for index, layer in enumerate(LAYERS) for app in layer}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return {module.split(".")[0] for module in modules} & LAYER_OF.keys()


def layering_violations(root: Path) -> list[str]:
    violations = []
    for app, layer in LAYER_OF.items():
        for path in sorted((root / app).rglob("*.py")):
            for imported in imported_apps(path) - {app}:
                if LAYER_OF[imported] >= layer:
                    violations.append(f"{path.relative_to(root)} imports {imported}")
    return violations


def test_lower_apps_never_import_higher_ones():
    assert layering_violations(ROOT) == []


def test_the_layering_check_catches_an_upward_import(tmp_path):
    for app in LAYER_OF:
        (tmp_path / app).mkdir()
    (tmp_path / "members" / "rules.py").write_text("from authorizations.models import Request\n")
    (tmp_path / "outreach" / "services.py").write_text("import community_supports.services\n")
    assert layering_violations(tmp_path) == [
        "members/rules.py imports authorizations",
        "outreach/services.py imports community_supports",
    ]


def plan_owned_models():
    return [
        model
        for model in apps.get_models()
        if any(
            getattr(field, "related_model", None) is HealthPlan and field.name == "plan"
            for field in model._meta.get_fields()
        )
    ]


def test_there_are_plan_owned_models():
    assert len(plan_owned_models()) >= 4


@pytest.mark.parametrize("model", plan_owned_models(), ids=lambda model: model._meta.label)
def test_every_manager_of_a_plan_owned_model_fails_closed(db, model):
    for manager in model._meta.managers:
        with pytest.raises(ScopeError):
            list(manager.all())
