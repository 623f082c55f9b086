"""The Community Supports limits (DOMAIN 9) as pure rules: no database, so each window and cap is
tested on its boundaries with plain values.

A `Use` is one authorization or delivery of a service: its days (first and last, inclusive) and its
quantity in the service's limit unit. `check` weighs a proposed use against a member's other uses
under one limit; `allowance` says what is left on a day with nothing proposed.

This product's readings, where the guide counts in months or weeks: a month is 365.25 / 12 days
and a week 7 days, rounded to whole days (6 months = 183 days, 12 months = 365 days, 12 weeks = 84
days), so that every window is the same length whichever month it starts in. A quantity counted per
calendar year belongs to the year its use begins in. "At most N continuous days" counts a use
together with the uses of the same service that touch or overlap it. A stay "under 24 hours" is
refused at 24.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from benefits.models import LimitType
from ecm_platform.errors import DomainError

DAYS_PER_UNIT = {"months": Decimal("365.25") / 12, "weeks": Decimal(7), "days": Decimal(1)}
# The limits counted in the use's quantity; the others count its days.
QUANTITY_LIMITS = frozenset(
    {LimitType.PER_CALENDAR_YEAR, LimitType.LIFETIME_AMOUNT, LimitType.PER_DAY_COUNT, LimitType.PER_STAY}
)
# The limits that need no service period (a lifetime, a single use); the others need its days.
WITHOUT_PERIOD = frozenset(
    {LimitType.LIFETIME_COUNT, LimitType.LIFETIME_AMOUNT, LimitType.PER_DAY_COUNT, LimitType.PER_STAY}
)
ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Use:
    service: str  # the catalogue code
    start: date | None
    end: date | None
    quantity: Decimal | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1 if self.start and self.end else 0


@dataclass(frozen=True)
class Rule:
    """A ServiceLimit's data: `services` are catalogue codes (several for a combined cap)."""

    label: str
    limit_type: str
    value: Decimal
    unit: str
    services: frozenset[str]
    window: int | None = None
    override_allowed: bool = False
    exception: str = ""

    @classmethod
    def of(cls, limit) -> "Rule":
        codes = frozenset(service.code for service in limit.services.all())
        names = " + ".join(sorted(service.name for service in limit.services.all()))
        return cls(
            label=f"{names}: {_worded(limit)}", limit_type=limit.limit_type, value=limit.value, unit=limit.unit,
            services=codes, window=limit.window, override_allowed=limit.override_allowed, exception=limit.exception,
        )  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One limit weighed: `allowed` in `unit`, `used` by the other uses, `proposed` by this one,
    `remaining` = allowed - used (never below 0). `exceeded` when the proposed use passes it;
    `override_allowed` when a reason may pass it (DOMAIN 9); `problem` says why, or what is missing."""

    label: str
    unit: str
    allowed: Decimal
    used: Decimal
    proposed: Decimal
    remaining: Decimal
    exceeded: bool
    override_allowed: bool
    problem: str = ""
    missing: bool = False  # the use lacks what the limit counts (its period or quantity)


def _worded(limit) -> str:
    value = f"{limit.value.normalize():f}"
    if limit.limit_type == LimitType.COMBINED_ROLLING:
        return f"{value} {limit.unit.split(' in ')[0]} in any rolling {limit.window}"
    return f"{value} {limit.unit} ({limit.get_limit_type_display().lower()})"


def days_of(value: Decimal | int, unit: str) -> int:
    """A duration in whole days: `unit` begins with months, weeks or days."""
    per_day = next((days for name, days in DAYS_PER_UNIT.items() if unit.startswith(name)), None)
    if per_day is None:
        raise ValueError(f"A duration in {unit!r} has no length in days.")
    return int((Decimal(value) * per_day).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def check(rule: Rule, proposed: Use, history: list[Use]) -> Finding:
    """The proposed use against the member's other uses under `rule`."""
    mine = [use for use in history if use.service in rule.services]
    if rule.limit_type in QUANTITY_LIMITS and proposed.quantity is None:
        return _missing(rule, f"Give the {_unit(rule)} asked for: the limit counts them.")
    if rule.limit_type not in WITHOUT_PERIOD and not proposed.days:
        return _missing(rule, "Give the service period (first and last day): the limit counts its days.")
    return _CHECKS[rule.limit_type](rule, proposed, mine)


