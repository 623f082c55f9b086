from celery import shared_task
from django.contrib.auth import get_user_model

from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.access import principal_for
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask
from eligibility.models import ScanRun
from eligibility.scan import scan_execute, scan_job, scan_start


@shared_task(base=PlanTask)
def high_utilizer_scan_task(*, plan: HealthPlan, run_id: int, actor_id=None) -> int | None:
    """Execute a reserved run; a vanished run, or one executed already (a second delivery), is a
    no-op."""
    run = ScanRun.objects.filter(plan=plan, pk=run_id).first()
    if run is None:
        return None
    user = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    actor = principal_for(user, plan) if user is not None else scan_job(plan)
    return scan_execute(plan=plan, run=run, actor=actor).pk


@shared_task(base=PlanTask)
def high_utilizer_scan_nightly(*, plan: HealthPlan) -> int | None:
    """The plan's nightly run; one already queued or running makes this one a no-op (the schedule
    runs again tomorrow)."""
    try:
        return scan_start(plan=plan, actor=scan_job(plan)).pk
    except ConflictError:
        return None


@shared_task
def high_utilizer_scans_all() -> int:
    """The nightly job: one scan per active plan."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        high_utilizer_scan_nightly.delay(plan_id=plan_id)
    return len(plan_ids)
