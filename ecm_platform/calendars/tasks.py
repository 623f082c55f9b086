from celery import shared_task

from ecm_platform import clocks
from ecm_platform.calendars.services import holiday_calendars_ensure
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import PlanTask


@shared_task(base=PlanTask)
def holiday_calendar_extend(*, plan: HealthPlan) -> list[int]:
    """Copy this year's and next year's default closures for the plan if missing."""
    year = clocks.local_date(clocks.now()).year
    return holiday_calendars_ensure(plan=plan, years=[year, year + 1])


@shared_task
def holiday_calendars_extend_all() -> int:
    plan_ids = list(HealthPlan.objects.filter(is_active=True).values_list("pk", flat=True))
    for plan_id in plan_ids:
        holiday_calendar_extend.delay(plan_id=plan_id)
    return len(plan_ids)
