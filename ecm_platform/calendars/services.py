"""Writes to the holiday calendars. Every function expects the plan's scope to be active."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.calendars import rules
from ecm_platform.calendars.models import Holiday, HolidayCalendarYear
from ecm_platform.calendars.selectors import holiday_years_copied
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan


def holiday_calendars_ensure(*, plan: HealthPlan, years: Iterable[int]) -> list[int]:
    """Copy the default closures for each year the plan has no calendar for yet.

    Idempotent and safe under concurrency: a year copied by someone else meanwhile is skipped.
    Returns the years copied now.
    """
    missing = sorted(set(years) - holiday_years_copied(plan=plan))
    copied = []
    for year in missing:
        try:
            with transaction.atomic():
                HolidayCalendarYear.objects.create(plan=plan, year=year, source=rules.SOURCE)
                Holiday.objects.bulk_create(
                    [Holiday(plan=plan, date=day, name=name) for day, name in rules.default_closures(year).items()],
                    ignore_conflicts=True,  # a closure the administrator added before the copy
                )
                audit_record(
                    code="calendars.holiday_year.copied",
                    plan=plan,
                    actor=None,
                    payload={"year": year, "source": rules.SOURCE},
                )
        except IntegrityError:
            continue
        copied.append(year)
    return copied


@transaction.atomic
def holiday_create(*, plan: HealthPlan, day: date, name: str, actor) -> Holiday:
    """Add a closure day (the year's defaults are copied first, so they are not lost)."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    holiday_calendars_ensure(plan=plan, years=[day.year])
    if Holiday.objects.filter(plan=plan, date=day).exists():
        raise DomainError(f"{day.isoformat()} is already a closure day.", field="date", code="duplicate")
    holiday = Holiday.objects.create(plan=plan, date=day, name=name.strip())
    audit_record(
        code="calendars.holiday.created",
        plan=plan,
        actor=actor,
        target=holiday,
        payload={"date": day.isoformat(), "name": holiday.name},
    )
    return holiday


@transaction.atomic
def holiday_delete(*, plan: HealthPlan, holiday: Holiday, actor) -> None:
    """Drop a closure day (e.g. an observance the plan's offices stay open for)."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    require_same_plan(plan, holiday)
    audit_record(
        code="calendars.holiday.deleted",
        plan=plan,
        actor=actor,
        target=holiday,
        payload={"date": holiday.date.isoformat(), "name": holiday.name},
    )
    holiday.delete()
