"""Reads for provider staff: the second tenancy axis (ARCHITECTURE.md, Tenancy and Access).

A provider principal acts in the plans contracting with its organization today. Its queries run in
a scope admitting exactly those plans and filter by organization *and* plan explicitly; none runs
with the scope disabled. A member is visible while the member's plan assigns them to the
organization (a current assignment, DOMAIN 7); another organization's member, or a plan without a
contract in force, is missing alike (404).
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.scoping import across_plans
from providers.models import Assignment, Contract, ProviderApiKey, ProviderMembership, ProviderOrganization


def in_force_on(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def contracting_plan_ids(*, organization: ProviderOrganization | int, day: date) -> frozenset[int]:
    """The active plans with a contract (of any service) in force with the organization on `day`.

    It decides a provider principal's scope, so it is read before any scope exists."""
    organization_id = getattr(organization, "pk", organization)
    with across_plans(
        reason="the plans contracting with a provider organization, to scope its staff", resolving_identity=True
    ):
        return frozenset(
            Contract.objects.filter(in_force_on(day), organization_id=organization_id, plan__is_active=True)
            .values_list("plan_id", flat=True)
            .distinct()
        )


def principal_of_provider_membership(provider_membership: ProviderMembership, *, day: date) -> Principal:
    return Principal.of_provider_membership(
        provider_membership,
        plan_ids=contracting_plan_ids(organization=provider_membership.organization_id, day=day),
    )


def provider_membership_of_user(*, user) -> ProviderMembership | None:
    """The user's active provider membership at an active organization (identity: no scope needed)."""
    if not user.is_authenticated:
        return None
    return (
        ProviderMembership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("user", "organization")
        .first()
    )


def assignment_list_of_provider(
    *, principal: Principal, plan_code: str | None = None, day: date | None = None
) -> QuerySet[Assignment]:
    """The organization's current assignments in the principal's plans (optionally one plan's),
    each under a contract still in force: a plan's other contract with the organization (another
    service, say) does not bring back the members of one that ended."""
    require(principal, Capability.ASSIGNED_MEMBERS_READ, plan=None, organization=principal.organization_id)
    day = day or clocks.local_date(clocks.now())
    in_force = Q(contract__start_date__lte=day) & (Q(contract__end_date__isnull=True) | Q(contract__end_date__gte=day))
    assignments = Assignment.objects.filter(
        in_force, organization_id=principal.organization_id, plan_id__in=principal.plan_ids, ended_on__isnull=True
    ).select_related("member", "plan", "lead_care_manager")
    return assignments.filter(plan__code=plan_code) if plan_code else assignments


def assigned_member_get(*, principal: Principal, member_id) -> Assignment:
    """The current assignment of one member to the principal's organization, or 404 for a member
    that is missing, assigned elsewhere, or of a plan not contracting with the organization."""
    assignment = assignment_list_of_provider(principal=principal).filter(member_id=member_id).first()
    if assignment is None:
        raise Http404("No such member among your organization's assignments.")
    return assignment


def provider_membership_list(*, organization_id: int) -> QuerySet[ProviderMembership]:
    return ProviderMembership.objects.filter(organization_id=organization_id).select_related("user")


def provider_membership_get(*, organization_id: int, pk) -> ProviderMembership:
    provider_membership = provider_membership_list(organization_id=organization_id).filter(pk=pk).first()
    if provider_membership is None:
        raise Http404("No such provider staff member.")
    return provider_membership


def provider_api_key_list(*, organization_id: int) -> QuerySet[ProviderApiKey]:
    return ProviderApiKey.objects.filter(organization_id=organization_id).select_related("provider_membership__user")


def provider_api_key_get(*, organization_id: int, prefix) -> ProviderApiKey:
    api_key = provider_api_key_list(organization_id=organization_id).filter(prefix=prefix).first()
    if api_key is None:
        raise Http404("No such API key.")
    return api_key
