from celery import shared_task

from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from outreach.targets import targets_sync


@shared_task(base=PlanTask)
def targets_sync_task(*, plan: HealthPlan) -> dict:
    """One plan's outreach targets brought up to date (DOMAIN 8); safe to rerun."""
    return targets_sync(plan=plan)


@shared_task
def targets_sync_all() -> int:
    """Every 10 minutes: one targeting run per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        targets_sync_task.delay(plan_id=plan_id)
    return len(plan_ids)
