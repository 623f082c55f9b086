"""The rules a Community Support adds to the DOMAIN 5 lifecycle (DOMAIN 9): its own clock and
period at receipt, the sobering-center retro rule, its eligibility checklist, the plan's election
and its limits at approval, and the member's place with a contracted provider of that service (a
ServiceAssignment, never the member's ECM Assignment)."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from authorizations.models import PLACEABLE_STATUSES, AuthorizationRequest, DenialReason, Urgency
from authorizations.services.common import _acting_as
from authorizations.services.limits import require_within_limits
from benefits.election_selectors import offered_services
from benefits.models import CatalogueService
from benefits.selectors import expedited_hours_of
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member
from members.selectors import active_on
from providers.models import AssignmentEndReason, Contract, ContractService, ProviderOrganization, ServiceAssignment
from providers.services import service_assignment_create, service_assignment_end, service_provider_for

# Denial reasons that speak of ECM's Populations of Focus and programs (DOMAIN 4), and those of a
# Community Support's own rules (DOMAIN 9): each service is denied in its own terms.
ECM_DENIAL_REASONS = {
    DenialReason.NO_POPULATION_OF_FOCUS,
    DenialReason.EXCLUDED_PROGRAM,
    DenialReason.DUPLICATIVE_PROGRAM,
}
SERVICE_DENIAL_REASONS = {
    DenialReason.SERVICE_CRITERIA_NOT_MET, DenialReason.SERVICE_NOT_OFFERED, DenialReason.SERVICE_LIMIT_REACHED,
}  # fmt: skip


def check_denial_reason(service: CatalogueService, reason: str) -> None:
    """ECM is denied for ECM's reasons, a Community Support for its own (and the shared ones)."""
    foreign = SERVICE_DENIAL_REASONS if service.is_ecm else ECM_DENIAL_REASONS
    if reason in foreign:
        raise DomainError(f"{DenialReason(reason).label} is not a reason to deny {service.name}.", field="reason")


def submitted_fields(
    *,
    plan: HealthPlan,
    service: CatalogueService,
    urgency: str,
    received_at: datetime,
    pofs,
    service_from: date | None,
    service_to: date | None,
    quantity: Decimal | None,
    service_began_at: datetime | None,
) -> dict:
    """A request's service fields and decision clock (DOMAIN 5.1, 9). ECM keeps its POFs and clock
    and takes none of a Community Support's fields; a Community Support takes no POFs, an urgent
    one is always expedited (FAQ 28) on the plan's clock for it, and only a sobering center may be
    asked for after the stay began (retroactive), never after the request's receipt."""
    asked = {"service_from": service_from, "service_to": service_to, "quantity": quantity}
    if service_began_at is not None and not service.allows_retroactive_authorization:
        raise DomainError(
            f"{service.name} is not authorized retroactively: only sobering center stays may be (DOMAIN 9).",
            field="service_began_at",
            code="retroactive_not_allowed",
        )
    if service.is_ecm:
        given = next((name for name, value in asked.items() if value is not None), None)
        if given:
            raise DomainError("An ECM request has no service period or quantity.", field=given)
        return {
            "urgency": urgency,
            "due_at": clocks.decision_due(
                plan=plan, received_at=received_at, is_expedited=urgency == Urgency.EXPEDITED
            ),
        }
    check_asked(pofs=pofs, **asked)
    if service_began_at is not None and service_began_at > received_at:
        raise DomainError(
            "A retroactive request is for a stay that began before the request was received.",
            field="service_began_at",
        )
    urgency = Urgency.EXPEDITED if service.urgent else urgency
    due_at = clocks.decision_due(
        plan=plan,
        received_at=received_at,
        is_expedited=urgency == Urgency.EXPEDITED,
        expedited_hours=expedited_hours_of(plan=plan, service=service),
    )
    return {"urgency": urgency, "due_at": due_at, "service_began_at": service_began_at, **asked}


def check_asked(*, pofs, service_from: date | None, service_to: date | None, quantity: Decimal | None) -> None:
    """What a Community Support asks for: no POFs (ECM's), a period running forward, a quantity."""
    if pofs:
        raise DomainError(
            "Populations of Focus are ECM's: a Community Support is decided on its own criteria.", field="pofs"
        )
    if service_from and service_to and service_to < service_from:
        raise DomainError("The service period ends before it starts.", field="service_to")
    if quantity is not None and quantity <= 0:
        raise DomainError("The quantity is more than zero.", field="quantity")


def presumptive_line(
    *, plan: HealthPlan, member, service: CatalogueService, organization: ProviderOrganization, on: date
) -> ContractService:
    """The line of the provider's presumptive-capable contract in force for `service` with room
    for the member in their county (DOMAIN 5.1, 9), or the refusal naming why."""
    capable = Contract.objects.filter(
        plan=plan, organization=organization, lines__service=service, is_presumptive_capable=True
    ).filter(active_on(on), activated_on__lte=on)  # activated: vetting complete (DOMAIN 7)
    if not capable.exists():
        raise DomainError(
            f"{organization.name} has no contract in force for {service.name} that allows presumptive authorization.",
            field="organization",
        )
    line = service_provider_for(plan=plan, member=member, service=service, on=on, preferred_organization=organization)
    if line is None or line.contract.organization_id != organization.pk or not line.contract.is_presumptive_capable:
        raise DomainError(
            f"{organization.name} has no place for {member.full_name} in {service.name} (no capacity left, or the "
            "member's county is not in its contract): presumptive services cannot start.",
            field="organization",
            code="no_capacity",
        )
    return line


