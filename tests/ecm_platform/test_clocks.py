"""Decision clocks and deadlines (DOMAIN 5.1)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from ecm_platform import clocks
from ecm_platform.calendars.models import Holiday, HolidayCalendarYear
from ecm_platform.calendars.rules import default_closures
from ecm_platform.calendars.services import holiday_create, holiday_delete
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import plan_scope

LA = ZoneInfo("America/Los_Angeles")
DEFAULT_CALENDAR = clocks.WorkingCalendar(
    frozenset(day for year in range(2019, 2042) for day in default_closures(year))
)
BEFORE_2026 = clocks.DecisionTimeframes(
    routine_working_days=5, routine_outer_limit_days=14, expedited_hours=72, extension_max_days=14
)
FROM_2026 = clocks.DecisionTimeframes(
    routine_working_days=5, routine_outer_limit_days=7, expedited_hours=72, extension_max_days=14
)


def local(*args):
    return datetime(*args, tzinfo=LA)


# DOMAIN 5.1 worked examples, against the database calendar and rules of a real plan.
WORKED_EXAMPLES = [
    # Thanksgiving Thu and Fri closed; the 14-day outer limit (12-11) does not bind.
    (local(2024, 11, 27, 10), False, local(2024, 12, 6, 23, 59, 59)),
    # 5th working day 2027-01-07, but the 7-calendar-day limit (from 2026) ends 2027-01-06.
    (local(2026, 12, 30, 10), False, local(2027, 1, 6, 23, 59, 59)),
    # Received Saturday: Monday is day 1; the 7-day limit (08-08) is later.
    (local(2026, 8, 1, 11), False, local(2026, 8, 7, 23, 59, 59)),
    # Expedited: 72 real hours across the spring-forward change (09:30 PST -> 10:30 PDT).
    (local(2027, 3, 13, 9, 30), True, local(2027, 3, 16, 10, 30)),
]


@pytest.mark.parametrize(("received_at", "is_expedited", "expected"), WORKED_EXAMPLES)
def test_domain_worked_examples_with_the_plans_calendar(plan_a, received_at, is_expedited, expected):
    # DOMAIN 5.1 worked examples
    with plan_scope(plan_a):
        due = clocks.decision_due(plan=plan_a, received_at=received_at, is_expedited=is_expedited)
    assert due == expected
    assert due.utcoffset() == expected.utcoffset()


def test_due_instants_are_exact_in_utc(plan_a):
    # DOMAIN 5.1: 2024-12-06 23:59:59 PST is 2024-12-07 07:59:59 UTC; 10:30 PDT is 17:30 UTC.
    with plan_scope(plan_a):
        routine = clocks.decision_due(plan=plan_a, received_at=local(2024, 11, 27, 10), is_expedited=False)
        expedited = clocks.decision_due(plan=plan_a, received_at=local(2027, 3, 13, 9, 30), is_expedited=True)
    assert routine.astimezone(UTC) == datetime(2024, 12, 7, 7, 59, 59, tzinfo=UTC)
    assert expedited.astimezone(UTC) == datetime(2027, 3, 16, 17, 30, tzinfo=UTC)


def test_outer_limit_version_follows_the_day_of_receipt(plan_a):
    # DOMAIN 5.1: 14 calendar days for receipts before 2026-01-01, 7 from then on.
    # Received Mon 2025-12-22: the 5th working day (Christmas closed) is 12-30, within both limits.
    # A plan that closes 12-23..12-31 pushes the 5th working day to 2026-01-07; the 14-day
    # limit (2026-01-05) binds because receipt was in 2025.
    with plan_scope(plan_a):
        for day in range(23, 32):
            if date(2025, 12, day).weekday() < 5 and day != 25:
                holiday_create(plan=plan_a, day=date(2025, 12, day), name="Winter closure", actor=OPERATOR)
        due_2025 = clocks.decision_due(plan=plan_a, received_at=local(2025, 12, 22, 9), is_expedited=False)
    assert due_2025 == local(2026, 1, 5, 23, 59, 59)


def test_a_received_instant_on_a_closed_day_counts_from_the_next_working_day():
    # DOMAIN 5.1: received on Thanksgiving 2026 (Thu 11-26), day after closed too -> Mon is day 1.
    due = clocks.routine_due(local(2026, 11, 26, 8), DEFAULT_CALENDAR, FROM_2026)
    # Working days Mon 11-30 .. Fri 12-04; the 7-day limit is Thu 12-03 and binds.
    assert due == local(2026, 12, 3, 23, 59, 59)


def test_time_of_receipt_within_the_day_does_not_change_a_routine_due_instant():
    # DOMAIN 5.1: counting starts the day after the day of receipt.
    early = clocks.routine_due(local(2026, 3, 2, 0, 0, 1), DEFAULT_CALENDAR, FROM_2026)
    late = clocks.routine_due(local(2026, 3, 2, 23, 59, 59), DEFAULT_CALENDAR, FROM_2026)
    assert early == late == local(2026, 3, 9, 23, 59, 59)


def test_expedited_over_fall_back_is_72_real_hours():
    # DOMAIN 5.1: 2026-11-01 has 25 hours; the wall clock shows one hour less.
    received = local(2026, 10, 31, 12)
    due = clocks.expedited_due(received, 72)
    assert clocks.elapsed(received, due) == timedelta(hours=72)
    assert due == local(2026, 11, 3, 11)


def test_a_shorter_expedited_clock_for_a_community_support(plan_a):
    # DOMAIN 5.1: a plan-configured clock per service, e.g. 12 hours for a sobering center stay.
    received = local(2026, 5, 1, 22)
    with plan_scope(plan_a):
        due = clocks.decision_due(plan=plan_a, received_at=received, is_expedited=True, expedited_hours=12)
    assert due == local(2026, 5, 2, 10)


def test_holiday_edits_move_deadlines_and_the_library_does_not(plan_a):
    # DOMAIN 5.1: the plan's stored calendar decides, not the holiday library at run time.
    received = local(2025, 11, 25, 9)  # Tue before Thanksgiving; the 14-day limit is 12-09
    with plan_scope(plan_a):
        before = clocks.decision_due(plan=plan_a, received_at=received, is_expedited=False)
        holiday_delete(plan=plan_a, holiday=Holiday.objects.get(plan=plan_a, date=date(2025, 11, 28)), actor=OPERATOR)
        after = clocks.decision_due(plan=plan_a, received_at=received, is_expedited=False)
    # Wed, (Thu, Fri closed), Mon, Tue, Wed, Thu -> 12-04; with the Friday open -> Wed 12-03.
    assert before == local(2025, 12, 4, 23, 59, 59)
    assert after == local(2025, 12, 3, 23, 59, 59)


def test_an_added_closure_day_counts_until_the_outer_limit_binds(plan_a):
    # DOMAIN 5.1: received Sat 2026-08-01 -> Fri 08-07; closing Wed 08-05 moves it to Sat 08-08,
    # the last day the 7-calendar-day limit allows.
    received = local(2026, 8, 1, 11)
    with plan_scope(plan_a):
        holiday_create(plan=plan_a, day=date(2026, 8, 5), name="Office move", actor=OPERATOR)
        due = clocks.decision_due(plan=plan_a, received_at=received, is_expedited=False)
    assert due == local(2026, 8, 8, 23, 59, 59)


def test_business_days_deadline_for_ten_business_days(plan_a):
    # DOMAIN 7 uses 10 business days, counted like DOMAIN 5.1 working days.
    with plan_scope(plan_a):
        due = clocks.business_days_after(plan=plan_a, start=local(2026, 11, 20, 15), days=10)
    # Mon 11-23 .. Wed 11-25 (3), Thanksgiving Thu/Fri closed, 11-30 .. 12-04 (8), 12-07, 12-08 (10)
    assert due == local(2026, 12, 8, 23, 59, 59)


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_computing_a_deadline_never_writes(plan_a):
    # ARCHITECTURE "Deadlines": reading a deadline must not copy holiday years or audit anything,
    # even for years the plan has no copy of (2019 is before the plan existed).
    with plan_scope(plan_a):
        copied = HolidayCalendarYear.objects.count()
        with CaptureQueriesContext(connection) as queries:
            clocks.decision_due(plan=plan_a, received_at=local(2019, 12, 20, 9), is_expedited=False)
            clocks.decision_due(plan=plan_a, received_at=local(2026, 12, 30, 10), is_expedited=False)
            clocks.business_days_after(plan=plan_a, start=local(2040, 12, 24, 9), days=10)
        assert _writes(queries.captured_queries) == []
        assert HolidayCalendarYear.objects.count() == copied


def test_a_year_not_copied_counts_the_default_closures_in_memory(plan_a):
    # DOMAIN 5.1: 2019-12-25 is a default closure; the year was never copied, yet it is closed,
    # and a copied year counts only the plan's stored days.
    with plan_scope(plan_a):
        assert not HolidayCalendarYear.objects.filter(year=2019).exists()
        calendar = clocks.working_calendar(plan_a, date(2019, 12, 1), date(2020, 1, 31))
        assert date(2019, 12, 25) in calendar.closed_days
        assert date(2020, 1, 1) in calendar.closed_days
        this_year = clocks.local_date(clocks.now()).year
        christmas = date(this_year, 12, 25)
        Holiday.objects.filter(date=christmas).delete()  # the plan works Christmas this year
        calendar = clocks.working_calendar(plan_a, date(this_year, 12, 1), date(this_year, 12, 31))
        assert christmas not in calendar.closed_days


def test_calendar_days_deadline():
    assert clocks.calendar_days_deadline(local(2026, 3, 1, 10), 10) == local(2026, 3, 11, 23, 59, 59)
    assert clocks.calendar_days_deadline(date(2026, 12, 25), 10) == local(2027, 1, 4, 23, 59, 59)


def test_the_one_time_extension_adds_at_most_14_calendar_days(plan_a):
    # DOMAIN 5.1 extension: up to 14 calendar days added to the due instant, keeping 23:59:59
    # across the fall-back change.
    due = local(2026, 10, 28, 23, 59, 59)
    received = local(2026, 10, 21, 9)
    assert clocks.extension_due(due=due, received_at=received, days=14) == local(2026, 11, 11, 23, 59, 59)
    with pytest.raises(ValueError, match="1 to 14"):
        clocks.extension_due(due=due, received_at=received, days=15)
    with pytest.raises(ValueError):
        clocks.extension_due(due=due, received_at=received, days=0)


def test_time_remaining_uses_the_clock_and_goes_negative_when_overdue():
    due = local(2026, 8, 7, 23, 59, 59)
    with clocks.frozen(local(2026, 8, 6, 23, 59, 59)):
        assert clocks.time_remaining(due) == timedelta(days=1)
    with clocks.frozen(local(2026, 8, 8, 0, 59, 59)):
        assert clocks.time_remaining(due) == timedelta(hours=-1)


def test_time_remaining_counts_real_hours_across_a_dst_change():
    # DOMAIN 5.1: 2026-11-01 01:00-02:00 happens twice; a day's wall clock spans 25 hours.
    due = local(2026, 11, 1, 23, 59, 59)
    assert clocks.time_remaining(due, at=local(2026, 10, 31, 23, 59, 59)) == timedelta(hours=25)


def test_frozen_refuses_naive_datetimes():
    with pytest.raises(ValueError), clocks.frozen(datetime(2026, 1, 1)):  # noqa: DTZ001
        pass


def test_missing_timeframe_rules_fail_loudly(db):
    with pytest.raises(LookupError):
        clocks.decision_timeframes_on(date(1999, 12, 31))


# --- Properties across DST changes, holidays and year ends (DOMAIN 5.1) --------------------------

uniform_instants = st.datetimes(
    # hypothesis wants naive bounds and attaches the time zone itself
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2039, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _edges() -> list[datetime]:
    """Local midnights of the days the rules are most likely to get wrong: DST changes, year ends
    and the default closures (most of them next to a weekend)."""
    days = []
    day = date(2020, 1, 1)
    while day <= date(2039, 12, 31):
        if datetime.combine(day, time(12), LA).utcoffset() != datetime.combine(day, time(0), LA).utcoffset():
            days.append(day)  # the offset changes during this day: a DST change
        if (day.month, day.day) == (12, 31):
            days.append(day)
        day += timedelta(days=1)
    days.extend(d for d in DEFAULT_CALENDAR.closed_days if date(2020, 1, 1) <= d <= date(2039, 12, 31))
    return sorted(datetime.combine(d, time(0), LA).astimezone(UTC) for d in days)


# Half the examples fall within four days of a DST change, a year end or a closure.
instants = st.one_of(
    uniform_instants,
    st.builds(
        lambda edge, offset: edge + offset,
        st.sampled_from(_edges()),
        st.timedeltas(min_value=timedelta(days=-4), max_value=timedelta(days=4)),
    ),
)


def timeframes_for(received_at):
    return FROM_2026 if clocks.local_date(received_at) >= date(2026, 1, 1) else BEFORE_2026


def routine(received_at):
    return clocks.routine_due(received_at, DEFAULT_CALENDAR, timeframes_for(received_at))


@settings(max_examples=400, deadline=None)
@given(received_at=instants)
def test_property_due_is_never_before_receipt(received_at):
    assert routine(received_at) > received_at
    assert clocks.expedited_due(received_at, 72) > received_at


@settings(max_examples=400, deadline=None)
@given(received_at=instants)
def test_property_routine_never_later_than_the_outer_limit(received_at):
    limit = clocks.calendar_days_deadline(received_at, timeframes_for(received_at).routine_outer_limit_days)
    assert routine(received_at) <= limit


@settings(max_examples=400, deadline=None)
@given(received_at=instants, delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_property_later_receipt_never_gives_an_earlier_due_instant(received_at, delay):
    assert routine(received_at) <= routine(received_at + delay)
    assert clocks.expedited_due(received_at, 72) <= clocks.expedited_due(received_at + delay, 72)


@settings(max_examples=400, deadline=None)
@given(received_at=instants)
def test_property_routine_due_is_end_of_a_local_day_and_expedited_is_72_real_hours(received_at):
    due = routine(received_at).astimezone(LA)
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert clocks.elapsed(received_at, clocks.expedited_due(received_at, 72)) == timedelta(hours=72)


@settings(max_examples=200, deadline=None)
@given(received_at=instants)
def test_property_routine_due_lands_on_a_working_day_unless_the_outer_limit_binds(received_at):
    due_day = routine(received_at).astimezone(LA).date()
    outer = clocks.calendar_days_deadline(received_at, timeframes_for(received_at).routine_outer_limit_days)
    assert DEFAULT_CALENDAR.is_working_day(due_day) or routine(received_at) == outer
