"""Reads of Community Supports delivered (DOMAIN 9): the plan's deliveries, a request's, a member's,
and the provider axis (the organization's own, in the plans contracting with it).

Plan staff read the plan's rows (DELIVERIES_READ); provider staff read only what their organization
delivered and the authorizations it was placed for, filtered by organization and plan, so another
organization's row is missing (404) like one that does not exist.
"""

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from authorizations.models import AuthorizationRequest, Status
from authorizations.selectors import community_supports_of_provider
from benefits.models import ServiceKind
from community_supports.models import Delivery
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan

ZERO = Decimal(0)


def delivery_list(*, plan: HealthPlan) -> QuerySet[Delivery]:
    return Delivery.objects.filter(plan=plan).select_related(
        "member", "request__service", "organization", "recorded_by"
    )


def deliveries_visible(*, plan: HealthPlan, principal: Principal) -> QuerySet[Delivery]:
    """The plan's deliveries the principal may read: all of them for plan staff, its own
    organization's for provider staff."""
    require(principal, Capability.DELIVERIES_READ, plan=plan)
    deliveries = delivery_list(plan=plan)
    return deliveries.filter(organization_id=principal.organization_id) if principal.is_provider else deliveries


def deliveries_of_request(*, plan: HealthPlan, principal: Principal, request: AuthorizationRequest):
    return deliveries_visible(plan=plan, principal=principal).filter(request=request)


def deliveries_of_member(*, plan: HealthPlan, principal: Principal, member) -> QuerySet[Delivery]:
    return deliveries_visible(plan=plan, principal=principal).filter(member=member)


def delivered_totals(*, plan: HealthPlan, request_ids) -> dict[int, Decimal]:
    """The quantity delivered so far under each request (a request with no delivery is absent)."""
    rows = (
        Delivery.objects.filter(plan=plan, request_id__in=list(request_ids))
        .order_by()
        .values("request_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["request_id"]: row["total"] or ZERO for row in rows}


def community_supports_of_plan(*, plan: HealthPlan) -> QuerySet[AuthorizationRequest]:
    """The plan's Community Supports requests, with their service, member and provider."""
    return AuthorizationRequest.objects.filter(plan=plan, service__kind=ServiceKind.COMMUNITY_SUPPORT).select_related(
        "member", "service", "service_assignment__organization"
    )


def community_supports_of_member(*, plan: HealthPlan, member) -> QuerySet[AuthorizationRequest]:
    """The member's Community Supports requests, newest first, each with the quantity `delivered`
    under it (None before any delivery)."""
    requests = community_supports_of_plan(plan=plan).filter(member=member)
    return requests.annotate(delivered=Sum("deliveries__quantity")).order_by("-received_at", "-id")


def provider_deliveries(*, principal: Principal, plan_code: str | None = None) -> QuerySet[Delivery]:
    """The organization's deliveries in the plans contracting with it (optionally one plan's)."""
    require(principal, Capability.DELIVERIES_READ, plan=None, organization=principal.organization_id)
    deliveries = Delivery.objects.filter(
        plan_id__in=principal.plan_ids, organization_id=principal.organization_id
    ).select_related("plan", "member", "request__service", "organization", "recorded_by")
    return deliveries.filter(plan__code=plan_code) if plan_code else deliveries


def provider_placements(*, principal: Principal, plan_code: str | None = None) -> QuerySet[AuthorizationRequest]:
    """The active Community Supports the organization's members are placed with it for (its open
    service assignments), in the plans contracting with it: what its staff record deliveries of."""
    require(principal, Capability.DELIVERIES_READ, plan=None, organization=principal.organization_id)
    return (
        community_supports_of_provider(principal=principal, plan_code=plan_code)
        .filter(status=Status.ACTIVE)  # a placement past its last day still takes its late reports
        .select_related("service_assignment__organization")
    )


def provider_placement_get(*, principal: Principal, pk) -> AuthorizationRequest:
    """One of the organization's placements, or 404 for another organization's and a missing one."""
    request = provider_placements(principal=principal).filter(pk=pk).first()
    if request is None:
        raise Http404("No such Community Support among your organization's members.")
    return request


def recordable_request_get(*, plan: HealthPlan, pk) -> AuthorizationRequest:
    """The plan's Community Supports request, or 404 (an ECM request, a missing or another plan's)."""
    request = community_supports_of_plan(plan=plan).filter(pk=pk).first()
    if request is None:
        raise Http404("No such Community Supports request.")
    return request
