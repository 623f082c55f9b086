"""Notifying people: other apps call `notification_send` explicitly (no signals)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.ownership import require_same_plan


@transaction.atomic
def notification_send(
    *, plan: HealthPlan, recipient: AbstractBaseUser, text: str, link: str = "", email: bool = False
) -> Notification:
    """Notify someone who works for the plan; with `email`, also hand it to the email backend
    once the transaction commits."""
    if not Membership.objects.filter(plan=plan, user=recipient, is_active=True).exists():
        raise DomainError(f"{recipient} does not work for {plan}.", field="recipient")
    if link and not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        raise DomainError("A notification links inside the platform only.", field="link")
    notification = Notification.objects.create(
        plan=plan, recipient=recipient, text=text.strip(), link=link, created_at=clocks.now()
    )
    if email and recipient.email:
        enqueue_on_commit(
            "ecm_platform.notifications.tasks.notification_email", plan_id=plan.pk, notification_id=notification.pk
        )
    return notification


def notification_mark_read(*, plan: HealthPlan, notification: Notification) -> Notification:
    require_same_plan(plan, notification)
    if notification.read_at is None:
        notification.read_at = clocks.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, plan: HealthPlan, recipient: AbstractBaseUser) -> int:
    return Notification.objects.filter(plan=plan, recipient=recipient, read_at__isnull=True).update(
        read_at=clocks.now()
    )
