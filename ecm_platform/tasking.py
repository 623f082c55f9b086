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

BATCH = 5000  # outbox rows written and published a batch at a time


def _task(task_name: str):
    if task_name not in app.tasks:
        # A web process has not necessarily imported every tasks module yet (a worker has).
        app.autodiscover_tasks(force=True)
    return app.tasks[task_name]


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Start the task registered as `task_name` once the current transaction commits (at once
    outside a transaction). `kwargs` must be JSON: ids and dates as text, never member data."""
    task = _task(task_name)
    if app.conf.task_always_eager:
        task.delay_on_commit(**kwargs)
        return
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs, created_at=clocks.now())
    transaction.on_commit(lambda: outbox_deliver(ids=[message.pk]))


def enqueue_many_on_commit(task_name: str, calls: list[dict]) -> None:
    """`enqueue_on_commit` for many calls of one task (a set-based import's letters): the outbox
    rows written in one INSERT, published together after the commit."""
    task = _task(task_name)
    if app.conf.task_always_eager:
        for kwargs in calls:
            task.delay_on_commit(**kwargs)
        return
    now = clocks.now()
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, kwargs=kwargs, created_at=now) for kwargs in calls], batch_size=BATCH
    )
    ids = [message.pk for message in messages]

    def deliver() -> None:
        for first in range(0, len(ids), BATCH):
            outbox_deliver(ids=ids[first : first + BATCH], limit=BATCH)

    transaction.on_commit(deliver)
