"""Background work starts after commit through one task base, and services never import tasks
(ARCHITECTURE "Background work"; a tasks module imports the services it calls)."""

import ast
from pathlib import Path

from ecm_platform.celery import app as celery_app
from tests.architecture.test_layering import LAYER_OF, ROOT


def services_modules(root: Path) -> list[Path]:
    paths = []
    for app in LAYER_OF:
        paths += [p for p in (root / app).rglob("*.py") if p.name == "services.py" or p.parent.name == "services"]
    return sorted(paths)


def imports_tasks(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[-1] == "tasks" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        module = (node.module or "").split(".")
        return module[-1] == "tasks" or any(alias.name == "tasks" for alias in node.names)
    return False


def task_imports_in_services(root: Path) -> list[str]:
    found = []
    for path in services_modules(root):
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [f"{path.relative_to(root)}:{node.lineno}" for node in ast.walk(tree) if imports_tasks(node)]
    return found


def test_no_services_module_imports_a_tasks_module():
    # At module level it is a circle; inside a function it is the same circle, hidden.
    assert task_imports_in_services(ROOT) == []


def test_the_check_catches_module_and_function_level_imports(tmp_path):
    for app in LAYER_OF:
        (tmp_path / app).mkdir()
    (tmp_path / "members" / "services.py").write_text("from members import tasks\n")
    (tmp_path / "authorizations" / "services.py").write_text(
        "def f():\n    from authorizations.tasks import notice_render_task\n"
    )
    assert task_imports_in_services(tmp_path) == ["authorizations/services.py:2", "members/services.py:1"]


ENQUEUERS = {"enqueue_on_commit", "enqueue_many_on_commit"}


def enqueued_task_names(root: Path) -> set[str]:
    """The task names given to the enqueuers, and to a job as its `task_name=`: a string, or a
    module-level constant naming one. A name passed through (a job's stored task) is checked where
    it is first written."""
    names = set()
    for app in LAYER_OF:
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            constants = {
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                given = [node.args[0]] if getattr(node.func, "id", None) in ENQUEUERS and node.args else []
                given += [keyword.value for keyword in node.keywords if keyword.arg == "task_name"]
                for value in given:
                    if isinstance(value, ast.Constant):
                        names.add(value.value)
                    elif isinstance(value, ast.Name) and value.id in constants:
                        names.add(constants[value.id])
    return names


def test_every_task_a_service_names_exists_and_enqueues_after_commit():
    celery_app.autodiscover_tasks(force=True)
    names = enqueued_task_names(ROOT)
    assert names >= {
        "authorizations.tasks.notice_render_task",
        "ecm_platform.notifications.tasks.notification_email",
        "authorizations.tasks.transition_list_import_task",
    }
    assert sorted(names - set(celery_app.tasks)) == []
    ours = [task for name, task in celery_app.tasks.items() if name.split(".")[0] in LAYER_OF]
    assert ours and [task.name for task in ours if not hasattr(task, "delay_on_commit")] == []
