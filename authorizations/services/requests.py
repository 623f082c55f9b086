"""New requests (DOMAIN 5.1): submitted, or started presumptively by a provider."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from authorizations import selectors
from authorizations.models import (
    AuthorizationRequest,
    RequestSource,
    Status,
    Urgency,
)
from authorizations.services import community_supports, deadlines
from authorizations.services.common import _assign
from authorizations.services.limits import request_limits
from authorizations.services.requester_notices import requester_contact_clean
from authorizations.services.settings import authorization_settings
from benefits import limits
from benefits.models import ECM_CODE, CatalogueService
from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_event
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility.models import PopulationOfFocus
from members.models import Member
from members.selectors import active_on, enrolled_on
from providers.models import Contract, ProviderOrganization


def _new_request(*, plan, actor, member, status, source, received_at, pofs=(), **fields) -> AuthorizationRequest:
    require_same_plan(plan, member, field="member")
    if received_at > clocks.now():
        raise DomainError("A request cannot be received in the future.", field="received_at")
    if not enrolled_on(plan=plan, member=member, day=clocks.local_date(received_at)):
        raise DomainError(
            f"{member.full_name} is not enrolled in {plan} on {clocks.local_date(received_at):%Y-%m-%d}.",
            field="member",
            code="not_enrolled",
        )
    request = _request_new(
        plan=plan, actor=actor, member=member, status=status, source=source, received_at=received_at, **fields
    )
    request.save()
    request.pofs.set(pofs)
    _request_created_event(plan=plan, actor=actor, request=request).save()
    return request


def _request_new(*, plan, actor, member, status, source, received_at, **fields) -> AuthorizationRequest:
    """`_new_request`'s row past its checks, not saved yet (a set-based import writes many at once)."""
    now = clocks.now()
    return AuthorizationRequest(
        plan=plan,
        member=member,
        status=status,
        source=source,
        received_at=received_at,
        created_by=actor_user(actor),
        created_at=now,
        updated_at=now,
        **fields,
    )


def _request_created_event(*, plan, actor, request: AuthorizationRequest) -> AuditEvent:
    return audit_event(
        code=f"authorizations.request.{request.status}",
        plan=plan,
        actor=actor,
        target=request,
        payload={
            "member": request.member_id,
            "source": request.source,
            "urgency": request.urgency,
            "received_at": request.received_at.isoformat(),
            "due_at": request.due_at.isoformat() if request.due_at else None,
        },
    )


def _refuse_duplicate(*, plan: HealthPlan, member: Member, service: CatalogueService) -> None:
    existing = selectors.live_request_of(plan=plan, member=member, service=service)
    if existing is not None:
        raise ConflictError(
            f"{member.full_name} already has request {existing.pk} ({existing.get_status_display().lower()}) "
            "for this service.",
            code="open_request_exists",
        )


@transaction.atomic
def request_submit(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    source: RequestSource,
    urgency: Urgency = Urgency.ROUTINE,
    received_at: datetime | None = None,
    requester_name: str = "",
    requester_organization: ProviderOrganization | None = None,
    requester_contact: str = "",
    notes: str = "",
    pofs: list[PopulationOfFocus] = (),
    service: CatalogueService | None = None,
    service_from: date | None = None,
    service_to: date | None = None,
    quantity: Decimal | None = None,
    service_began_at: datetime | None = None,
) -> AuthorizationRequest:
    """A request for ECM or a Community Support is received (DOMAIN 5.1, 9); its decision is due by
    the clock in force that day, a Community Support's own where the plan shortened it."""
    require(actor, Capability.AUTHORIZATIONS_SUBMIT, plan=plan)
    if source in (RequestSource.PRESUMPTIVE, RequestSource.TRANSITION):
        raise DomainError("Presumptive and transition authorizations have their own actions.", field="source")
    service = service or service_get(ECM_CODE)
    received_at = received_at or clocks.now()
    fields = community_supports.submitted_fields(
        plan=plan, service=service, urgency=urgency, received_at=received_at, pofs=pofs, service_from=service_from,
        service_to=service_to, quantity=quantity, service_began_at=service_began_at,
    )  # fmt: skip
    _refuse_duplicate(plan=plan, member=member, service=service)
    request = _new_request(
        plan=plan,
        actor=actor,
        member=member,
        status=Status.RECEIVED,
        source=source,
        received_at=received_at,
        pofs=pofs,
        service=service,
        requester_name=requester_name.strip(),
        requester_organization=requester_organization,
        requester_contact=requester_contact_clean(requester_contact),
        notes=notes.strip(),
        **fields,
    )
    deadlines.decision_clock_run(plan=plan, request=request)
    return request


