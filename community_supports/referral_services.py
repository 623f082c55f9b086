"""Closed-loop referrals (DOMAIN 9): recorded at intake, answered by the provider, the service
started, the loop closed with a reason; each change an event row and an audit row, each notice
once (referral_notices.py), the two stalled-referral clocks in the deadline registry.

Who acts: the plan's coordinators and integrators record what a referring entity sends
(REFERRALS_RECORD); coordinators record a provider's answer given outside the portal and close
loops (REFERRALS_MANAGE); the staff of the provider referred to answer their own referrals
(PROVIDER_REFERRALS_RESPOND, their organization only). A denial of the request closes its referral
"not authorized" as the system (referral_receivers.py): the request's state is authoritative.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django_fsm import ConcurrentTransition, can_proceed

from authorizations.models import AuthorizationRequest, RequestSource, Status, Urgency
from authorizations.selectors import live_request_of
from authorizations.services import request_submit
from benefits.models import CatalogueService
from community_supports.referral_models import (
    OPEN_REFERRAL_STATUSES,
    OUTSIDE_KINDS,
    ClosureReason,
    DeclineReason,
    NoticeEvent,
    Referral,
    ReferralEvent,
    ReferralSettings,
    ReferralStatus,
    ReferrerKind,
)
from community_supports.referral_notices import notify_member, notify_referrer, portal_users
from community_supports.referral_selectors import referral_settings_of
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_cancel, deadline_meet, deadline_open
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, Principal, actor_label, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member
from providers.models import Assignment, Contract, ProviderOrganization
from providers.selectors import in_force_on

# The request a referral opens, by who referred (DOMAIN 5.1 sources).
SOURCE_OF_REFERRER = {
    ReferrerKind.PLAN: RequestSource.MCP_IDENTIFICATION,
    ReferrerKind.PROVIDER: RequestSource.PROVIDER_REFERRAL,
    **dict.fromkeys(OUTSIDE_KINDS, RequestSource.COMMUNITY_REFERRAL),
}
# Services start only under an authorization (the request's state is authoritative).
AUTHORIZED_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.PRESUMPTIVE)
# "Not authorized" is the plan's decision on the request, never a closure someone chooses.
CHOSEN_CLOSURES = frozenset(ClosureReason) - {ClosureReason.NOT_AUTHORIZED}
PROVIDER_CLOSURES = frozenset(
    {ClosureReason.SERVICES_RECEIVED, ClosureReason.MEMBER_DECLINED, ClosureReason.UNABLE_TO_REACH, ClosureReason.OTHER}
)
# A request has one referral in these at a time; a declined one may be referred elsewhere.
LOOP_STATUSES = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.SERVICE_STARTED]
# The provider closes what it took on; the plan closes any open referral (a declined one too).
PROVIDER_CLOSABLE = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.SERVICE_STARTED})
# The system principal that submits the request a provider's referral opens (provider staff submit none).
INTAKE_NAME = "referral intake"
LOOP_CLOCKS = [DeadlineKind.REFERRAL_RESPONSE, DeadlineKind.REFERRAL_CLOSURE]


def _clean_email(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as error:
            raise DomainError("The referrer's email address is not valid.", field="referrer_email") from error
    return value


def _check_provider(plan: HealthPlan, organization: ProviderOrganization, service: CatalogueService, member, on):
    """A contract in force for the service in the member's county (DOMAIN 9: a provider of it there)."""
    contracted = (
        Contract.objects.filter(plan=plan, organization=organization, lines__service=service, counties=member.county_id)
        .filter(in_force_on(on))
        .exists()
    )
    if not contracted:
        raise DomainError(
            f"{organization.name} has no contract with {plan} in force for {service.name} in {member.county}.",
            field="organization",
        )


def _referrer_fields(plan, principal, *, kind, name, email, organization) -> dict:
    """Who referred, reachable electronically: a plan user, a portal organization, or an email."""
    if kind == ReferrerKind.PLAN:
        if principal.is_provider or actor_user(principal) is None:
            raise DomainError("A plan referral is recorded by the plan's own staff.", field="referrer_kind")
        return {"referrer_name": name.strip() or actor_label(principal), "referrer_user": actor_user(principal)}
    if not name.strip():
        raise DomainError("Name the referring entity.", field="referrer_name")
    fields = {
        "referrer_name": name.strip(),
        "referrer_email": _clean_email(email),
        "referrer_organization": organization,
    }
    if not fields["referrer_email"] and not (
        organization is not None and portal_users(plan, organization_id=organization.pk)
    ):
        raise DomainError(
            "A referring entity is reached by a validated email address or its portal logins: give its email.",
            field="referrer_email",
            code="no_electronic_contact",
        )
    return fields