def allowance(rule: Rule, history: list[Use], on: date) -> Finding:
    """What is left under `rule` on `on` with nothing proposed (the member and request pages)."""
    mine = [use for use in history if use.service in rule.services]
    if rule.limit_type in (LimitType.PER_DAY_COUNT, LimitType.PER_STAY, LimitType.MAX_DURATION):
        allowed = _allowed(rule)  # per use: nothing is used up
        return _finding(rule, allowed=allowed, used=ZERO, proposed=ZERO)
    if rule.limit_type == LimitType.CONTINUOUS_DURATION:  # the stay under way on `on`, if any
        under_way = any(use.days and use.start <= on <= use.end for use in mine)
        stay = _stay_with(Use("", on, on), mine) if under_way else []
        return _finding(rule, allowed=_allowed(rule), used=Decimal(_covered(stay)), proposed=ZERO)
    if rule.limit_type == LimitType.COMBINED_ROLLING:
        window = days_of(rule.window, rule.unit)
        used = _covered(mine, on - timedelta(days=window - 1), on)
        return _finding(rule, allowed=_allowed(rule), used=Decimal(used), proposed=ZERO)
    used = _counted(rule, on, mine)
    return _finding(rule, allowed=_allowed(rule), used=used, proposed=ZERO)


def refuse_passed(findings: list[Finding], *, override_reason: str, days_field: str, quantity_field: str) -> None:
    """A limit without exceptions refuses (at the field it counts: the days or the quantity); one
    that allows exceptions passes only with a reason (DOMAIN 9)."""
    passed = [finding for finding in findings if finding.exceeded]
    hard = [finding for finding in passed if not finding.override_allowed]
    if hard:
        field = days_field if hard[0].unit == "days" else quantity_field
        raise DomainError(" ".join(finding.problem for finding in hard), field=field, code="limit_exceeded")
    if passed and not override_reason.strip():
        raise DomainError(
            " ".join(finding.problem for finding in passed),
            field="limit_override_reason",
            code="limit_override_reason_required",
        )


def _allowed(rule: Rule) -> Decimal:
    if rule.limit_type in (LimitType.CONTINUOUS_DURATION, LimitType.MAX_DURATION):
        return Decimal(days_of(rule.value, rule.unit))
    if rule.limit_type == LimitType.COMBINED_ROLLING:
        return Decimal(days_of(rule.value, rule.unit))
    return rule.value


def _unit(rule: Rule) -> str:
    if rule.limit_type in (LimitType.CONTINUOUS_DURATION, LimitType.MAX_DURATION, LimitType.COMBINED_ROLLING):
        return "days"
    return rule.unit.split(" (")[0]


def _finding(rule: Rule, *, allowed, used, proposed, exceeded=None, override_allowed=None, problem="") -> Finding:
    exceeded = used + proposed > allowed if exceeded is None else exceeded
    override_allowed = rule.override_allowed if override_allowed is None else override_allowed
    if exceeded and not problem:
        problem = f"{rule.label}: {_amount(used)} used and {_amount(proposed)} asked, {_amount(allowed)} {_unit(rule)} allowed."
        if override_allowed:
            problem += f" An exception needs a reason ({rule.exception or 'as the guide allows'})."
    return Finding(
        label=rule.label, unit=_unit(rule), allowed=allowed, used=used, proposed=proposed,
        remaining=max(allowed - used, ZERO), exceeded=exceeded, override_allowed=override_allowed and exceeded,
        problem=problem,
    )  # fmt: skip


def _missing(rule: Rule, problem: str) -> Finding:
    finding = _finding(rule, allowed=_allowed(rule), used=ZERO, proposed=ZERO, exceeded=True, override_allowed=False,
                       problem=problem)  # fmt: skip
    return replace(finding, missing=True)


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _counted(rule: Rule, day: date, uses: list[Use]) -> Decimal:
    """What the uses took of a per-year or lifetime quantity: per calendar year, the uses begun in
    `day`'s year; a lifetime, all of them; times in a lifetime, how many uses."""
    if rule.limit_type == LimitType.LIFETIME_COUNT:
        return Decimal(len(uses))
    if rule.limit_type == LimitType.PER_CALENDAR_YEAR:
        uses = [use for use in uses if use.start and use.start.year == day.year]
    return sum((use.quantity or ZERO for use in uses), ZERO)


