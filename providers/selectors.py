from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from eligibility.selectors import determination_list
from members.models import Member
from providers.models import (
    Assignment,
    CareManager,
    Contract,
    ProviderChangeRequest,
    ProviderOrganization,
    VettingCheck,
)


def organization_list() -> QuerySet[ProviderOrganization]:
    """The directory of organizations (shared records; no plan's contract data)."""
    return ProviderOrganization.objects.prefetch_related("counties", "pof_experience")


def contracted_organizations(*, plan: HealthPlan) -> QuerySet[ProviderOrganization]:
    return organization_list().filter(contracts__plan=plan).distinct()


def contract_list(*, plan: HealthPlan) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(plan=plan)
        .select_related("organization")
        .prefetch_related("counties", "pofs")
        .annotate(assigned=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
    )


def open_on(day: date, prefix: str = "") -> Q:
    """Assignments holding their place on `day`: started by then and not ended before (DOMAIN 7)."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


def open_assignment(*, plan: HealthPlan, member: Member, on: date | None = None) -> Assignment | None:
    """The member's ECM Provider on `on` (default today): the newest assignment open that day."""
    day = on or clocks.local_date(clocks.now())
    return (
        Assignment.objects.filter(plan=plan, member=member)
        .filter(open_on(day))
        .select_related("organization", "contract", "lead_care_manager")
        .order_by("-started_on", "-pk")
        .first()
    )


def care_manager_list(*, plan: HealthPlan) -> QuerySet[CareManager]:
    """Care managers at the plan's contracted organizations, with their caseload in this plan only."""
    return (
        CareManager.objects.filter(organization__contracts__plan=plan)
        .distinct()
        .select_related("organization")
        .annotate(
            caseload=Count(
                "assignments",
                filter=Q(assignments__plan=plan, assignments__ended_on__isnull=True),
                distinct=True,
            )
        )
    )


def assignment_list(*, plan: HealthPlan) -> QuerySet[Assignment]:
    return Assignment.objects.filter(plan=plan).select_related("member", "organization", "lead_care_manager")


def organization_get_contracted(*, plan: HealthPlan, pk) -> ProviderOrganization:
    organization = contracted_organizations(plan=plan).filter(pk=pk).first()
    if organization is None:
        raise Http404("No such provider among the plan's contracts.")
    return organization


def capacity_grid(*, plan: HealthPlan) -> dict:
    """Counties by POFs: contracted capacity, members assigned, members identified (DOMAIN 7).

    A contract covering several counties or POFs offers its capacity in each of them, so the cells
    are upper bounds on what can be assigned there, not shares of one pool.
    """
    capacity = defaultdict(int)
    for contract in contract_list(plan=plan).filter(end_date__isnull=True):
        for county in contract.counties.all():
            for pof in contract.pofs.all():
                capacity[county.code, pof.code] += contract.capacity
    open_pofs = determination_list(plan=plan).filter(end_date__isnull=True)
    assigned_members = Assignment.objects.filter(plan=plan, ended_on__isnull=True).values("member_id")

    def counts(determinations):
        rows = determinations.values("member__county__code", "pof__code").annotate(
            members=Count("member", distinct=True)
        )
        return {(row["member__county__code"], row["pof__code"]): row["members"] for row in rows}

    return {
        "capacity": dict(capacity),
        "assigned": counts(open_pofs.filter(member_id__in=assigned_members)),
        "identified": counts(open_pofs),
    }


def vetting_checks(*, plan: HealthPlan, organization: ProviderOrganization) -> QuerySet[VettingCheck]:
    return VettingCheck.objects.filter(plan=plan, organization=organization).select_related("reviewer")


def change_request_list(*, plan: HealthPlan) -> QuerySet[ProviderChangeRequest]:
    return ProviderChangeRequest.objects.filter(plan=plan).select_related("member", "requested_organization")