def _request_for(plan, principal, *, member, service, kind, referrer, urgency, asked):
    """The member's live request for the service, else a new one from the referrer (DOMAIN 9: an
    outside entity's referral creates the authorization request)."""
    request = live_request_of(plan=plan, member=member, service=service)
    if request is not None:
        return request
    return request_submit(
        plan=plan, actor=principal, member=member, source=SOURCE_OF_REFERRER[kind], urgency=urgency, service=service,
        requester_name=referrer["referrer_name"], requester_organization=referrer.get("referrer_organization"),
        requester_contact=referrer.get("referrer_email", ""), **asked,
    )  # fmt: skip


@transaction.atomic
def referral_record(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    service: CatalogueService,
    organization: ProviderOrganization,
    referrer_kind: ReferrerKind,
    referrer_name: str = "",
    referrer_email: str = "",
    referrer_organization: ProviderOrganization | None = None,
    urgency: Urgency = Urgency.ROUTINE,
    notes: str = "",
    **asked,
) -> Referral:
    """A referral is sent to `organization` (DOMAIN 9), as the plan's staff or an integrator record
    what the referring entity sent. `asked`: a new request's service period and quantity."""
    principal = require(actor, Capability.REFERRALS_RECORD, plan=plan)
    referrer = _referrer_fields(
        plan, principal, kind=referrer_kind, name=referrer_name, email=referrer_email,
        organization=referrer_organization,
    )  # fmt: skip
    return _referral_open(
        plan, principal, principal, member=member, service=service, organization=organization, kind=referrer_kind,
        referrer=referrer, urgency=urgency, notes=notes, asked=asked,
    )  # fmt: skip


@transaction.atomic
def referral_send(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    service: CatalogueService,
    organization: ProviderOrganization,
    urgency: Urgency = Urgency.ROUTINE,
    notes: str = "",
    **asked,
) -> Referral:
    """A provider's staff refer a member assigned to their organization to another provider (a
    Lead Care Manager to a Community Supports provider): the organization is the referrer, told in
    its portal; a request it opens is a provider referral, submitted for it by the loop's intake."""
    principal = principal_for(actor, plan)
    if principal is None or not principal.is_provider:
        raise ActionNotPermitted("A provider's referral is sent by its own staff.")
    require(principal, Capability.PROVIDER_REFERRALS_SEND, plan=plan, organization=principal.organization_id)
    assigned = Assignment.objects.filter(
        plan=plan, member=member, organization_id=principal.organization_id, ended_on__isnull=True
    )
    if not assigned.exists():
        raise DomainError("No such member among your organization's assignments.", field="member")
    sender = ProviderOrganization.objects.get(pk=principal.organization_id)
    referrer = {"referrer_name": sender.name, "referrer_organization": sender}
    intake = Principal.system(INTAKE_NAME, Capability.AUTHORIZATIONS_SUBMIT, plan=plan)
    return _referral_open(
        plan, principal, intake, member=member, service=service, organization=organization,
        kind=ReferrerKind.PROVIDER, referrer=referrer, urgency=urgency, notes=notes, asked=asked,
    )  # fmt: skip


def _referral_open(
    plan, principal, submitter, *, member, service, organization, kind, referrer, urgency, notes, asked
) -> Referral:
    """The referral row, its first event and its two clocks, on the member's live request or a new
    one (`submitter` submits it). Sobering centers are exempt from the closed loop: none is tracked."""
    require_same_plan(plan, member, field="member")
    if service.closed_loop_exempt:
        raise DomainError(
            f"{service.name} is exempt from closed-loop referrals (DOMAIN 9): submit its request instead.",
            field="service",
            code="closed_loop_exempt",
        )
    now = clocks.now()
    _check_provider(plan, organization, service, member, clocks.local_date(now))
    # Two intakes for the same member queue here: one open referral per request, one live request per service.
    Member.objects.select_for_update().filter(pk=member.pk).exists()
    request = _request_for(
        plan, submitter, member=member, service=service, kind=kind, referrer=referrer, urgency=urgency, asked=asked
    )
    if request.referrals.filter(status__in=LOOP_STATUSES).exists():
        raise ConflictError(f"Request {request.pk} has an open referral already.", code="open_referral_exists")
    settings = referral_settings_of(plan=plan)
    referral = Referral.objects.create(
        plan=plan, member=member, service=service, request=request, organization=organization,
        referrer_kind=kind, notes=notes.strip()[:2000], sent_at=now, updated_at=now,
        response_due_at=clocks.business_days_after(plan=plan, start=now, days=settings.response_business_days),
        closure_due_at=clocks.calendar_days_deadline(now, settings.closure_days), **referrer,
    )  # fmt: skip
    _event(plan, principal, referral, ReferralStatus.SENT, "recorded", payload={"request": request.pk})
    label = f"{member.full_name}: referral for {service.name}"
    deadline_open(
        plan=plan, kind=DeadlineKind.REFERRAL_RESPONSE, target=referral, due_at=referral.response_due_at,
        owner=Capability.PROVIDER_REFERRALS_RESPOND, organization=organization, member=member,
        label=f"Answer the {label}", link=reverse("provider-referral-detail", args=[referral.pk]),
    )  # fmt: skip
    deadline_open(
        plan=plan, kind=DeadlineKind.REFERRAL_CLOSURE, target=referral, due_at=referral.closure_due_at,
        owner=Capability.REFERRALS_MANAGE, member=member, label=f"Close the loop of the {label}",
        link=reverse("referral-detail", args=[referral.pk]),
    )  # fmt: skip
    return referral