@transaction.atomic
def request_start_presumptive(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    organization: ProviderOrganization,
    requester_name: str = "",
    requester_contact: str = "",
    notes: str = "",
    pofs: list[PopulationOfFocus] = (),
    service: CatalogueService | None = None,
    service_from: date | None = None,
    service_to: date | None = None,
    quantity: Decimal | None = None,
) -> AuthorizationRequest:
    """A presumptive-capable provider's staff start ECM or a Community Support at once, for the
    plan's presumptive period, until the plan decides (DOMAIN 5.1). The member is assigned to that
    provider (for ECM its Lead Care Manager is due in 10 business days, DOMAIN 5.2; for a Community
    Support on the contract's line for it, DOMAIN 9); a provider with no place for the member
    cannot start."""
    require(actor, Capability.PRESUMPTIVE_START, plan=plan, organization=organization)
    service = service or service_get(ECM_CODE)
    if not service.is_ecm:
        return _start_presumptive_service(
            plan=plan, actor=actor, member=member, organization=organization, service=service, pofs=pofs,
            asked={"service_from": service_from, "service_to": service_to, "quantity": quantity},
            requester_name=requester_name, requester_contact=requester_contact, notes=notes,
        )  # fmt: skip
    today = clocks.local_date(clocks.now())
    capable = (
        Contract.objects.filter(
            plan=plan, organization=organization, lines__service__code=ECM_CODE, is_presumptive_capable=True
        )
        .filter(active_on(today), activated_on__lte=today)  # activated: vetting complete (DOMAIN 7)
        .exists()
    )
    if not capable:
        raise DomainError(
            f"{organization.name} has no contract in force that allows presumptive authorization.",
            field="organization",
        )
    _refuse_duplicate(plan=plan, member=member, service=service)
    request = _new_presumptive(
        plan=plan, actor=actor, member=member, organization=organization, service=service, pofs=pofs, today=today,
        requester_name=requester_name, requester_contact=requester_contact, notes=notes,
    )  # fmt: skip
    assignment = _assign(plan=plan, actor=actor, request=request, on=today, organization=organization)
    if assignment is None:
        # A presumptive start assigns the presumptive provider (DOMAIN 5.2): none without a place
        # there. Raising rolls back the request and the awaiting-assignment entry with it.
        raise DomainError(
            f"{organization.name} has no place for {member.full_name} (no capacity left, or the member's county "
            "is not in its contract): presumptive services cannot start.",
            field="organization",
            code="no_capacity",
        )
    deadlines.lead_care_manager_run(plan=plan, assignment=assignment)
    return request


def _new_presumptive(
    *, plan, actor, member, organization, service, pofs, today, requester_name, requester_contact, notes, **asked
) -> AuthorizationRequest:
    until = today + timedelta(days=authorization_settings(plan=plan).presumptive_period_days)
    request = _new_request(
        plan=plan,
        actor=actor,
        member=member,
        status=Status.PRESUMPTIVE,
        source=RequestSource.PRESUMPTIVE,
        received_at=clocks.now(),
        pofs=pofs,
        service=service,
        presumptive_until=until,
        # The plan decides before the presumptive period runs out (this product's interpretation).
        due_at=clocks.end_of_day(until),
        requester_organization=organization,
        requester_name=requester_name.strip() or organization.name,
        requester_contact=requester_contact.strip(),
        notes=notes.strip(),
        **asked,
    )
    deadlines.decision_clock_run(plan=plan, request=request)
    return request


def _start_presumptive_service(
    *, plan, actor, member, organization, service, pofs, asked, **texts
) -> AuthorizationRequest:
    """A Community Support started presumptively: the provider's contract in force has a line for
    it and is presumptive-capable, and the member takes a place on that line (DOMAIN 5.1, 9)."""
    community_supports.check_asked(pofs=pofs, **asked)
    require_same_plan(plan, member, field="member")
    today = clocks.local_date(clocks.now())
    line = community_supports.presumptive_line(
        plan=plan, member=member, service=service, organization=organization, on=today
    )
    _refuse_duplicate(plan=plan, member=member, service=service)
    request = _new_presumptive(
        plan=plan, actor=actor, member=member, organization=organization, service=service, pofs=(), today=today,
        **texts, **asked,
    )  # fmt: skip
    # Offered in the member's county and within the limits it gives the facts of (DOMAIN 9): the
    # plan's approval weighs what a presumptive start left out.
    community_supports.require_offered(plan=plan, request=request, on=today)
    known = [finding for finding in request_limits(plan=plan, request=request) if not finding.missing]
    limits.refuse_passed(known, override_reason="", days_field="service_to", quantity_field="quantity")
    community_supports._place(plan=plan, actor=actor, request=request, on=today, line=line)
    return request
