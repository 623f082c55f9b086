from celery import shared_task

from ecm_platform.outbox.delivery import outbox_deliver


@shared_task
def outbox_sweep() -> int:
    """Every minute: publish what a broker outage left pending (beat runs when the broker is back)."""
    return outbox_deliver()
