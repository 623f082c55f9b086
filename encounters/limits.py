"""The Community Supports limits weighed on each encounter (DOMAIN 9), with `benefits.limits`'
rules: the member's other Community Supports encounters, and the file's earlier lines, are the
history.

An encounter's quantity is counted in each limit's unit: dollars are its billed amount (a line of a
service with a dollar limit must give it); hours are its units times the code's unit (per 15
minutes, per hour, per diem = 24 hours); meals a day are units of a per-meal code over its days.
Days-based limits count its service dates; "times in a lifetime" counts authorizations (a second
line under the same authorization is no new time), a line without one counting once. A limit the
line's codes cannot be counted in (a sobering stay billed per visit has no hours) is not weighed.
Passing a limit without exceptions is a row error; passing one that allows exceptions is one too,
unless the authorization covering the line recorded the exception's reason.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from benefits import limits
from benefits.models import LimitType, ServiceLimit

HOURS_PER_UNIT = {"per 15 min": Decimal("0.25"), "per hour": Decimal(1), "per diem": Decimal(24)}
DAY_LIMITS = frozenset({LimitType.CONTINUOUS_DURATION, LimitType.MAX_DURATION, LimitType.COMBINED_ROLLING})


@dataclass(frozen=True)
class Billed:
    """One Community Supports encounter, recorded or earlier in the file, as the limits count it."""

    service: str  # the catalogue code
    start: date
    end: date
    units: Decimal
    amount: Decimal | None
    code_unit: str  # the coding guidance's unit: "per 15 min", "per diem", "per meal"
    request_id: int | None


@dataclass(frozen=True)
class Authorization:
    pk: int
    override_reason: str


def limit_rules() -> list[tuple[ServiceLimit, limits.Rule]]:
    """Every limit of the catalogue with its rule: loaded once per file."""
    return [(limit, limits.Rule.of(limit)) for limit in ServiceLimit.objects.prefetch_related("services")]


def _in_force(limit: ServiceLimit, day: date) -> bool:
    return limit.effective_from <= day and (limit.effective_to is None or day <= limit.effective_to)


def _quantity(rule: limits.Rule, billed: Billed) -> tuple[bool, Decimal | None]:
    """(countable, quantity in the rule's unit)."""
    if rule.limit_type in DAY_LIMITS or rule.limit_type == LimitType.LIFETIME_COUNT:
        return True, None
    unit = rule.unit.lower()
    if unit.startswith("usd"):
        return True, billed.amount
    if unit.startswith("hours") and billed.code_unit in HOURS_PER_UNIT:
        return True, billed.units * HOURS_PER_UNIT[billed.code_unit]
    if unit.startswith("meals") and billed.code_unit == "per meal":
        return True, billed.units / ((billed.end - billed.start).days + 1)
    return False, None


def _use(rule: limits.Rule, billed: Billed) -> limits.Use | None:
    countable, quantity = _quantity(rule, billed)
    return limits.Use(billed.service, billed.start, billed.end, quantity) if countable else None


def _weighed(rule: limits.Rule, proposed: Billed, history: list[Billed]):
    """The proposed use and its history as `rule` counts them, or None when not weighed."""
    use = _use(rule, proposed)
    if use is None:
        return None
    if rule.limit_type == LimitType.LIFETIME_COUNT:
        if proposed.request_id is not None and any(b.request_id == proposed.request_id for b in history):
            return None
        by_authorization = {}
        for index, billed in enumerate(history):
            by_authorization.setdefault(billed.request_id or f"line-{index}", billed)
        return use, [limits.Use(b.service, b.start, b.end) for b in by_authorization.values()]
    uses = [u for u in (_use(rule, billed) for billed in history) if u is not None]
    if rule.limit_type == LimitType.MAX_DURATION and proposed.request_id is not None:
        mine = [b for b in history if b.request_id == proposed.request_id and b.service == proposed.service]
        if mine:
            start = min(proposed.start, *(b.start for b in mine))
            use = limits.Use(use.service, start, max(proposed.end, *(b.end for b in mine)), use.quantity)
    return use, uses


def limit_problems(
    proposed: Billed, history: list[Billed], rules: list, authorization: Authorization | None
) -> list[str]:
    """Why the encounter passes a limit of its service, if it does."""
    problems = []
    for limit, rule in rules:
        if proposed.service not in rule.services or not _in_force(limit, proposed.start):
            continue
        if rule.limit_type == LimitType.LIFETIME_AMOUNT and proposed.amount is None:
            problems.append(f"Give the amount billed: {rule.label} counts dollars.")
            continue
        weighed = _weighed(rule, proposed, history)
        if weighed is None:
            continue
        finding = limits.check(rule, *weighed)
        if finding.missing or not finding.exceeded:
            continue
        if finding.override_allowed and authorization is not None and authorization.override_reason.strip():
            continue
        problems.append(
            finding.problem
            + (" The authorization covering it records no exception." if finding.override_allowed else "")
        )
    return problems
