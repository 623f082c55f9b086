from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import HealthPlan


def notification_list(*, plan: HealthPlan, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(plan=plan, recipient=recipient).order_by("-created_at", "-id")


def notifications_unread(*, plan: HealthPlan, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(plan=plan, recipient=recipient, read_at__isnull=True)
