from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import HealthPlan


def notification_list(*, plan: HealthPlan, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return notifications_in(plan_ids=[plan.pk], recipient=recipient)


def notifications_in(*, plan_ids, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    """Someone's notifications in these plans (provider staff: every contracting plan), newest first."""
    return Notification.objects.filter(plan_id__in=plan_ids, recipient=recipient).order_by("-created_at", "-id")


def notifications_unread(*, plan: HealthPlan, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return notifications_unread_in(plan_ids=[plan.pk], recipient=recipient)


def notifications_unread_in(*, plan_ids, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(plan_id__in=plan_ids, recipient=recipient, read_at__isnull=True)
