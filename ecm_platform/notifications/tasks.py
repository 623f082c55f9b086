from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from ecm_platform import clocks
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(*, plan: HealthPlan, notification_id: int) -> bool:
    """Email one notification; a vanished or already-emailed one is a no-op (safe to retry)."""
    notification = (
        Notification.objects.filter(plan=plan, pk=notification_id, emailed_at__isnull=True)
        .select_related("recipient")
        .first()
    )
    if notification is None:
        return False
    body = notification.text
    if notification.link:
        body += f"\n\n{settings.SITE_URL.rstrip('/')}{notification.link}"
    send_mail(
        subject=f"[{plan.name}] {notification.text[:80]}",
        message=body,
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    notification.emailed_at = clocks.now()
    notification.save(update_fields=["emailed_at"])
    return True
