"""The single owner of "now" and of every deadline (DOMAIN 5.1).

Contract:
- `now()` is the instant every rule uses; `frozen(instant)` overrides it for a block (tests and
  "as of" evaluation). Nothing else calls `timezone.now()` for a rule.
- Instants are aware and stored in UTC; calendar arithmetic happens on local dates in
  America/Los_Angeles. "End of day" is 23:59:59 local.
- A working (business) day is Monday-Friday and not a closure in the plan's holiday calendar.
  Counting starts the day after the triggering day, so a request received on a non-working day
  has the next working day as day 1.
- The routine decision is due at the earlier of the end of the Nth working day and the end of the
  Mth calendar day after receipt, N and M being the versions in force on the day of receipt; an
  expedited decision is due a number of real elapsed hours after receipt (across DST changes).
- The pure functions take a `WorkingCalendar` and `DecisionTimeframes`; `decision_due` and
  friends load both for a plan from the database.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from ecm_platform.calendars.models import TimeframeRule
from ecm_platform.calendars.rules import default_closures
from ecm_platform.calendars.selectors import (
    decision_timeframes_in_force,
    holiday_dates_between,
    holiday_years_copied,
)

LOCAL_ZONE = ZoneInfo(settings.TIME_ZONE)
END_OF_DAY = time(23, 59, 59)
SATURDAY = 5

_frozen_now: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def now() -> datetime:
    return _frozen_now.get() or timezone.now()


@contextmanager
def frozen(instant: datetime):
    """Make `now()` return `instant` inside the block."""
    if timezone.is_naive(instant):
        raise ValueError("frozen() needs an aware datetime")
    token = _frozen_now.set(instant)
    try:
        yield instant
    finally:
        _frozen_now.reset(token)


def local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_ZONE).date()


def start_of_day(day: date) -> datetime:
    """00:00:00 local time on `day`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def end_of_day(day: date) -> datetime:
    """23:59:59 local time on `day`, as an aware datetime."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_ZONE)


def _as_day(start: datetime | date) -> date:
    return local_date(start) if isinstance(start, datetime) else start


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends plus the plan's closure days."""

    closed_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.closed_days

    def nth_working_day_after(self, day: date, n: int) -> date:
        if n < 1:
            raise ValueError("n must be at least 1")
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


@dataclass(frozen=True)
class DecisionTimeframes:
    """The clock rules in force on one day of receipt."""

    routine_working_days: int
    routine_outer_limit_days: int
    expedited_hours: int
    extension_max_days: int


def calendar_days_deadline(start: datetime | date, days: int) -> datetime:
    """End of the `days`-th calendar day after the day of `start`."""
    return end_of_day(_as_day(start) + timedelta(days=days))


def business_days_deadline(start: datetime | date, days: int, calendar: WorkingCalendar) -> datetime:
    """End of the `days`-th working day after the day of `start` (e.g. 10 business days)."""
    return end_of_day(calendar.nth_working_day_after(_as_day(start), days))


def routine_due(received_at: datetime, calendar: WorkingCalendar, timeframes: DecisionTimeframes) -> datetime:
    """The earlier of N working days and the outer limit of M calendar days (DOMAIN 5.1)."""
    return min(
        business_days_deadline(received_at, timeframes.routine_working_days, calendar),
        calendar_days_deadline(received_at, timeframes.routine_outer_limit_days),
    )


def expedited_due(received_at: datetime, hours: int) -> datetime:
    """Receipt plus real elapsed hours, added in UTC: a DST change neither adds nor removes one."""
    return (received_at.astimezone(UTC) + timedelta(hours=hours)).astimezone(LOCAL_ZONE)


def extended_due(due: datetime, days: int, timeframes: DecisionTimeframes) -> datetime:
    """The one-time extension: up to `extension_max_days` calendar days added to the due instant.

    The local wall-clock time is kept (a due at 23:59:59 stays at 23:59:59 across DST).
    """
    if not 1 <= days <= timeframes.extension_max_days:
        raise ValueError(f"An extension adds 1 to {timeframes.extension_max_days} calendar days.")
    local = due.astimezone(LOCAL_ZONE)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=LOCAL_ZONE)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants. Python subtracts datetimes that share a tzinfo by wall
    clock (ignoring a DST change between them), so both are taken to UTC first."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def time_remaining(due: datetime, at: datetime | None = None) -> timedelta:
    """Time left until `due`; negative once overdue."""
    return elapsed(at or now(), due)


# --- Loading the plan's calendar and the rules in force ------------------------------------------
# Reading never writes: holiday years are copied when a plan is created and by the daily job
# (calendars.tasks), never while a deadline is computed.


def decision_timeframes_on(day: date) -> DecisionTimeframes:
    in_force = decision_timeframes_in_force(day=day)
    missing = [rule for rule in TimeframeRule.values if rule not in in_force]
    if missing:
        raise LookupError(f"No decision timeframe in force on {day} for: {', '.join(missing)}")
    return DecisionTimeframes(**{rule: in_force[rule].amount for rule in TimeframeRule.values})


def working_calendar(plan, first: date, last: date) -> WorkingCalendar:
    """The plan's closures between two days.

    A year the plan has no copy of (before the plan existed, or past the daily job's horizon)
    counts the default closures computed in memory: what copying that year would store, so the
    deadline is the same whether or not the job has run yet.
    """
    closed = set(holiday_dates_between(plan=plan, first=first, last=last))
    for year in set(range(first.year, last.year + 1)) - holiday_years_copied(plan=plan):
        closed.update(day for day in default_closures(year) if first <= day <= last)
    return WorkingCalendar(frozenset(closed))


_held_calendars: ContextVar[dict | None] = ContextVar("held_calendars", default=None)


@contextmanager
def calendars_held():
    """Inside the block each plan's calendar for a span is read once: a set-based import computes
    the same due dates for thousands of rows (two queries each otherwise)."""
    token = _held_calendars.set({})
    try:
        yield
    finally:
        _held_calendars.reset(token)


def _calendar_for_span(plan, start: date, working_days: int) -> WorkingCalendar:
    held, key = _held_calendars.get(), (plan.pk, start, working_days)
    if held is not None and key in held:
        return held[key]
    # N working days never span more than 2N + 31 calendar days (weekends plus a month of closures).
    calendar = working_calendar(plan, start, start + timedelta(days=2 * working_days + 31))
    if held is not None:
        held[key] = calendar
    return calendar


def decision_due(*, plan, received_at: datetime, is_expedited: bool, expedited_hours: int | None = None) -> datetime:
    """When the plan must decide a request received at `received_at` (DOMAIN 5.1).

    `expedited_hours` overrides the expedited clock for services with a shorter one (a Community
    Support such as a sobering center stay).
    """
    received_on = local_date(received_at)
    timeframes = decision_timeframes_on(received_on)
    if is_expedited:
        return expedited_due(received_at, expedited_hours or timeframes.expedited_hours)
    calendar = _calendar_for_span(plan, received_on, timeframes.routine_working_days)
    return routine_due(received_at, calendar, timeframes)


def business_days_after(*, plan, start: datetime | date, days: int) -> datetime:
    """End of the `days`-th business day after `start` in the plan's calendar (e.g. DOMAIN 7)."""
    start_day = _as_day(start)
    return business_days_deadline(start_day, days, _calendar_for_span(plan, start_day, days))


def extension_due(*, due: datetime, received_at: datetime, days: int) -> datetime:
    """The due instant after the one-time extension, under the rules in force at receipt."""
    return extended_due(due, days, decision_timeframes_on(local_date(received_at)))
