from celery import shared_task

from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from outreach.measure_runs import measure_run_quarter_end
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


@shared_task(base=PlanTask)
def measures_quarter_end_task(*, plan: HealthPlan) -> int | None:
    """The plan's outreach measures of the quarter just ended (DOMAIN 8, 10); safe to rerun."""
    run = measure_run_quarter_end(plan=plan, today=clocks.local_date(clocks.now()))
    return run.pk if run is not None else None


@shared_task
def measures_quarter_end_all() -> int:
    """On the first day of each quarter: one build per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        measures_quarter_end_task.delay(plan_id=plan_id)
    return len(plan_ids)
