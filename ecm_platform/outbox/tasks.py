from celery import shared_task

from ecm_platform.outbox.delivery import outbox_deliver, outbox_forget_delivered


@shared_task
def outbox_sweep() -> int:
    """Every minute: publish what a broker outage left pending (beat runs when the broker is back)
    and forget what was delivered long ago. Returns how many rows it delivered."""
    outbox_forget_delivered()
    return outbox_deliver()
