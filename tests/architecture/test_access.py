"""One answer to "who may do this?" (ARCHITECTURE.md, Access): roles are named only where they are
defined (tenancy/models.py), in the capability table (tenancy/access.py), migrations, tests and
demo and benchmark data. Anywhere else a role check is a second, drifting answer."""

import ast
import re
from pathlib import Path

from ecm_platform.tenancy.access import ROLES_BY_CAPABILITY, Capability
from ecm_platform.tenancy.models import ProviderRole, Role

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    ROOT / "ecm_platform" / "tenancy" / "models.py",
    ROOT / "ecm_platform" / "tenancy" / "access.py",
}
EXEMPT_DIRS = {"tests", "demo", "benchmarks", "migrations", ".venv", "node_modules", "staticfiles"}
ROLE_ENUMS = {"Role": set(Role.names), "ProviderRole": set(ProviderRole.names)}
TEMPLATE_ROLE_CHECK = re.compile(r"\.role\s*(==|!=|\bin\b)|\brole\s*(==|!=)")


def source_files(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        if EXEMPT_DIRS.isdisjoint(path.relative_to(ROOT).parts) and path not in ALLOWED:
            yield path


def role_references(tree: ast.AST):
    """`Role.REVIEWER`, `x.role == ...`, `role="reviewer"` / `role__in=[...]` filters."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in ROLE_ENUMS.get(node.value.id, ()):
                yield node.lineno, f"{node.value.id}.{node.attr}"
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(operand, ast.Attribute) and operand.attr == "role" for operand in operands):
                yield node.lineno, "a comparison of .role"
        elif (
            isinstance(node, ast.keyword)
            and node.arg in ("role", "role__in")
            and isinstance(node.value, ast.Constant | ast.List | ast.Tuple | ast.Set)
        ):
            yield node.lineno, f"{node.arg}= with a literal role"


def test_no_module_outside_the_capability_table_names_a_role():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in source_files(".py")
        for line, what in role_references(ast.parse(path.read_text(), str(path)))
    ]
    assert found == [], "Ask the capability table (ecm_platform/tenancy/access.py) instead:\n" + "\n".join(found)


def test_no_template_checks_a_role():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in source_files(".html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if TEMPLATE_ROLE_CHECK.search(line)
    ]
    assert found == [], "Use {% if can.CAPABILITY %} instead:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    """The scanner is not vacuous: each kind of role check it refuses is found in a sample."""
    sample = ast.parse(
        "Role.REVIEWER\nmembership.role == x\nMembership.objects.filter(role='reviewer')\nProviderRole.CARE_MANAGER"
    )
    assert [what for _, what in sorted(role_references(sample))] == [
        "Role.REVIEWER",
        "a comparison of .role",
        "role= with a literal role",
        "ProviderRole.CARE_MANAGER",
    ]
    assert TEMPLATE_ROLE_CHECK.search("{% if current_membership.role == 'reviewer' %}")


def test_every_capability_is_in_the_table():
    assert set(ROLES_BY_CAPABILITY) == set(Capability)


def test_the_table_names_only_known_roles():
    known = set(Role) | set(ProviderRole)
    assert all(roles <= known for roles in ROLES_BY_CAPABILITY.values())


def test_plan_roles_and_provider_roles_share_no_write_capability():
    """Provider staff act through their own capabilities (DOMAIN 1): a plan write held by a
    provider role would let one organization write into every contracting plan."""
    plan_roles, provider_roles = set(Role), set(ProviderRole)
    shared = {
        capability
        for capability, roles in ROLES_BY_CAPABILITY.items()
        if roles & plan_roles and roles & provider_roles and not capability.value.endswith(".read")
    }
    assert shared == set()
