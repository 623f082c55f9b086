"""The eligibility rules of DOMAIN 3 and 4 as pure functions of plain facts (no database)."""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from members.models import ProgramTreatment


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    ELIGIBLE_WITH_WRAP = "eligible_with_wrap"
    NEEDS_MEMBER_CHOICE = "needs_member_choice"
    EXCLUDED = "excluded"
    NO_LIVE_POF = "no_live_pof"


OUTCOME_LABELS = {
    Outcome.ELIGIBLE: "Eligible",
    Outcome.ELIGIBLE_WITH_WRAP: "Eligible, with non-duplication",
    Outcome.NEEDS_MEMBER_CHOICE: "Needs the member's choice",
    Outcome.EXCLUDED: "Excluded",
    Outcome.NO_LIVE_POF: "Not in a live Population of Focus",
}


@dataclass(frozen=True)
class PofFacts:
    code: str
    name: str
    min_age: int
    max_age: int | None  # younger than this
    live_on: date  # in the member's county, for this plan (DOMAIN 3.4)


@dataclass(frozen=True)
class ProgramFacts:
    name: str
    treatment: ProgramTreatment
    note: str = ""


@dataclass(frozen=True)
class MemberFacts:
    birth_date: date
    is_enrolled: bool
    medicare_eligible: bool
    medicare_note: str
    programs: tuple[ProgramFacts, ...] = ()  # active on the date, with the rule in force
    pofs: tuple[PofFacts, ...] = ()  # open determinations on the date


@dataclass(frozen=True)
class EligibilityResult:
    outcome: Outcome
    reasons: tuple[str, ...]
    live_pofs: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def age_on(birth_date: date, day: date) -> int:
    return relativedelta(day, birth_date).years


def in_age_band(age: int, min_age: int, max_age: int | None) -> bool:
    """A POF's age band: from `min_age`, younger than `max_age` when it has one (DOMAIN 3.1, 3.2)."""
    return min_age <= age and (max_age is None or age < max_age)


def is_adult(birth_date: date, day: date, adult_age: int = 21) -> bool:
    """DOMAIN 3: adults are 21 or older on the evaluation date."""
    return age_on(birth_date, day) >= adult_age


def pof_live_date(*, dhcs_wpc_hhp: date, dhcs_other: date, county_has_wpc_hhp: bool, plan_start: date | None) -> date:
    """DOMAIN 3.4: the DHCS date for the county kind, or the plan's own earlier start."""
    dhcs = dhcs_wpc_hhp if county_has_wpc_hhp else dhcs_other
    return min(dhcs, plan_start) if plan_start else dhcs


def live_pofs(facts: MemberFacts, day: date) -> tuple[list[PofFacts], list[str]]:
    """The member's POFs that count on `day`, and why the others do not."""
    live, reasons = [], []
    age = age_on(facts.birth_date, day)
    for pof in facts.pofs:
        if day < pof.live_on:
            reasons.append(f"{pof.name} goes live in the member's county on {pof.live_on:%Y-%m-%d}.")
        elif not in_age_band(age, pof.min_age, pof.max_age):
            limit = f"under {pof.max_age}" if pof.max_age is not None else f"{pof.min_age} or older"
            reasons.append(f"{pof.name} is for members {limit}; the member is {age}.")
        else:
            live.append(pof)
    return live, reasons


def ecm_eligibility(facts: MemberFacts, day: date) -> EligibilityResult:
    """DOMAIN 3-4: enrolled, not excluded, in a live POF; either/or programs need the member's
    choice; wrap programs need a non-duplication note."""
    if not facts.is_enrolled:
        return EligibilityResult(
            Outcome.EXCLUDED,
            (f"Not enrolled in the plan on {day:%Y-%m-%d} (Medi-Cal fee-for-service is not eligible).",),
        )
    if not facts.medicare_eligible:
        return EligibilityResult(Outcome.EXCLUDED, (facts.medicare_note,))
    excluded = [p for p in facts.programs if p.treatment == ProgramTreatment.EXCLUDED]
    if excluded:
        return EligibilityResult(
            Outcome.EXCLUDED,
            tuple(f"Enrolled in {p.name}, which excludes ECM.{' ' + p.note if p.note else ''}" for p in excluded),
        )
    live, not_live = live_pofs(facts, day)
    if not live:
        reasons = not_live or ["No Population of Focus has been determined for the member."]
        return EligibilityResult(Outcome.NO_LIVE_POF, tuple(reasons))
    codes = tuple(pof.code for pof in live)
    in_pofs = f"In {', '.join(pof.name for pof in live)}."
    either_or = [p for p in facts.programs if p.treatment == ProgramTreatment.EITHER_OR]
    if either_or:
        return EligibilityResult(
            Outcome.NEEDS_MEMBER_CHOICE,
            (
                in_pofs,
                *(f"Enrolled in {p.name}: the member chooses ECM or that program, not both." for p in either_or),
            ),
            codes,
        )
    wraps = [
        p for p in facts.programs if p.treatment in (ProgramTreatment.WRAP, ProgramTreatment.WRAP_PENDING_GUIDANCE)
    ]
    if wraps:
        return EligibilityResult(
            Outcome.ELIGIBLE_WITH_WRAP,
            (
                in_pofs,
                *(
                    f"Also in {p.name}: both allowed; the plan ensures services are not duplicated."
                    + (f" {p.note}" if p.note else "")
                    for p in wraps
                ),
            ),
            codes,
        )
    return EligibilityResult(Outcome.ELIGIBLE, (in_pofs,), codes)


def lookback_window(data_month: date, months: int) -> tuple[date, date]:
    """DOMAIN 3.3: the `months` calendar months ending with the data month."""
    first_of_month = data_month.replace(day=1)
    return first_of_month - relativedelta(months=months - 1), first_of_month + relativedelta(months=1, days=-1)


def scan_start_date(data_month: date, run_date: date) -> date:
    """DOMAIN 3.3: a scan determination starts on the earlier of the first day after the data month
    and the run date (a backfill gets a timely run's dates; nothing starts in the future)."""
    return min(data_month.replace(day=1) + relativedelta(months=1), run_date)


def scan_end_date(data_month: date, run_date: date) -> date:
    """DOMAIN 3.3: a run that no longer qualifies the member ends the determination on the earlier
    of the last day of its data month and its run date (never before the start: the scan keeps the
    start when it is later)."""
    return min(lookback_window(data_month, 1)[1], run_date)
