"""Crossing plans has one name (ARCHITECTURE.md, Tenancy; STYLE.md 2): `across_plans(reason=...)`.

A disabled django-scopes scope is also the row-level security bypass on PostgreSQL
(ecm_platform/tenancy/row_security.py), so outside the tests only the scoping module may disable a
scope; everything else goes through the logged `across_plans`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "ecm_platform", "benefits", "members", "eligibility", "providers", "authorizations", "outreach",
    "community_supports", "reporting", "portal", "demo", "benchmarks",
]  # fmt: skip
BYPASS_OWNER = Path("ecm_platform/tenancy/scoping.py")
BYPASS_NAMES = {"scopes_disabled", "with_scopes_disabled"}


def bypasses(root: Path) -> list[str]:
    found = []
    for source in SOURCES:
        for path in sorted((root / source).rglob("*.py")):
            if path.relative_to(root) == BYPASS_OWNER:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
            names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
            found += [f"{path.relative_to(root)}: {name}" for name in sorted(names & BYPASS_NAMES)]
    return sorted(found)


def test_only_the_scoping_module_disables_a_scope():
    assert bypasses(ROOT) == []


def test_the_check_finds_a_direct_bypass(tmp_path):
    (tmp_path / "members").mkdir()
    (tmp_path / "members" / "services.py").write_text("from django_scopes import scopes_disabled\n")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "load.py").write_text("Member.objects.with_scopes_disabled().all()\n")
    assert bypasses(tmp_path) == ["demo/load.py: with_scopes_disabled", "members/services.py: scopes_disabled"]
