"""Reads of encounters (DOMAIN 10, 11): the plan's list and one encounter for whoever may read
them, the coding guidance as the invoice rules need it, and the per-member counts of the quarterly
report (in person; telephonic or telehealth)."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from benefits.models import ECM_CODE, ServiceCode, ServiceKind
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from encounters import rules
from encounters.invoice_lines import line_key
from encounters.models import Encounter


def encounter_list(*, plan: HealthPlan) -> QuerySet[Encounter]:
    return Encounter.objects.filter(plan=plan).select_related("member", "organization", "service")


def encounters_visible(*, plan: HealthPlan, principal: Principal) -> QuerySet[Encounter]:
    require(principal, Capability.ENCOUNTERS_READ, plan=plan)
    return encounter_list(plan=plan)


def encounter_get(*, plan: HealthPlan, principal: Principal, pk) -> Encounter:
    """One of the plan's encounters, or 404 (a missing one and another plan's alike)."""
    encounter = encounters_visible(plan=plan, principal=principal).filter(pk=pk).first()
    if encounter is None:
        raise Http404("No such encounter.")
    return encounter


def provider_encounters(*, principal: Principal, plan_code: str | None = None) -> QuerySet[Encounter]:
    """The organization's encounters in the plans contracting with it (optionally one plan's)."""
    require(principal, Capability.ENCOUNTERS_READ, plan=None, organization=principal.organization_id)
    encounters = Encounter.objects.filter(
        plan_id__in=principal.plan_ids, organization_id=principal.organization_id
    ).select_related("plan", "member", "organization", "service")
    return encounters.filter(plan__code=plan_code) if plan_code else encounters


def encounter_of_invoice_line(*, plan: HealthPlan, principal: Principal, npi: str, invoice_number: str, line_number):
    """The encounter an invoice line became, or 404."""
    key = line_key(npi, invoice_number, line_number)
    encounter = encounters_visible(plan=plan, principal=principal).filter(idempotency_key=key).first()
    if encounter is None:
        raise Http404("No such invoice line.")
    return encounter


def code_pairs() -> tuple[dict[str, list[rules.CodePair]], frozenset[str]]:
    """Every (HCPCS code, modifiers) pair of the coding guidance by code, and every modifier it
    uses: one query for a whole file."""
    pairs: dict[str, list[rules.CodePair]] = {}
    for code in ServiceCode.objects.select_related("service"):
        pairs.setdefault(code.hcpcs, []).append(
            rules.CodePair(
                pk=code.pk, service_id=code.service_id, service_code=code.service.code,
                is_community_support=code.service.kind == ServiceKind.COMMUNITY_SUPPORT, hcpcs=code.hcpcs,
                modifiers=frozenset(code.modifiers.split()), written=code.modifiers, unit=code.unit, guidance_version=code.guidance_version,
                effective_from=code.effective_from, effective_to=code.effective_to,
            )
        )  # fmt: skip
    known = frozenset(m for listed in pairs.values() for pair in listed for m in pair.modifiers)
    return pairs, known


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def ecm_encounter_counts(*, plan: HealthPlan, principal: Principal, year: int, quarter: int) -> QuerySet:
    """Per member, the quarter's ECM encounters in person and telephonic or telehealth (GQ), for the
    quarterly report's member tab (DOMAIN 10): one aggregate query, rows {member_id, member__cin,
    in_person_encounters, telephonic_encounters, outreach_attempts}. Outreach attempts (U8) are counted apart, in `outreach_attempts`."""
    require(principal, Capability.ENCOUNTERS_READ, plan=plan)
    first, last = quarter_days(year, quarter)
    outreach = Q(service_code__modifiers__contains="U8")
    return (
        Encounter.objects.filter(plan=plan, service__code=ECM_CODE, service_from__range=(first, last))
        .order_by("member_id")
        .values("member_id", "member__cin")
        .annotate(
            in_person_encounters=Count("pk", filter=Q(in_person=True) & ~outreach),
            telephonic_encounters=Count("pk", filter=Q(in_person=False) & ~outreach),
            outreach_attempts=Count("pk", filter=outreach),
        )
    )
