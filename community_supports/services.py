"""Recording a Community Support delivered (DOMAIN 9): what the member received under an active
authorization, inside its authorized period and quantity, and then weighed again against the
service's limits ("checked again before a service is recorded as delivered") with the member's
other deliveries as the history.

Who records: the plan's coordinators and integrators (DELIVERIES_RECORD), or the staff of the
provider the approval placed the member with (PROVIDER_DELIVERIES_RECORD, their organization only).
The member's row is locked while a delivery is weighed, so two deliveries recorded at once cannot
both fit under what only one of them may take.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from authorizations.models import AuthorizationRequest, Status
from benefits import limits
from benefits.models import LimitType, ServiceKind
from benefits.selectors import limits_of
from community_supports.models import Delivery
from community_supports.selectors import delivered_totals
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member

ZERO = Decimal(0)


def require_recorder(actor, *, plan: HealthPlan, request: AuthorizationRequest):
    """Plan staff holding DELIVERIES_RECORD, or staff of the request's own provider holding
    PROVIDER_DELIVERIES_RECORD: another provider's staff are refused like a role without it."""
    principal = principal_for(actor, plan)
    if principal is None or not principal.is_provider:
        return require(actor, Capability.DELIVERIES_RECORD, plan=plan)
    require(principal, Capability.PROVIDER_DELIVERIES_RECORD, plan=plan)  # the role first: the request next
    assignment = request.service_assignment
    if assignment is None or assignment.organization_id != principal.organization_id:
        raise ActionNotPermitted("Only the provider this Community Support was placed with records its deliveries.")
    return require(principal, Capability.PROVIDER_DELIVERIES_RECORD, plan=plan, organization=assignment.organization_id)


@dataclass(frozen=True)
class QuantityTerms:
    """What a quantity of the service counts, as its limits name it ("hours", "USD", "meals a day"),
    and whether it is per day (meals a day): then a delivery's quantity is per day too, compared
    with the authorized one instead of adding up."""

    unit: str
    per_day: bool


def quantity_terms(service, on: date) -> QuantityTerms:
    counted = [limit for limit in limits_of(service, on) if limit.limit_type in limits.QUANTITY_LIMITS]
    if not counted:
        return QuantityTerms(unit="", per_day=False)
    per_day = counted[0].limit_type == LimitType.PER_DAY_COUNT
    unit = counted[0].unit.split(" (")[0]
    return QuantityTerms(unit=f"{unit} a day" if per_day else unit, per_day=per_day)


def _check_request(request: AuthorizationRequest) -> None:
    if request.service.kind != ServiceKind.COMMUNITY_SUPPORT:
        raise DomainError("Deliveries are recorded for Community Supports only.", field="request")
    if request.status != Status.ACTIVE or request.services_started_on is None:
        raise DomainError(
            f"Services have not started under this authorization ({request.get_status_display()}): "
            "a delivery is recorded once it is active.",
            field="request",
            code="not_active",
        )
    if request.service_assignment_id is None:
        raise DomainError("No provider is placed for this Community Support yet.", field="request", code="no_provider")


def _check_days(request: AuthorizationRequest, delivered_from: date, delivered_to: date, today: date) -> None:
    if delivered_to < delivered_from:
        raise DomainError("The last day is before the first.", field="delivered_to")
    if delivered_to > today:
        raise DomainError(
            "A delivery is recorded once it happened: the last day is in the future.", field="delivered_to"
        )
    first = max(day for day in (request.service_from, request.services_started_on) if day is not None)
    if delivered_from < first:
        raise DomainError(
            f"The authorization covers services from {first:%Y-%m-%d}: the delivery starts earlier.",
            field="delivered_from",
            code="outside_period",
        )
    if request.service_to is not None and delivered_to > request.service_to:
        raise DomainError(
            f"The authorization covers services until {request.service_to:%Y-%m-%d}: the delivery ends later.",
            field="delivered_to",
            code="outside_period",
        )


def _check_quantity(request: AuthorizationRequest, quantity: Decimal | None, delivered: Decimal, per_day: bool):
    if quantity is not None and quantity <= ZERO:
        raise DomainError("A quantity delivered is more than zero.", field="quantity")
    if request.quantity is None:
        return
    if quantity is None:
        raise DomainError(f"Give the quantity delivered (authorized: {request.quantity:f}).", field="quantity")
    if per_day and quantity > request.quantity:
        raise DomainError(
            f"{quantity:f} a day is more than the {request.quantity:f} a day authorized.",
            field="quantity",
            code="above_authorized",
        )
    if not per_day and delivered + quantity > request.quantity:
        raise DomainError(
            f"{request.quantity:f} authorized, {delivered:f} delivered already: {quantity:f} more is above it "
            f"({request.quantity - delivered:f} left).",
            field="quantity",
            code="above_authorized",
        )


