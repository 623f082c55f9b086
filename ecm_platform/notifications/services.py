"""Notifying people: other apps call `notification_send` explicitly (no signals)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.ownership import require_same_plan

# The core knows no providers app: provider staff are reached through the user's
# `provider_membership` relation, their organization's contracts by their related name.
_CONTRACT = "provider_membership__organization__contracts__"


def works_for(*, plan: HealthPlan, user: AbstractBaseUser) -> bool:
    if Membership.objects.filter(plan=plan, user=user, is_active=True).exists():
        return True
    today = clocks.local_date(clocks.now())
    in_force = Q(**{f"{_CONTRACT}plan": plan, f"{_CONTRACT}start_date__lte": today}) & (
        Q(**{f"{_CONTRACT}end_date__isnull": True}) | Q(**{f"{_CONTRACT}end_date__gte": today})
    )
    return (
        get_user_model()
        .objects.filter(
            in_force,
            pk=user.pk,
            is_active=True,
            provider_membership__is_active=True,
            provider_membership__organization__is_active=True,
        )
        .exists()
    )


@transaction.atomic
def notification_send(
    *, plan: HealthPlan, recipient: AbstractBaseUser, text: str, link: str = "", email: bool = False
) -> Notification:
    """Notify someone who works for the plan (a plan membership, or the staff of a provider
    organization under contract with it today); with `email`, also hand it to the email backend
    once the transaction commits."""
    if not works_for(plan=plan, user=recipient):
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


def notifications_mark_all_read(*, plan_ids, recipient: AbstractBaseUser) -> int:
    """Everything unread of `recipient` in these plans (provider staff: their contracting plans)."""
    return Notification.objects.filter(plan_id__in=plan_ids, recipient=recipient, read_at__isnull=True).update(
        read_at=clocks.now()
    )
