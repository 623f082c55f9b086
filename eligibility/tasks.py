from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model

from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.access import principal_for
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from eligibility.scan import high_utilizer_scan, scan_job


@shared_task(base=PlanTask)
def high_utilizer_scan_task(*, plan: HealthPlan, data_month: str | None = None, actor_id=None) -> int | None:
    """One plan's scan; a run already in progress makes this one a no-op (the schedule retries
    tomorrow)."""
    user = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    actor = principal_for(user, plan) if user is not None else scan_job(plan)
    try:
        run = high_utilizer_scan(
            plan=plan,
            data_month=date.fromisoformat(data_month) if data_month else None,
            actor=actor,
        )
    except ConflictError:
        return None
    return run.pk


@shared_task
def high_utilizer_scans_all() -> int:
    """The nightly job: one scan per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        high_utilizer_scan_task.delay(plan_id=plan_id)
    return len(plan_ids)
