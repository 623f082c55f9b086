from celery import shared_task

from ecm_platform.deadlines.services import deadline_monitor
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask)
def deadline_monitor_task(*, plan: HealthPlan) -> dict:
    """One plan's deadline check; safe to rerun (each state change is told once)."""
    return deadline_monitor(plan=plan)


@shared_task
def deadline_monitors_all() -> int:
    """Every 15 minutes: one deadline check per active plan (ARCHITECTURE, Deadlines)."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        deadline_monitor_task.delay(plan_id=plan_id)
    return len(plan_ids)
