"""Every API operation that can answer 409 documents it in the OpenAPI schema (issue 14,
"Integrators": 409 was on no operation although the API returned it).

"Can answer 409" is found from the code: a service function that builds a `ConflictError`, or
calls one that does (by name, across the apps), and an operation whose handler names such a
function. Matching by bare name over-approximates (a same-named function elsewhere), never misses.
"""

import ast
import inspect
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

from tests.architecture.test_layering import LAYER_OF, ROOT

# Interface modules (api.py, views.py and their siblings such as appeals_api.py or assignment_views.py,
# admin.py): they call services, they are not where a 409 comes from.
INTERFACE_SUFFIXES = ("api.py", "views.py", "admin.py")


def _references(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
    return names


def _builds_conflict(node: ast.AST) -> bool:
    return any(
        isinstance(child, ast.Call) and getattr(child.func, "id", None) == "ConflictError" for child in ast.walk(node)
    )


def conflicting_functions(root: Path) -> set[str]:
    """Names of the functions that can raise ConflictError, directly or through another."""
    calls, conflicting = {}, set()
    for app in LAYER_OF:
        for path in (root / app).rglob("*.py"):
            if path.name.endswith(INTERFACE_SUFFIXES) or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    calls.setdefault(node.name, set()).update(_references(node))
                    if _builds_conflict(node):
                        conflicting.add(node.name)
    while grown := {name for name, names in calls.items() if name not in conflicting and names & conflicting}:
        conflicting |= grown
    return conflicting


def operations():
    """(path, method, handler) of every operation in the schema."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _, method, view in generator._get_paths_and_endpoints():
        handler = getattr(view, getattr(view, "action", None) or method.lower())
        yield path, method.lower(), inspect.unwrap(handler)


def operations_that_can_conflict() -> set[tuple[str, str]]:
    conflicting = conflicting_functions(ROOT)
    found = set()
    for path, method, handler in operations():
        source = inspect.getsource(handler)
        tree = ast.parse(inspect.cleandoc("\n" + source) if source.startswith(" ") else source)
        if _references(tree) & conflicting:
            found.add((path, method))
    return found


def documented_conflicts() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(public=True)
    return {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "409" in operation.get("responses", {})
    }


def test_every_operation_that_can_answer_409_documents_it():
    assert sorted(operations_that_can_conflict() - documented_conflicts()) == []


def test_the_search_finds_the_known_conflicts():
    # A scan while another runs; a transition from the wrong state; a second open request.
    found = operations_that_can_conflict()
    assert {
        ("/api/v1/scans/", "post"),
        ("/api/v1/authorizations/{id}/deny/", "post"),
        ("/api/v1/authorizations/", "post"),
    } <= found
    assert ("/api/v1/scans/", "get") not in found


def test_the_search_follows_calls_between_functions(tmp_path):
    for app in LAYER_OF:
        (tmp_path / app).mkdir()
    (tmp_path / "members" / "services.py").write_text(
        "def refuse():\n    raise ConflictError('taken')\n\n"
        "def member_move(*, plan):\n    refuse()\n\n"
        "def member_read(*, plan):\n    return plan\n"
    )
    (tmp_path / "members" / "api.py").write_text("def view():\n    raise ConflictError('not a source')\n")
    assert conflicting_functions(tmp_path) == {"refuse", "member_move"}