def check_approvable(
    *, plan: HealthPlan, request: AuthorizationRequest, criteria_met: list[str], override_reason: str, on: date
) -> list[str]:
    """A Community Support is approved on its own checklist, every item attested (the same for
    every member in a county), where the plan offers it in the member's county that day, and
    within its limits (DOMAIN 9); returns the attested items in the catalogue's order."""
    service = request.service
    attested = [item.strip() for item in criteria_met if item.strip()]
    unknown = [item for item in attested if item not in service.eligibility_criteria]
    if unknown:
        raise DomainError(f"Not a criterion of {service.name}: {'; '.join(unknown)}.", field="criteria_met")
    missing = [item for item in service.eligibility_criteria if item not in attested]
    if missing:
        raise DomainError(
            f"Attest every eligibility criterion of {service.name}; missing: {'; '.join(missing)}.",
            field="criteria_met",
            code="criteria_not_met",
        )
    require_offered(plan=plan, request=request, on=on)
    # Two reviewers approving a member's services at once queue here: the limits see each other.
    Member.objects.select_for_update().filter(pk=request.member_id).first()
    require_within_limits(plan=plan, request=request, override_reason=override_reason)
    return [item for item in service.eligibility_criteria if item in attested]


def require_offered(*, plan: HealthPlan, request: AuthorizationRequest, on: date) -> None:
    """The plan offers the service in the member's county (DOMAIN 9) on `on` and, when the request
    names its period, on its first and last days too (a removal falls on 1 January)."""
    county, service = request.member.county, request.service
    days = sorted({on, *(day for day in (request.service_from, request.service_to) if day and day >= on)})
    for day in days:
        if not offered_services(plan=plan, county=county, on=day).filter(pk=service.pk).exists():
            raise DomainError(
                f"{plan} does not offer {service.name} in {county} on {day:%Y-%m-%d}.",
                field="service_to" if day != on else "service",
                code="service_not_offered",
            )


def _place(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    on: date,
    line: ContractService | None = None,
    preferred_organization: ProviderOrganization | None = None,
) -> ServiceAssignment | None:
    """Place the member with a contracted provider of the request's service in their county
    (DOMAIN 9): `line`, or one found by `service_provider_for`. None when no line has room: the
    approval stands (the decision clock is the law) and the request shows no provider yet."""
    line = line or service_provider_for(
        plan=plan, member=request.member, service=request.service, on=on, preferred_organization=preferred_organization
    )
    if line is None:
        audit_record(
            code="authorizations.request.service_provider_pending",
            plan=plan,
            actor=actor,
            target=request,
            payload={"service": request.service.code},
        )
        return None
    placement = service_assignment_create(
        plan=plan,
        actor=_acting_as(actor, plan, "assignment", Capability.ASSIGNMENTS_CREATE),
        member=request.member,
        line=line,
        started_on=on,
        until=request.service_to,
    )
    AuthorizationRequest.objects.filter(pk=request.pk).update(service_assignment=placement)
    request.service_assignment = placement
    return placement


def _end_placement(*, plan: HealthPlan, actor, request: AuthorizationRequest, on: date, reason: AssignmentEndReason):
    """End the request's own provider placement, if it has an open one; the member's ECM
    Assignment and their other services are not this request's."""
    placement = request.service_assignment
    if placement is None or (placement.ended_on is not None and placement.ended_on <= on):
        return
    service_assignment_end(
        plan=plan, actor=_acting_as(actor, plan, "ending", Capability.ASSIGNMENTS_END), assignment=placement,
        on=on, reason=reason,
    )  # fmt: skip


def check_startable(*, request: AuthorizationRequest, started_on: date) -> None:
    """Services of a Community Support start with its provider placement (DOMAIN 9; no Lead Care
    Manager), not before it began, except a retroactive sobering stay, on the stay's day."""
    placement = request.service_assignment
    if placement is None or placement.has_ended_by(started_on):
        raise DomainError(
            f"Place the member with a {request.service.name} provider before services start.",
            field="service_assignment",
            code="no_assignment",
        )
    earliest = placement.started_on
    if request.service_began_at is not None:
        earliest = min(earliest, clocks.local_date(request.service_began_at))
    if started_on < earliest:
        raise DomainError(f"Services cannot start before {earliest:%Y-%m-%d}.", field="started_on")


@transaction.atomic
def request_assign_service_provider(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, organization: ProviderOrganization | None = None
) -> AuthorizationRequest:
    """An approved or active Community Support without a provider gets one later (DOMAIN 9):
    `organization` when its line in the member's county has room, else the first with room."""
    require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    require_same_plan(plan, request)
    request = (
        AuthorizationRequest.objects.select_for_update().select_related("service", "member__county").get(pk=request.pk)
    )
    if request.service.is_ecm:
        raise DomainError("An ECM request's provider is the member's ECM assignment.", field="service")
    if request.status not in PLACEABLE_STATUSES:
        raise ConflictError(
            f"A request that is {request.get_status_display().lower()} is not placed with a provider.",
            code="invalid_transition",
        )
    today = clocks.local_date(clocks.now())
    if request.service_assignment is not None and not request.service_assignment.has_ended_by(today):
        raise ConflictError(
            f"{request.member.full_name} is placed with {request.service_assignment.organization.name} already.",
            code="already_placed",
        )
    line = service_provider_for(
        plan=plan, member=request.member, service=request.service, on=today, preferred_organization=organization
    )
    if line is None or (organization is not None and line.contract.organization_id != organization.pk):
        whom = organization.name if organization is not None else "No contracted provider"
        raise DomainError(
            f"{whom} has no place for {request.member.full_name} in {request.service.name} in "
            f"{request.member.county} today.",
            field="organization",
            code="no_capacity",
        )
    _place(plan=plan, actor=actor, request=request, on=today, line=line)
    return request
