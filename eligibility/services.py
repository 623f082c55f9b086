"""Recording Populations of Focus for members, and the plan's early POF starts (DOMAIN 3)."""

from datetime import date

from django.db import transaction

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import County, HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility import rules
from eligibility.models import (
    Determination,
    DeterminationSource,
    PlanPofStart,
    PopulationOfFocus,
)
from members.models import Member

MANUAL_SOURCES = {
    DeterminationSource.ATTESTATION,
    DeterminationSource.REFERRAL,
    DeterminationSource.DISCRETIONARY,
}


def _check_criteria(pof: PopulationOfFocus, criteria_met: list[str]) -> None:
    unknown = set(criteria_met) - set(pof.criteria)
    if unknown:
        raise DomainError("Attest only the criteria of this Population of Focus.", field="criteria_met")
    if pof.requires_all_criteria and set(criteria_met) != set(pof.criteria):
        raise DomainError(f"{pof.name} requires every criterion to be met.", field="criteria_met")
    if not criteria_met:
        raise DomainError(f"{pof.name} requires at least one criterion.", field="criteria_met")


def _check_age(pof: PopulationOfFocus, member: Member, on: date) -> None:
    age = rules.age_on(member.birth_date, on)
    if not rules.in_age_band(age, pof.min_age, pof.max_age):
        raise DomainError(f"{pof.name} does not cover a member aged {age} on {on:%Y-%m-%d}.", field="pof")


@transaction.atomic
def determination_record(
    *,
    plan: HealthPlan,
    member: Member,
    pof: PopulationOfFocus,
    source: DeterminationSource,
    start_date: date,
    actor,
    criteria_met: list[str] = (),
    note: str = "",
    justification: str = "",
) -> Determination:
    """A coordinator records a POF from a referral or an attestation of its criteria, or a
    discretionary high utilizer with a justification (DOMAIN 3.1)."""
    is_discretionary = source == DeterminationSource.DISCRETIONARY
    require(
        actor,
        Capability.DISCRETIONARY_DETERMINATIONS if is_discretionary else Capability.DETERMINATIONS_RECORD,
        plan=plan,
    )
    require_same_plan(plan, member, field="member")
    if source not in MANUAL_SOURCES:
        raise DomainError("Only the scan records scan determinations.", field="source")
    _check_age(pof, member, start_date)
    if is_discretionary:
        if not pof.is_scanned:
            raise DomainError("Discretion applies to high utilizers only.", field="pof")
        if not justification.strip():
            raise DomainError("A discretionary determination needs a justification.", field="justification")
    else:
        _check_criteria(pof, list(criteria_met))
    now = clocks.now()
    determination = Determination.objects.create(
        plan=plan,
        member=member,
        pof=pof,
        source=source,
        start_date=start_date,
        evidence={"criteria_met": list(criteria_met), "note": note.strip()},
        justification=justification.strip(),
        made_by=actor_user(actor),
        created_at=now,
        updated_at=now,
    )
    audit_record(
        code="eligibility.determination.recorded",
        plan=plan,
        actor=actor,
        target=determination,
        payload={
            "member": member.pk,
            "pof": pof.code,
            "source": source,
            "start_date": str(start_date),
        },
    )
    return determination


@transaction.atomic
def determination_end(*, plan: HealthPlan, determination: Determination, end_date: date, actor) -> Determination:
    require(actor, Capability.DETERMINATIONS_RECORD, plan=plan)
    require_same_plan(plan, determination)
    if determination.end_date is not None:
        raise DomainError("The determination has ended already.", field="end_date")
    if end_date < determination.start_date:
        raise DomainError("The end date is before the start date.", field="end_date")
    determination.end_date, determination.updated_at = end_date, clocks.now()
    determination.save(update_fields=["end_date", "updated_at"])
    audit_record(
        code="eligibility.determination.ended",
        plan=plan,
        actor=actor,
        target=determination,
        payload={"end_date": str(end_date)},
    )
    return determination


def plan_pof_start_check(*, plan: HealthPlan, county: County, pof: PopulationOfFocus, start_date: date) -> None:
    """A plan may start a POF earlier than DHCS requires, in a county it serves, never later."""
    if not plan.counties.filter(pk=county.pk).exists():
        raise DomainError(f"{plan} does not serve {county}.", field="county")
    dhcs_date = pof.live_in_wpc_hhp_counties if county.has_wpc_or_hhp else pof.live_in_other_counties
    if start_date > dhcs_date:
        raise DomainError(
            f"DHCS requires {pof.name} in {county} by {dhcs_date:%Y-%m-%d}; a plan may start earlier, not later.",
            field="start_date",
        )


@transaction.atomic
def plan_pof_start_set(
    *, plan: HealthPlan, county: County, pof: PopulationOfFocus, start_date: date, actor
) -> PlanPofStart:
    """The plan starts a POF in a county earlier than DHCS requires (DOMAIN 3.4)."""
    require(actor, Capability.POF_STARTS_MANAGE, plan=plan)
    plan_pof_start_check(plan=plan, county=county, pof=pof, start_date=start_date)
    start, _ = PlanPofStart.objects.update_or_create(
        plan=plan, county=county, pof=pof, defaults={"start_date": start_date}
    )
    audit_record(
        code="eligibility.pof_start.set",
        plan=plan,
        actor=actor,
        target=start,
        payload={"county": county.code, "pof": pof.code, "start_date": str(start_date)},
    )
    return start
