"""A Community Support's limits checked before approval (DOMAIN 9), against the member's other
authorizations of the plan; the rules are `benefits.limits`'.

An authorization counts once it was granted: presumptive, approved, active, discontinued, or ended
after approval. Its days are its authorized period, cut at a discontinuation's effective date; its
quantity is what was authorized. Deliveries are weighed again, against the deliveries, when they are
recorded (community_supports).
"""

from datetime import date, timedelta

from django.db.models import Q

from authorizations.models import AuthorizationRequest, Status
from benefits import limits
from benefits.models import CatalogueService, ServiceKind, ServiceLimit
from benefits.selectors import in_force, limits_of
from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from members.models import Member

# Granted: services given or authorized (an ended request counts when it had been approved).
COUNTED = Q(status__in=[Status.PRESUMPTIVE, Status.APPROVED, Status.ACTIVE, Status.DISCONTINUED]) | Q(
    status=Status.ENDED, decided_at__isnull=False, withdrawal_reason="", denial_reason=""
)


def request_use(request: AuthorizationRequest) -> limits.Use:
    """The request's days and quantity as a `limits.Use`."""
    end = request.service_to
    if end and request.discontinuation_effective_on and request.status == Status.DISCONTINUED:
        end = min(end, request.discontinuation_effective_on - timedelta(days=1))
    return limits.Use(service=request.service.code, start=request.service_from, end=end, quantity=request.quantity)


def counted_uses(*, plan: HealthPlan, member: Member, exclude=None) -> list[limits.Use]:
    """The member's granted Community Supports authorizations in the plan, as uses."""
    requests = (
        AuthorizationRequest.objects.filter(
            COUNTED, plan=plan, member=member, service__kind=ServiceKind.COMMUNITY_SUPPORT
        )
        .select_related("service")
        .order_by("service_from", "pk")
    )
    if exclude is not None:
        requests = requests.exclude(pk=exclude.pk)
    return [request_use(request) for request in requests]


def _rules(service: CatalogueService, on: date) -> list[limits.Rule]:
    return [limits.Rule.of(limit) for limit in limits_of(service, on)]


def request_limits(*, plan: HealthPlan, request: AuthorizationRequest) -> list[limits.Finding]:
    """Each limit of the request's service weighed for its period and quantity: what the member's
    other authorizations used, what this one asks, what remains (shown on the request)."""
    if request.service.kind != ServiceKind.COMMUNITY_SUPPORT:
        return []
    on = request.service_from or clocks.local_date(request.received_at)
    history = counted_uses(plan=plan, member=request.member, exclude=request)
    return [limits.check(rule, request_use(request), history) for rule in _rules(request.service, on)]


def require_within_limits(*, plan: HealthPlan, request: AuthorizationRequest, override_reason: str) -> None:
    """Before approval (DOMAIN 9): a limit without exceptions stops it; one that allows exceptions
    passes with a reason."""
    limits.refuse_passed(
        request_limits(plan=plan, request=request),
        override_reason=override_reason,
        days_field="service_to",
        quantity_field="quantity",
    )


def member_allowances(
    *, plan: HealthPlan, member: Member, on: date | None = None
) -> list[tuple[CatalogueService, list[limits.Finding]]]:
    """What remains of each limited Community Support for the member on `on` (today by default):
    the member's page. Three queries, whatever the services."""
    on = on or clocks.local_date(clocks.now())
    history = counted_uses(plan=plan, member=member)
    by_service: dict[str, list[limits.Rule]] = {}
    for limit in ServiceLimit.objects.filter(in_force(on)).prefetch_related("services"):
        rule = limits.Rule.of(limit)
        for code in rule.services:
            by_service.setdefault(code, []).append(rule)
    services = CatalogueService.objects.filter(kind=ServiceKind.COMMUNITY_SUPPORT, code__in=by_service)
    return [
        (service, [limits.allowance(rule, history, on) for rule in by_service[service.code]])
        for service in services.order_by("position")
    ]