def _event(plan, principal, referral, status, action, *, reason="", note="", payload=None) -> ReferralEvent:
    event = ReferralEvent.objects.create(
        plan=plan, referral=referral, status=status, at=clocks.now(), actor=actor_user(principal),
        actor_label=actor_label(principal)[:200], reason=reason, note=note,
    )  # fmt: skip
    audit_record(
        code=f"community_supports.referral.{action}",
        plan=plan,
        actor=principal,
        target=referral,
        payload={"to": status, "reason": reason, **(payload or {})},
    )
    return event


def require_responder(actor, *, plan: HealthPlan, referral: Referral):
    """Provider staff of the organization referred to, or the plan's coordinators (an answer given
    by phone, a loop the plan closes); another organization's staff are refused."""
    principal = principal_for(actor, plan)
    if principal is not None and principal.is_provider:
        return require(
            principal, Capability.PROVIDER_REFERRALS_RESPOND, plan=plan, organization=referral.organization_id
        )
    return require(actor, Capability.REFERRALS_MANAGE, plan=plan)


def _check_state(plan, referral: Referral, action: str) -> None:
    require_same_plan(plan, referral)
    if not can_proceed(getattr(referral, action)):
        raise ConflictError(
            f"A referral that is {referral.get_status_display().lower()} cannot be {action.replace('_', ' ')}d.",
            code="invalid_transition",
        )


def _transition(plan, principal, referral: Referral, action: str, *, reason="", note="", **updates) -> Referral:
    """One step of the loop: the state (409 whoever asks), the updates, an optimistic save."""
    _check_state(plan, referral, action)
    getattr(referral, action)()
    for field, value in updates.items():
        setattr(referral, field, value)
    referral.updated_at = clocks.now()
    try:
        with transaction.atomic():
            referral.save()
    except ConcurrentTransition as error:
        raise ConflictError("Someone else changed this referral first; reload it and try again.") from error
    _event(plan, principal, referral, referral.status, action, reason=reason, note=note)
    return referral


@transaction.atomic
def referral_accept(*, plan: HealthPlan, actor, referral: Referral, provider_contact: str, note: str = "") -> Referral:
    """The provider takes the member: the member is told the provider's name and contact, the
    referring entity of the assignment."""
    principal = require_responder(actor, plan=plan, referral=referral)
    _check_state(plan, referral, "accept")  # the state first (409 whatever the input)
    if not provider_contact.strip():
        raise DomainError("Give the phone or email the member reaches your organization at.", field="provider_contact")
    referral = _transition(
        plan, principal, referral, "accept", note=note, responded_at=clocks.now(),
        provider_contact=provider_contact.strip()[:200],
    )  # fmt: skip
    deadline_meet(plan=plan, kind=DeadlineKind.REFERRAL_RESPONSE, target=referral)
    notify_member(plan=plan, referral=referral, event=NoticeEvent.ASSIGNED)
    notify_referrer(plan=plan, referral=referral, event=NoticeEvent.ASSIGNED)
    return referral


@transaction.atomic
def referral_decline(*, plan: HealthPlan, actor, referral: Referral, reason: DeclineReason, note: str = "") -> Referral:
    """The provider declines, with its reason; the plan refers elsewhere or closes the loop."""
    principal = require_responder(actor, plan=plan, referral=referral)
    _check_state(plan, referral, "decline")  # the state first (409 whatever the input)
    if reason not in DeclineReason.values:
        raise DomainError("Choose a reason for declining.", field="reason")
    if reason == DeclineReason.OTHER and not note.strip():
        raise DomainError("Explain the other reason.", field="note")
    referral = _transition(
        plan, principal, referral, "decline", reason=reason, note=note, responded_at=clocks.now(), decline_reason=reason
    )
    deadline_meet(plan=plan, kind=DeadlineKind.REFERRAL_RESPONSE, target=referral)
    return referral


