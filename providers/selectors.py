from django.db.models import Count, Q, QuerySet

from ecm_platform.tenancy.models import HealthPlan
from providers.models import Assignment, CareManager, Contract, ProviderOrganization


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