def _uses_under(rule: limits.Rule, request: AuthorizationRequest, proposed: limits.Use, deliveries: list[Delivery]):
    """The proposed delivery and its history as `rule` weighs them. A lifetime count counts
    authorizations, not delivery rows: the history is one use per other request, and a request
    already delivered is not a new time. A maximum duration is the request's whole delivered span."""
    history = [limits.Use(d.request.service.code, d.delivered_from, d.delivered_to, d.quantity) for d in deliveries]
    mine = [d for d in deliveries if d.request_id == request.pk]
    if rule.limit_type == LimitType.LIFETIME_COUNT:
        if mine:
            return None
        others = {
            d.request_id: limits.Use(d.request.service.code, d.delivered_from, d.delivered_to) for d in deliveries
        }
        return proposed, list(others.values())
    if rule.limit_type == LimitType.MAX_DURATION and mine:
        start = min(proposed.start, *(d.delivered_from for d in mine))
        end = max(proposed.end, *(d.delivered_to for d in mine))
        return limits.Use(proposed.service, start, end, proposed.quantity), history
    return proposed, history


def delivery_limits(
    *, plan: HealthPlan, request: AuthorizationRequest, delivered_from: date, delivered_to: date, quantity
) -> list[limits.Finding]:
    """Each limit of the request's service weighed for the delivery, the member's other deliveries
    in the plan (of every Community Support: a combined cap spans services) as the history."""
    deliveries = list(
        Delivery.objects.filter(plan=plan, member_id=request.member_id).select_related("request__service")
    )
    proposed = limits.Use(request.service.code, delivered_from, delivered_to, quantity)
    findings = []
    for limit in limits_of(request.service, delivered_from):
        rule = limits.Rule.of(limit)
        weighed = _uses_under(rule, request, proposed, deliveries)
        if weighed is not None:
            findings.append(limits.check(rule, *weighed))
    return findings


def delivery_record(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    delivered_from: date,
    delivered_to: date,
    quantity: Decimal | None = None,
    limit_override_reason: str = "",
    notes: str = "",
) -> Delivery:
    """Record what the member received under an active Community Support authorization (DOMAIN 9)."""
    principal = require_recorder(actor, plan=plan, request=request)
    require_same_plan(plan, request, field="request")
    if len(notes) > 2000:
        raise DomainError("Notes are at most 2000 characters.", field="notes")
    with transaction.atomic():
        Member.objects.select_for_update().filter(plan=plan, pk=request.member_id).first()
        request = (
            AuthorizationRequest.objects.select_related("service", "service_assignment")
            .filter(plan=plan, pk=request.pk)
            .get()
        )
        _check_request(request)
        placement = request.service_assignment
        if placement.ended_on is not None and delivered_to > placement.ended_on:
            raise DomainError(
                f"The placement with this provider ends on {placement.ended_on:%Y-%m-%d}: no delivery after it.",
                field="delivered_to",
                code="placement_ended",
            )
        _check_days(request, delivered_from, delivered_to, clocks.local_date(clocks.now()))
        delivered = delivered_totals(plan=plan, request_ids=[request.pk]).get(request.pk, ZERO)
        _check_quantity(request, quantity, delivered, quantity_terms(request.service, delivered_from).per_day)
        findings = delivery_limits(
            plan=plan, request=request, delivered_from=delivered_from, delivered_to=delivered_to, quantity=quantity
        )
        limits.refuse_passed(
            findings, override_reason=limit_override_reason, days_field="delivered_to", quantity_field="quantity"
        )
        passed = [finding.label for finding in findings if finding.exceeded]
        delivery = Delivery.objects.create(
            plan=plan,
            request=request,
            member_id=request.member_id,
            organization_id=request.service_assignment.organization_id,
            delivered_from=delivered_from,
            delivered_to=delivered_to,
            quantity=quantity,
            limit_override_reason=limit_override_reason.strip() if passed else "",
            notes=notes,
            recorded_by=actor_user(principal),
            recorded_at=clocks.now(),
        )
        audit_record(
            code="community_supports.delivery.recorded",
            plan=plan,
            actor=principal,
            target=delivery,
            payload={
                "request": request.pk,
                "service": request.service.code,
                "delivered_from": delivered_from.isoformat(),
                "delivered_to": delivered_to.isoformat(),
                "quantity": None if quantity is None else str(quantity),
                "limits_passed_with_reason": passed,
            },
        )
    return delivery
