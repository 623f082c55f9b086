from celery import shared_task

from authorizations.models import Notice
from authorizations.services import clock_check, notice_pdf
from authorizations.services.letter_contact import held_notices_release, releaser
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask)
def clock_check_task(*, plan: HealthPlan) -> int:
    """One plan's decision-clock check; safe to rerun (each request is flagged once)."""
    return clock_check(plan=plan).pk


@shared_task
def clock_checks_all() -> int:
    """Every 15 minutes: one clock check per active plan (DOMAIN 5.1)."""
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        clock_check_task.delay(plan_id=plan_id)
    return len(plan_ids)


@shared_task(base=PlanTask)
def held_notices_release_task(*, plan: HealthPlan) -> list[int]:
    """Release the letters held for the plan's contact if it is set by now (a no-op otherwise)."""
    return held_notices_release(plan=plan, actor=releaser(plan))


@shared_task(base=PlanTask)
def notice_render_task(*, plan: HealthPlan, notice_id: int) -> None:
    """Render an issued notice's letter; a notice rendered already, held for the plan's contact (its
    release enqueues this again) or gone is left as it is."""
    notice = Notice.objects.filter(plan=plan, pk=notice_id).first()
    if notice is not None and not notice.is_held:
        notice_pdf(plan=plan, notice=notice)
