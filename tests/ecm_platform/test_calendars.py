"""The plan's holiday calendar (DOMAIN 5.1): default closures, copied per year, then edited."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.calendars import rules
from ecm_platform.calendars.models import Holiday, HolidayCalendarYear
from ecm_platform.calendars.services import holiday_calendars_ensure
from ecm_platform.calendars.tasks import holiday_calendars_extend_all
from ecm_platform.tenancy.scoping import plan_scope


def test_default_closures_are_exactly_the_domain_list_for_2026():
    # DOMAIN 5.1: twelve office closures; Independence Day on a Saturday is observed Friday.
    assert rules.default_closures(2026) == {
        date(2026, 1, 1): "New Year's Day",
        date(2026, 1, 19): "Martin Luther King Jr. Day",
        date(2026, 2, 16): "Presidents' Day",
        date(2026, 3, 31): "Cesar Chavez Day",
        date(2026, 5, 25): "Memorial Day",
        date(2026, 6, 19): "Juneteenth",
        date(2026, 7, 3): "Independence Day (observed)",
        date(2026, 7, 4): "Independence Day",
        date(2026, 9, 7): "Labor Day",
        date(2026, 11, 11): "Veterans Day",
        date(2026, 11, 26): "Thanksgiving",
        date(2026, 11, 27): "Day after Thanksgiving",
        date(2026, 12, 25): "Christmas",
    }


def test_observances_are_not_closures_and_joined_names_are_split():
    # DOMAIN 5.1: Susan B. Anthony Day and Diwali are observances, not office closures.
    closures_2027 = rules.default_closures(2027)
    assert closures_2027[date(2027, 2, 15)] == "Presidents' Day"
    assert date(2027, 10, 29) not in closures_2027  # Diwali
    assert date(2026, 2, 15) not in rules.default_closures(2026)  # Susan B. Anthony Day alone


def test_an_observed_day_in_the_previous_year_belongs_to_that_year():
    # DOMAIN 5.1: New Year's Day 2028 (a Saturday) is observed Friday 2027-12-31.
    assert rules.default_closures(2027)[date(2027, 12, 31)] == "New Year's Day (observed)"
    assert date(2027, 12, 31) not in rules.default_closures(2028)


def test_a_new_plan_gets_its_calendar_copied(plan_a):
    this_year = clocks.local_date(clocks.now()).year
    with plan_scope(plan_a):
        years = set(HolidayCalendarYear.objects.values_list("year", flat=True))
        assert years == {this_year - 1, this_year, this_year + 1}
        assert Holiday.objects.filter(date__year=this_year).count() == len(rules.default_closures(this_year))


def test_copying_is_idempotent_and_keeps_the_plans_edits(plan_a):
    with plan_scope(plan_a):
        holiday_calendars_ensure(plan=plan_a, years=[2030])
        Holiday.objects.filter(date=date(2030, 11, 29)).delete()  # the plan works the day after
        assert holiday_calendars_ensure(plan=plan_a, years=[2030, 2031]) == [2031]
        assert not Holiday.objects.filter(date=date(2030, 11, 29)).exists()


def test_the_yearly_job_copies_missing_years_for_every_plan(plan_a, plan_b):
    with scopes_disabled():
        HolidayCalendarYear.objects.filter(plan=plan_b).delete()
        Holiday.objects.filter(plan=plan_b).delete()
    assert holiday_calendars_extend_all.delay().get() == 2
    this_year = clocks.local_date(clocks.now()).year
    with plan_scope(plan_b):
        assert set(HolidayCalendarYear.objects.values_list("year", flat=True)) == {
            this_year,
            this_year + 1,
        }


@pytest.mark.parametrize("year", range(2022, 2036))
def test_every_year_has_twelve_closures_some_observed(year):
    # DOMAIN 5.1: each named closure appears once per year (plus observed shifts).
    names = {name.removesuffix(" (observed)") for name in rules.default_closures(year).values()}
    assert len(names) == 12
