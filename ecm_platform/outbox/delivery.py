"""Publishing outbox rows to the broker: right after the commit, and by the sweeper for the rows
a broker outage left pending.

Delivery is at least once: a row is claimed under a row lock (SKIP LOCKED on PostgreSQL, so the
post-commit publisher and sweepers never publish the same row at once), published with a short
broker timeout and no retries, and marked delivered. A failure leaves it pending for the sweeper;
a crash between publishing and marking publishes it again, which tasks tolerate (they are
idempotent).
"""

import logging
from datetime import timedelta

from django.db import transaction
from kombu.exceptions import OperationalError

from ecm_platform import clocks
from ecm_platform.celery import app
from ecm_platform.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500
KEEP_DELIVERED = timedelta(days=7)
# One attempt: a broker that does not answer within the connect timeout (settings) is down, and
# the row waits for the sweeper instead of the request waiting for the broker.
PUBLISH_RETRY_POLICY = {"max_retries": 0}


def _publish(message: OutboxMessage) -> None:
    task = app.tasks.get(message.task_name)
    if task is None:
        # A web process has not necessarily imported every tasks module yet (a worker has).
        app.autodiscover_tasks(force=True)
        task = app.tasks[message.task_name]
    # No result is ever read, and asking for one subscribes to the result store first (which
    # retries for 20 seconds when Redis is down).
    task.apply_async(kwargs=message.kwargs, ignore_result=True, retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def _failed(message: OutboxMessage, error: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, last_error=error)
    logger.warning("outbox.publish.failed", extra={"task": message.task_name, "outbox_id": message.pk, "error": error})


def outbox_deliver(*, ids: list[int] | None = None, limit: int = SWEEP_BATCH) -> int:
    """Publish the pending rows (the given ones, or the oldest `limit`); returns how many were
    delivered. A row another deliverer holds, or delivered already, is left alone."""
    delivered = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.select_for_update(skip_locked=True).order_by("id")[:limit]:
            try:
                _publish(message)
            except KeyError:
                _failed(message, f"No task is registered as {message.task_name!r}.")
                continue
            except OperationalError as error:
                _failed(message, str(error))
                break  # the broker is down: the rest of the batch would wait for it too
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts + 1, last_error="", delivered_at=clocks.now()
            )
            delivered += 1
    return delivered


def outbox_forget_delivered() -> int:
    """Delete the rows delivered more than `KEEP_DELIVERED` ago (kept that long for support)."""
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=clocks.now() - KEEP_DELIVERED).delete()
    return deleted


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()
