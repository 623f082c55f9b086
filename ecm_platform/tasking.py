"""Starting background work once the caller's transaction commits (ARCHITECTURE "Background work").

Every task is a `celery.contrib.django.task.DjangoTask` (the Celery app's default task class under
Django, and the base of `PlanTask`), so `task.delay_on_commit(...)` is the one way to enqueue after
a write: a worker never looks for a row that is not committed yet, and a rolled-back write sends
nothing. Pages, the API and the admin call it on the task they import.

Services call `enqueue_on_commit` with the task's name instead: a tasks module imports the services
its tasks call, so a service importing a tasks module would close a circle.
"""

from ecm_platform.celery import app


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Enqueue the task registered as `task_name` once the current transaction commits (at once
    outside a transaction)."""
    if task_name not in app.tasks:
        # A web process has not necessarily imported every tasks module yet (a worker has).
        app.autodiscover_tasks(force=True)
    app.tasks[task_name].delay_on_commit(**kwargs)