@transaction.atomic
def referral_start_service(
    *, plan: HealthPlan, actor, referral: Referral, started_on: date | None = None, note: str = ""
) -> Referral:
    """The service started, under an authorization: the request's state decides (DOMAIN 9)."""
    principal = require_responder(actor, plan=plan, referral=referral)
    today = clocks.local_date(clocks.now())
    started_on = started_on or today
    if started_on > today:
        raise DomainError("The service starts when it started: the day is in the future.", field="started_on")
    if started_on < clocks.local_date(referral.sent_at):
        raise DomainError("The service cannot start before the referral was sent.", field="started_on")
    _check_state(plan, referral, "start_service")
    status = AuthorizationRequest.objects.filter(pk=referral.request_id).values_list("status", flat=True).get()
    if status not in AUTHORIZED_STATUSES:
        raise ConflictError(
            f"Request {referral.request_id} is {Status(status).label.lower()}: the service starts once authorized.",
            code="not_authorized_yet",
        )
    return _transition(plan, principal, referral, "start_service", note=note, service_started_on=started_on)


def _close_loop(plan, principal, referral: Referral, reason: ClosureReason, detail: str, told=None) -> Referral:
    referral = _transition(
        plan, principal, referral, "close", reason=reason, note=detail, closed_at=clocks.now(),
        closure_reason=reason, closure_detail=detail,
    )  # fmt: skip
    deadline_meet(plan=plan, kind=DeadlineKind.REFERRAL_CLOSURE, target=referral)
    deadline_cancel(plan=plan, target=referral, kinds=LOOP_CLOCKS)  # an unanswered referral closed
    event = NoticeEvent.NOT_AUTHORIZED if reason == ClosureReason.NOT_AUTHORIZED else NoticeEvent.CLOSED
    notify_referrer(plan=plan, referral=referral, event=event, told=told)
    return referral


@transaction.atomic
def referral_close(*, plan: HealthPlan, actor, referral: Referral, reason: ClosureReason, note: str = "") -> Referral:
    """Close the loop with its reason; the referring entity is told. "Services received" needs the
    service started; the provider closes what it accepted, for its own reasons, the plan any open
    referral for any reason but "not authorized", which only the request's denial gives."""
    principal = require_responder(actor, plan=plan, referral=referral)
    _check_state(plan, referral, "close")  # the state first (409 whatever the input)
    allowed = PROVIDER_CLOSURES if principal.is_provider else CHOSEN_CLOSURES
    if reason not in allowed:
        raise DomainError("Not a reason you may close this referral with.", field="reason", code="invalid_reason")
    if reason == ClosureReason.OTHER and not note.strip():
        raise DomainError("Explain the other reason.", field="note")
    if principal.is_provider and referral.status not in PROVIDER_CLOSABLE:
        raise ConflictError(
            "The provider closes the referrals it accepted; decline this one instead.", code="invalid_transition"
        )
    if reason == ClosureReason.SERVICES_RECEIVED and referral.status != ReferralStatus.SERVICE_STARTED:
        raise ConflictError("Services received: the service has not started under this referral.", code="not_started")
    return _close_loop(plan, principal, referral, reason, note.strip())


def referral_close_by_decision(
    *, plan: HealthPlan, actor, referral: Referral, reason: ClosureReason, detail: str, told=None
) -> Referral | None:
    """The plan's decision on the request closes the loop (a denial "not authorized" with its
    reason, a withdrawal with the member's): the referring entity is told once, by `told` (the
    decision's 5.3 requester notice) when it reached them."""
    principal = require(actor, Capability.REFERRALS_MANAGE, plan=plan)
    if principal.is_provider:
        raise ActionNotPermitted("Only the plan's decision on the request closes a referral this way.")
    # A provider's step may have landed meanwhile: the decision closes what is still open, never fails on it.
    referral = Referral.objects.select_for_update().filter(pk=referral.pk, status__in=OPEN_REFERRAL_STATUSES).first()
    if referral is None:
        return None
    return _close_loop(plan, principal, referral, reason, detail, told=told)


SETTINGS_FIELDS = ("response_business_days", "closure_days")


def referral_settings_update(*, plan: HealthPlan, actor, **fields) -> ReferralSettings:
    """Change the stalled-referral clocks; running clocks keep their due dates, new ones use these."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    settings = referral_settings_of(plan=plan)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name in SETTINGS_FIELDS:
        if name not in fields:
            continue
        field = ReferralSettings._meta.get_field(name)
        low, high = (validator.limit_value for validator in field.validators)
        value = fields[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise DomainError(f"The {field.verbose_name} is a whole number from {low} to {high}.", field=name)
        setattr(settings, name, value)
    settings.save()
    changed = {
        name: [before[name], getattr(settings, name)]
        for name in SETTINGS_FIELDS
        if before[name] != getattr(settings, name)
    }
    audit_record(
        code="community_supports.referral_settings.updated", plan=plan, actor=actor, target=settings, payload=changed
    )
    return settings