def _check_counted(rule: Rule, proposed: Use, uses: list[Use]) -> Finding:
    day = proposed.start or date.max  # a lifetime limit needs no day
    if rule.limit_type == LimitType.LIFETIME_COUNT:
        used = _counted(rule, day, uses)
        # "Once in a lifetime plus one documented exception" (DOMAIN 9): the exception is the last.
        return _finding(rule, allowed=rule.value, used=used, proposed=Decimal(1),
                        override_allowed=rule.override_allowed and used < rule.value + 1)  # fmt: skip
    return _finding(rule, allowed=rule.value, used=_counted(rule, day, uses), proposed=proposed.quantity)


def _check_per_use(rule: Rule, proposed: Use, uses: list[Use]) -> Finding:
    """Meals a day, a sobering stay's hours: the use alone. A stay is under 24 hours (DOMAIN 9)."""
    if rule.limit_type == LimitType.PER_STAY:
        return _finding(rule, allowed=rule.value, used=ZERO, proposed=proposed.quantity,
                        exceeded=proposed.quantity >= rule.value)  # fmt: skip
    return _finding(rule, allowed=rule.value, used=ZERO, proposed=proposed.quantity)


def _check_max_duration(rule: Rule, proposed: Use, uses: list[Use]) -> Finding:
    return _finding(rule, allowed=_allowed(rule), used=ZERO, proposed=Decimal(proposed.days))


def _stay_with(proposed: Use, uses: list[Use]) -> list[Use]:
    """The uses that touch or overlap the proposed one, directly or through each other."""
    left = [use for use in uses if use.days]
    stay, start, end = [], proposed.start, proposed.end
    while touching := [use for use in left if use.start <= end + ONE_DAY and use.end >= start - ONE_DAY]:
        for use in touching:
            left.remove(use)
            stay.append(use)
            start, end = min(start, use.start), max(end, use.end)
    return stay


def _check_continuous(rule: Rule, proposed: Use, uses: list[Use]) -> Finding:
    stay = _stay_with(proposed, uses)
    used = _covered(stay)
    return _finding(
        rule, allowed=_allowed(rule), used=Decimal(used), proposed=Decimal(_covered([*stay, proposed]) - used)
    )


def _covered(uses: list[Use], first: date = date.min, last: date = date.max) -> int:
    """Days from `first` to `last` that at least one use covers (overlaps count once)."""
    days = set()
    for use in uses:
        if use.days:
            days.update(range(max(use.start, first).toordinal(), min(use.end, last).toordinal() + 1))
    return len(days)


def _check_combined(rule: Rule, proposed: Use, uses: list[Use]) -> Finding:
    """At most `value` in any rolling `window` across the services (DOMAIN 9: post-hospitalization
    housing + recuperative care + transitional rent, 6 months in any 12): every window that holds a
    proposed day is weighed, and the fullest one reported."""
    window = days_of(rule.window, rule.unit)
    worst_used, worst_proposed = 0, 0
    last = proposed.end + timedelta(days=window - 1)
    ending = proposed.start
    while ending <= last:
        first = ending - timedelta(days=window - 1)
        before = _covered(uses, first, ending)
        together = _covered([*uses, proposed], first, ending)
        if together > worst_used + worst_proposed:
            worst_used, worst_proposed = before, together - before
        ending += timedelta(days=1)
    return _finding(rule, allowed=_allowed(rule), used=Decimal(worst_used), proposed=Decimal(worst_proposed))


_CHECKS = {
    LimitType.PER_CALENDAR_YEAR: _check_counted,
    LimitType.LIFETIME_AMOUNT: _check_counted,
    LimitType.LIFETIME_COUNT: _check_counted,
    LimitType.PER_DAY_COUNT: _check_per_use,
    LimitType.PER_STAY: _check_per_use,
    LimitType.MAX_DURATION: _check_max_duration,
    LimitType.CONTINUOUS_DURATION: _check_continuous,
    LimitType.COMBINED_ROLLING: _check_combined,
}
