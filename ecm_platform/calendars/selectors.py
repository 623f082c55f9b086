from datetime import date

from django.db.models import QuerySet

from ecm_platform.calendars.models import DecisionTimeframe, Holiday, HolidayCalendarYear
from ecm_platform.tenancy.models import HealthPlan


def holiday_list(*, plan: HealthPlan, year: int | None = None) -> QuerySet[Holiday]:
    holidays = Holiday.objects.filter(plan=plan)
    if year is not None:
        holidays = holidays.filter(date__year=year)
    return holidays


def holiday_dates_between(*, plan: HealthPlan, first: date, last: date) -> frozenset[date]:
    return frozenset(holiday_list(plan=plan).filter(date__range=(first, last)).values_list("date", flat=True))


def holiday_years_copied(*, plan: HealthPlan) -> set[int]:
    return set(HolidayCalendarYear.objects.filter(plan=plan).values_list("year", flat=True))


def decision_timeframes_in_force(*, day: date) -> dict[str, DecisionTimeframe]:
    """The version of each timeframe rule in force on `day`."""
    in_force = {}
    for timeframe in DecisionTimeframe.objects.filter(effective_from__lte=day).order_by("effective_from"):
        in_force[timeframe.rule] = timeframe
    return in_force
