"""Tenant-scoped reads for authorizations: requests and their worklists, notices, appeals,
grievances, and a request's history from the audit trail."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from authorizations.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    PLACEABLE_STATUSES,
    Appeal,
    AuthorizationRequest,
    Grievance,
    Notice,
    RequestAttachment,
    RequesterChannel,
    RequesterNotice,
    RequestSource,
    Status,
)
from benefits.models import ECM_CODE, ServiceKind
from ecm_platform.audit.models import AuditEvent
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan

# Community Supports approved while no contracted provider had room, still without one (DOMAIN 9).
AWAITING_PROVIDER = Q(status__in=PLACEABLE_STATUSES, service_assignment__isnull=True) & ~Q(service__code=ECM_CODE)


def request_list(*, plan: HealthPlan) -> QuerySet[AuthorizationRequest]:
    return (
        AuthorizationRequest.objects.filter(plan=plan)
        .select_related(
            "member__county", "service", "requester_organization", "decided_by", "service_assignment__organization"
        )
        .prefetch_related("pofs")
    )


def request_get(*, plan: HealthPlan, pk) -> AuthorizationRequest:
    """The plan's request, or 404 for a missing one and another plan's alike."""
    request = request_list(plan=plan).filter(pk=pk).first()
    if request is None:
        raise Http404("No such request.")
    return request


def by_due(requests: QuerySet[AuthorizationRequest]) -> QuerySet[AuthorizationRequest]:
    """Requests by due instant, undated last (`due_sort`, then id): the order the indexes serve."""
    return requests.order_by("due_sort", "id")


def live_request_of(*, plan: HealthPlan, member, service) -> AuthorizationRequest | None:
    """The member's request for the service (a catalogue row or its code) that is open, approved or
    active, if any."""
    by_service = {"service__code": service} if isinstance(service, str) else {"service": service}
    return (
        AuthorizationRequest.objects.filter(plan=plan, member=member, status__in=LIVE_STATUSES, **by_service)
        .order_by("id")
        .first()
    )


def request_worklist(
    *,
    plan: HealthPlan,
    urgency: str = "",
    county: str = "",
    pof: str = "",
    source: str = "",
    due_before: datetime | None = None,
) -> QuerySet[AuthorizationRequest]:
    """Open requests, the most urgent first: by due instant (DOMAIN 5.1)."""
    requests = request_list(plan=plan).filter(status__in=OPEN_STATUSES)
    if urgency:
        requests = requests.filter(urgency=urgency)
    if county:
        requests = requests.filter(member__county__code=county)
    if pof:
        requests = requests.filter(pofs__code=pof).distinct()
    if source:
        requests = requests.filter(source=source)
    if due_before:
        requests = requests.filter(due_at__lt=due_before)
    return by_due(requests)


def reassessments_due(*, plan: HealthPlan) -> QuerySet[AuthorizationRequest]:
    """Transition members still active whose six-month reassessment is not recorded (DOMAIN 3.5)."""
    return (
        request_list(plan=plan)
        .filter(source=RequestSource.TRANSITION, status=Status.ACTIVE, reassessed_on__isnull=True)
        .order_by("reassessment_due", "id")
    )


def awaiting_service_provider(*, plan: HealthPlan) -> QuerySet[AuthorizationRequest]:
    """Community Supports approved while no contracted provider of the service in the member's
    county had room (DOMAIN 9): the approval stands and the member waits for a place, the oldest
    request first."""
    return request_list(plan=plan).filter(AWAITING_PROVIDER).order_by("id")


def notice_list(*, plan: HealthPlan) -> QuerySet[Notice]:
    return Notice.objects.filter(plan=plan).select_related("member", "request").defer("pdf")


def notice_get(*, plan: HealthPlan, pk) -> Notice:
    notice = Notice.objects.filter(plan=plan, pk=pk).select_related("member", "request").first()
    if notice is None:
        raise Http404("No such notice.")
    return notice


def attachment_list(*, plan: HealthPlan) -> QuerySet[RequestAttachment]:
    return RequestAttachment.objects.filter(plan=plan).defer("content").select_related("uploaded_by")


def appeal_list(*, plan: HealthPlan) -> QuerySet[Appeal]:
    return Appeal.objects.filter(plan=plan).select_related("member", "notice", "request")


def grievance_list(*, plan: HealthPlan) -> QuerySet[Grievance]:
    return Grievance.objects.filter(plan=plan).select_related("member", "request")


def request_history(*, plan: HealthPlan, request: AuthorizationRequest) -> QuerySet[AuditEvent]:
    """Who did what to the request, when and why: its audit events, oldest first."""
    return AuditEvent.objects.filter(
        plan=plan, target_type=AuthorizationRequest._meta.label_lower, target_id=str(request.pk)
    ).order_by("at", "id")


def notices_held(*, plan: HealthPlan) -> QuerySet[Notice]:
    """Notices whose letter waits for the plan's contact (DOMAIN 5.3)."""
    return notice_list(plan=plan).filter(held_since__isnull=False, released_at__isnull=True)


def requester_notices_of_provider(*, principal: Principal, plan_code: str | None = None) -> QuerySet[RequesterNotice]:
    """The decisions told in the portal to the principal's organization, in the plans it contracts
    with (DOMAIN 5.3): the provider axis, by organization and plan, never a disabled scope."""
    require(principal, Capability.ASSIGNED_MEMBERS_READ, plan=None, organization=principal.organization_id)
    told = RequesterNotice.objects.filter(
        organization_id=principal.organization_id, plan_id__in=principal.plan_ids, channel=RequesterChannel.IN_APP
    ).select_related("plan", "notice", "request__member")
    return told.filter(plan__code=plan_code) if plan_code else told


def presumptive_starts_of_provider(*, principal: Principal) -> QuerySet[AuthorizationRequest]:
    """The requests the principal's organization started presumptively, in the plans it contracts
    with (DOMAIN 5.2): the provider axis, by organization and plan."""
    return AuthorizationRequest.objects.filter(
        plan_id__in=principal.plan_ids,
        requester_organization_id=principal.organization_id,
        source=RequestSource.PRESUMPTIVE,
    ).select_related("plan", "member")


def community_supports_of_provider(*, principal: Principal, plan_code: str | None = None):
    """The Community Supports requests whose member a contracting plan placed with the principal's
    organization (DOMAIN 9: a Community Supports provider sees its own authorizations), placements
    ended included, newest first: the provider axis, by organization and plan, never a disabled scope."""
    require(principal, Capability.PROVIDER_REQUESTS_READ, plan=None, organization=principal.organization_id)
    requests = AuthorizationRequest.objects.filter(
        plan_id__in=principal.plan_ids,
        service__kind=ServiceKind.COMMUNITY_SUPPORT,
        service_assignment__organization_id=principal.organization_id,
    ).select_related("plan", "member", "service", "service_assignment")
    return (requests.filter(plan__code=plan_code) if plan_code else requests).order_by("-id")
