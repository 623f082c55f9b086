"""Starting background work once the caller's transaction commits (ARCHITECTURE "Background work").

Every task is a `celery.contrib.django.task.DjangoTask` (the Celery app's default task class under
Django, and the base of `PlanTask`): a worker never looks for a row that is not committed yet, and
a rolled-back write sends nothing.

`enqueue_on_commit` is the one way services, pages and the API start work after a write (services
name the task: a tasks module imports the services its tasks call, so importing it back would
close a circle). With a broker it records the work in the caller's transaction (an outbox row) and
publishes it after the commit; a broker that is down leaves the row pending for the sweeper
(ecm_platform.outbox), so a committed change never answers an error because the queue is down.
With eager tasks (no REDIS_URL) the task runs in-process after the commit, as before.
"""

from django.db import transaction

from ecm_platform import clocks
from ecm_platform.celery import app
from ecm_platform.outbox.delivery import outbox_deliver
from ecm_platform.outbox.models import OutboxMessage


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Start the task registered as `task_name` once the current transaction commits (at once
    outside a transaction). `kwargs` must be JSON: ids and dates as text, never member data."""
    if task_name not in app.tasks:
        # A web process has not necessarily imported every tasks module yet (a worker has).
        app.autodiscover_tasks(force=True)
    task = app.tasks[task_name]
    if app.conf.task_always_eager:
        task.delay_on_commit(**kwargs)
        return
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs, created_at=clocks.now())
    transaction.on_commit(lambda: outbox_deliver(ids=[message.pk]))
