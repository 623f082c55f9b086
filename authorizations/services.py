"""Every write on authorizations (DOMAIN 5 and 6): one function per action, in a transaction,
tenant-checked, audited. The lifecycle transitions go through `_transition`, which checks the
role, the state, and saves with optimistic concurrency."""

import hashlib
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from authorizations import letters, rules, selectors
from authorizations.models import (
    OPEN_STATUSES,
    Appeal,
    AppealOutcome,
    AuthorizationRequest,
    ClockCheckRun,
    Decision,
    DenialReason,
    DiscontinuationProposer,
    DiscontinuationReason,
    Grievance,
    GrievanceOutcome,
    Notice,
    NoticeType,
    RequestAttachment,
    RequestSource,
    Status,
    TransitionProgram,
    Urgency,
    WithdrawalReason,
)
from authorizations.plan_settings import authorization_settings, notice_hold
from ecm_platform import clocks, uploads
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ActionNotPermitted, ConflictError, CrossPlanReference, DomainError
from ecm_platform.notifications.services import notification_send
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, actor_user, holders, require
from ecm_platform.tenancy.models import HealthPlan, Membership
from eligibility import rules as eligibility_rules
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.selectors import active_on, member_eligibility
from eligibility.services import determination_record
from members.models import EnrollmentSpan, Member
from members.selectors import member_list
from providers.models import Assignment, Contract, ProviderOrganization, Service
from providers.services import assignment_assign

ELIGIBLE_OUTCOMES = {eligibility_rules.Outcome.ELIGIBLE, eligibility_rules.Outcome.ELIGIBLE_WITH_WRAP}
MAX_ATTACHMENT_BYTES = uploads.MAX_DOCUMENT_BYTES


def _check_plan(plan: HealthPlan, obj, what: str = "request") -> None:
    if obj.plan_id != plan.pk:
        raise CrossPlanReference(f"The {what} belongs to another plan.")


def _is_enrolled(plan: HealthPlan, member: Member, day: date) -> bool:
    return EnrollmentSpan.objects.filter(plan=plan, member=member).filter(active_on(day)).exists()


def _new_request(*, plan, actor, member, status, source, received_at, pofs=(), **fields) -> AuthorizationRequest:
    if member.plan_id != plan.pk:
        raise CrossPlanReference("The member belongs to another plan.", field="member")
    if received_at > clocks.now():
        raise DomainError("A request cannot be received in the future.", field="received_at")
    if not _is_enrolled(plan, member, clocks.local_date(received_at)):
        raise DomainError(
            f"{member.full_name} is not enrolled in {plan} on {clocks.local_date(received_at):%Y-%m-%d}.",
            field="member",
            code="not_enrolled",
        )
    now = clocks.now()
    request = AuthorizationRequest(
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
    request.save()
    request.pofs.set(pofs)
    audit_record(
        code=f"authorizations.request.{status}",
        plan=plan,
        actor=actor,
        target=request,
        payload={
            "member": member.pk,
            "source": source,
            "urgency": request.urgency,
            "received_at": received_at.isoformat(),
            "due_at": request.due_at.isoformat() if request.due_at else None,
        },
    )
    return request


def _refuse_duplicate(*, plan: HealthPlan, member: Member, service: Service) -> None:
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
    service: Service = Service.ECM,
) -> AuthorizationRequest:
    """A request is received (DOMAIN 5.1); its decision is due by the clock in force that day."""
    require(actor, Capability.AUTHORIZATIONS_SUBMIT, plan=plan)
    if source in (RequestSource.PRESUMPTIVE, RequestSource.TRANSITION):
        raise DomainError("Presumptive and transition authorizations have their own actions.", field="source")
    if service != Service.ECM:
        raise DomainError("Only ECM requests are taken for now.", field="service")
    received_at = received_at or clocks.now()
    _refuse_duplicate(plan=plan, member=member, service=service)
    return _new_request(
        plan=plan,
        actor=actor,
        member=member,
        status=Status.RECEIVED,
        source=source,
        received_at=received_at,
        pofs=pofs,
        service=service,
        urgency=urgency,
        due_at=clocks.decision_due(plan=plan, received_at=received_at, is_expedited=urgency == Urgency.EXPEDITED),
        requester_name=requester_name.strip(),
        requester_organization=requester_organization,
        requester_contact=requester_contact.strip(),
        notes=notes.strip(),
    )


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
) -> AuthorizationRequest:
    """A presumptive-capable provider starts ECM at once, for the plan's presumptive period, until
    the plan decides (DOMAIN 5.1): by the provider's own staff, or entered for it by the plan."""
    require(actor, Capability.PRESUMPTIVE_START, plan=plan, organization=organization)
    today = clocks.local_date(clocks.now())
    capable = (
        Contract.objects.filter(plan=plan, organization=organization, service=Service.ECM, is_presumptive_capable=True)
        .filter(active_on(today))
        .exists()
    )
    if not capable:
        raise DomainError(
            f"{organization.name} has no contract in force that allows presumptive authorization.",
            field="organization",
        )
    _refuse_duplicate(plan=plan, member=member, service=Service.ECM)
    until = today + timedelta(days=authorization_settings(plan=plan).presumptive_period_days)
    return _new_request(
        plan=plan,
        actor=actor,
        member=member,
        status=Status.PRESUMPTIVE,
        source=RequestSource.PRESUMPTIVE,
        received_at=clocks.now(),
        pofs=pofs,
        presumptive_until=until,
        # The plan decides before the presumptive period runs out (this product's interpretation).
        due_at=clocks.end_of_day(until),
        requester_organization=organization,
        requester_name=requester_name.strip() or organization.name,
        requester_contact=requester_contact.strip(),
        notes=notes.strip(),
    )


# --- Transitions ------------------------------------------------------------------------------------


def _check_may(request: AuthorizationRequest, action: str, *, plan: HealthPlan, actor) -> None:
    """May `actor` take `action` now? The plan, the state (409 whoever asks), the role (403), then
    the transition's conditions. Services call it before their own rules, so that a role that may
    not act learns that first and nothing is written on its behalf."""
    _check_plan(plan, request)
    bound = getattr(request, action)
    refusal = ConflictError(
        f"A request that is {request.get_status_display().lower()} cannot be {_past(action)}.",
        code="invalid_transition",
    )
    if not can_proceed(bound, check_conditions=False):
        raise refusal
    if not has_transition_perm(bound, actor):
        raise ActionNotPermitted(f"Your role in this plan may not {action.replace('_', ' ')} a request.")
    if not can_proceed(bound):
        raise refusal


def _transition(
    request: AuthorizationRequest, action: str, *, plan: HealthPlan, actor, payload: dict | None = None, **updates
) -> AuthorizationRequest:
    """Take one DOMAIN 5.2 transition: role, state, the field updates, and an optimistic save.

    `request` is the instance the caller read; if someone else moved it since, the save finds the
    state changed and this action is refused as a conflict (HTTP 409), changing nothing.
    """
    _check_may(request, action, plan=plan, actor=actor)
    bound = getattr(request, action)
    previous = request.status
    bound()
    for field, value in updates.items():
        setattr(request, field, value)
    request.updated_at = clocks.now()
    try:
        with transaction.atomic():
            request.save()
    except ConcurrentTransition as error:
        raise ConflictError("Someone else changed this request first; reload it and try again.") from error
    audit_record(
        code=f"authorizations.request.{action}",
        plan=plan,
        actor=actor,
        target=request,
        payload={"from": previous, "to": request.status, **(payload or {})},
    )
    return request


def _past(action: str) -> str:
    return {
        "start_review": "put in review",
        "extend": "extended",
        "resume": "resumed",
        "approve": "approved",
        "deny": "denied",
        "withdraw": "withdrawn",
        "overturn": "overturned",
        "start_services": "started",
        "discontinue": "discontinued",
    }[action]


@transaction.atomic
def request_start_review(*, plan: HealthPlan, actor, request: AuthorizationRequest) -> AuthorizationRequest:
    return _transition(request, "start_review", plan=plan, actor=actor)


@transaction.atomic
def request_resume(*, plan: HealthPlan, actor, request: AuthorizationRequest) -> AuthorizationRequest:
    return _transition(request, "resume", plan=plan, actor=actor)


@transaction.atomic
def request_extend(*, plan: HealthPlan, actor, request: AuthorizationRequest, days: int, reason: str):
    """The one-time extension of up to 14 calendar days, with a reason (DOMAIN 5.1)."""
    if request.extension_days is not None:
        raise ConflictError("The decision has been extended once already.", code="already_extended")
    _check_may(request, "extend", plan=plan, actor=actor)
    if not reason.strip():
        raise DomainError("An extension needs a reason.", field="reason")
    if request.due_at is None:
        raise DomainError("This request has no decision clock to extend.")
    try:
        new_due = clocks.extension_due(due=request.due_at, received_at=request.received_at, days=days)
    except ValueError as error:
        raise DomainError(str(error), field="days") from error
    old_due = request.due_at
    request = _transition(
        request,
        "extend",
        plan=plan,
        actor=actor,
        payload={
            "days": days,
            "reason": reason.strip(),
            "old_due": old_due.isoformat(),
            "new_due": new_due.isoformat(),
        },
        original_due_at=old_due,
        due_at=new_due,
        extension_days=days,
        extension_reason=reason.strip(),
        at_risk_notified_at=None,
        overdue_notified_at=None,
    )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.EXTEND)
    return request


def _eligible_or_discretionary(*, plan, actor, request, justification: str, today: date) -> None:
    """Approval needs an eligible result, or a recorded discretionary high utilizer (DOMAIN 5.2)."""
    result = member_eligibility(plan=plan, member=request.member, day=today)
    if result.outcome in ELIGIBLE_OUTCOMES:
        return
    if justification.strip() and result.outcome == eligibility_rules.Outcome.NO_LIVE_POF:
        age = eligibility_rules.age_on(request.member.birth_date, today)
        high_utilizer_pofs = PopulationOfFocus.objects.filter(is_scanned=True)
        pof = next((p for p in high_utilizer_pofs if p.min_age <= age and (p.max_age is None or age < p.max_age)), None)
        if pof is not None:
            determination_record(
                plan=plan,
                member=request.member,
                pof=pof,
                source=DeterminationSource.DISCRETIONARY,
                start_date=today,
                justification=justification,
                actor=actor,
            )
            result = member_eligibility(plan=plan, member=request.member, day=today)
            if result.outcome in ELIGIBLE_OUTCOMES:
                return
    raise DomainError(
        f"{request.member.full_name} is not eligible on {today:%Y-%m-%d} ({result.label}): " + " ".join(result.reasons),
        field="eligibility",
        code="not_eligible",
    )


@transaction.atomic
def request_approve(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    decision: Decision = Decision.FULL,
    modification: str = "",
    explanation: str = "",
    discretionary_justification: str = "",
    preferred_organization: ProviderOrganization | None = None,
) -> AuthorizationRequest:
    """Approve (in full or modified) and assign an ECM Provider (DOMAIN 5.2, 7)."""
    _check_may(request, "approve", plan=plan, actor=actor)
    if decision == Decision.MODIFIED and not modification.strip():
        raise DomainError("Say what is approved instead of what was asked.", field="modification")
    now = clocks.now()
    today = clocks.local_date(now)
    _eligible_or_discretionary(
        plan=plan, actor=actor, request=request, justification=discretionary_justification, today=today
    )
    request = _transition(
        request,
        "approve",
        plan=plan,
        actor=actor,
        payload={"decision": decision},
        decided_at=now,
        decided_by=actor_user(actor),
        decision=decision,
        modification=modification.strip(),
        decision_explanation=explanation.strip(),
        discretionary_justification=discretionary_justification.strip(),
    )
    _assign(plan=plan, actor=actor, request=request, preferred_organization=preferred_organization, on=today)
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.APPROVE)
    return request


def _assign(*, plan, actor, request, on: date, preferred_organization=None) -> Assignment | None:
    """Assign the authorized member unless they have an ECM Provider already. With no provider
    available the approval still stands (the decision clock is the law); the request page and the
    assignment worklist show the member as unassigned."""
    current = Assignment.objects.filter(plan=plan, member=request.member, ended_on__isnull=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return assignment_assign(
                plan=plan,
                member=request.member,
                authorized_on=on,
                actor=actor,
                preferred_organization=preferred_organization,
            )
    except DomainError as error:
        audit_record(
            code="authorizations.request.assignment_pending",
            plan=plan,
            actor=actor,
            target=request,
            payload={"reason": error.message},
        )
        return None


@transaction.atomic
def request_deny(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    reason: DenialReason,
    explanation: str,
    alternative_services: str = "",
) -> AuthorizationRequest:
    """Deny with a reason code and a plain-language explanation (DOMAIN 5.2)."""
    _check_may(request, "deny", plan=plan, actor=actor)
    if reason not in DenialReason.values:
        raise DomainError("Choose a denial reason.", field="reason")
    if not explanation.strip():
        raise DomainError("Explain the denial in plain language.", field="explanation")
    request = _transition(
        request,
        "deny",
        plan=plan,
        actor=actor,
        payload={"reason": reason},
        decided_at=clocks.now(),
        decided_by=actor_user(actor),
        denial_reason=reason,
        decision_explanation=explanation.strip(),
        alternative_services=alternative_services.strip(),
    )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.DENY)
    return request


@transaction.atomic
def request_withdraw(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, reason: WithdrawalReason, note: str = ""
) -> AuthorizationRequest:
    """Withdraw before services began; never a Notice of Action (DOMAIN 5.3)."""
    _check_may(request, "withdraw", plan=plan, actor=actor)
    if reason not in WithdrawalReason.values:
        raise DomainError("Choose a withdrawal reason.", field="reason")
    return _transition(
        request,
        "withdraw",
        plan=plan,
        actor=actor,
        payload={"reason": reason, "note": note.strip()},
        withdrawal_reason=reason,
        decided_at=request.decided_at or clocks.now(),
    )


@transaction.atomic
def request_start_services(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, started_on: date | None = None
) -> AuthorizationRequest:
    """Services start once the member has an ECM Provider (DOMAIN 5.2)."""
    _check_may(request, "start_services", plan=plan, actor=actor)
    if not Assignment.objects.filter(plan=plan, member=request.member, ended_on__isnull=True).exists():
        raise DomainError("Assign an ECM Provider before services start.", field="assignment", code="no_assignment")
    started_on = started_on or clocks.local_date(clocks.now())
    return _transition(
        request, "start_services", plan=plan, actor=actor, payload={"started_on": str(started_on)},
        services_started_on=started_on,
    )  # fmt: skip


@transaction.atomic
def request_propose_discontinuation(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    reason: DiscontinuationReason,
    proposed_by: DiscontinuationProposer,
    note: str = "",
) -> AuthorizationRequest:
    """The provider asks (or the plan proposes) to discontinue; a reviewer decides (DOMAIN 6)."""
    require(actor, Capability.DISCONTINUATIONS_PROPOSE, plan=plan)
    _check_plan(plan, request)
    if request.status != Status.ACTIVE:
        raise ConflictError("Only active services can be discontinued.", code="invalid_transition")
    if reason not in DiscontinuationReason.values:
        raise DomainError("Choose one of the four discontinuation reasons.", field="reason")
    request.discontinuation_proposed_reason = reason
    request.discontinuation_proposed_by = proposed_by
    request.discontinuation_proposal_note = note.strip()
    request.updated_at = clocks.now()
    request.save(
        update_fields=[
            "discontinuation_proposed_reason", "discontinuation_proposed_by", "discontinuation_proposal_note",
            "updated_at",
        ]
    )  # fmt: skip
    audit_record(
        code="authorizations.request.discontinuation_proposed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reason": reason, "proposed_by": proposed_by},
    )
    _notify_reviewers(
        plan=plan,
        text=f"Discontinuation proposed for {request.member.full_name}: {DiscontinuationReason(reason).label}.",
        request=request,
    )
    return request


@transaction.atomic
def request_discontinue(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    reason: DiscontinuationReason,
    effective_on: date,
    explanation: str = "",
) -> AuthorizationRequest:
    """End services for one of the four reasons, with a NOA dated at least 10 days before the
    effective date; the member moves to a lower level of care (DOMAIN 6, 5.3)."""
    _check_may(request, "discontinue", plan=plan, actor=actor)
    if reason not in DiscontinuationReason.values:
        raise DomainError("Choose one of the four discontinuation reasons.", field="reason")
    try:
        rules.check_discontinuation_notice(clocks.local_date(clocks.now()), effective_on)
    except rules.NoticeDateError as error:
        raise DomainError(str(error), field="effective_on", code="notice_too_late") from error
    request = _transition(
        request,
        "discontinue",
        plan=plan,
        actor=actor,
        payload={"reason": reason, "effective_on": str(effective_on)},
        discontinuation_reason=reason,
        discontinuation_effective_on=effective_on,
        decision_explanation=explanation.strip() or DiscontinuationReason(reason).label,
        needs_lower_level_of_care=True,
    )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.DISCONTINUE)
    return request


def request_overturn(*, plan: HealthPlan, actor, request: AuthorizationRequest, appeal: Appeal):
    """A denial overturned on appeal is authorized, not reviewed again; services are due within
    72 hours of the reversal (DOMAIN 5.2)."""
    now = clocks.now()
    request = _transition(
        request,
        "overturn",
        plan=plan,
        actor=actor,
        payload={"appeal": appeal.pk},
        decided_at=now,
        decided_by=actor_user(actor),
        decision=Decision.FULL,
        services_due_by=clocks.expedited_due(now, rules.OVERTURNED_SERVICES_HOURS),
    )
    _assign(plan=plan, actor=actor, request=request, on=clocks.local_date(now))
    return request


# --- Transition members (DOMAIN 3.5) ------------------------------------------------------------


def transition_import(*, plan: HealthPlan, actor, rows: list[dict]) -> dict:
    """Import a Member Transition List: each HHP/WPC member is authorized (active) from the
    transition date, reassessment due six months later. Every row is validated first; one bad row
    imports nothing. Rows already imported change nothing."""
    require(actor, Capability.TRANSITIONS_IMPORT, plan=plan)
    errors, parsed = [], []
    members = {m.cin: m for m in member_list(plan=plan).filter(cin__in=[str(r.get("cin", "")).upper() for r in rows])}
    seen = set()
    for number, row in enumerate(rows, start=1):
        cin = str(row.get("cin", "")).strip().upper()
        program = str(row.get("program", "")).strip().lower()
        member = members.get(cin)
        try:
            start = date.fromisoformat(str(row.get("transition_date", "")).strip())
        except ValueError:
            errors.append({"row": number, "field": "transition_date", "message": "Use a date like 2022-01-01."})
            start = None
        if member is None:
            errors.append({"row": number, "field": "cin", "message": f"No member of the plan has CIN {cin!r}."})
        if program not in TransitionProgram.values:
            errors.append({"row": number, "field": "program", "message": "The program is HHP or WPC."})
        if (cin, program) in seen:
            errors.append({"row": number, "field": "cin", "message": "This member and program appear twice."})
        seen.add((cin, program))
        if start and start > clocks.local_date(clocks.now()):
            errors.append({"row": number, "field": "transition_date", "message": "The date is in the future."})
        if member is not None and start is not None and not _is_enrolled(plan, member, start):
            errors.append({"row": number, "field": "cin", "message": f"{cin} is not enrolled on {start}."})
        parsed.append((member, program, start))
    if not rows:
        errors.append({"row": 0, "field": "rows", "message": "The list is empty."})
    if errors:
        return {"created": 0, "unchanged": 0, "errors": errors}
    created = unchanged = 0
    with transaction.atomic():
        existing = set(
            AuthorizationRequest.objects.filter(plan=plan, source=RequestSource.TRANSITION).values_list(
                "member_id", "transition_program"
            )
        )
        for member, program, start in parsed:
            if (member.pk, program) in existing:
                unchanged += 1
                continue
            _new_request(
                plan=plan,
                actor=actor,
                member=member,
                status=Status.ACTIVE,
                source=RequestSource.TRANSITION,
                received_at=clocks.start_of_day(start),
                transition_program=program,
                services_started_on=start,
                decision=Decision.FULL,
                decided_at=clocks.start_of_day(start),
                reassessment_due=start + relativedelta(months=rules.TRANSITION_REASSESSMENT_MONTHS),
            )
            created += 1
    return {"created": created, "unchanged": unchanged, "errors": []}


@transaction.atomic
def transition_reassessment_record(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, reassessed_on: date
) -> AuthorizationRequest:
    """The six-month reassessment found the member still meets ECM; discontinuing is its own
    action (`request_discontinue`)."""
    require(actor, Capability.REASSESSMENTS_RECORD, plan=plan)
    _check_plan(plan, request)
    if request.reassessment_due is None:
        raise DomainError("Only transition members have a six-month reassessment.")
    if reassessed_on > clocks.local_date(clocks.now()):
        raise DomainError("A reassessment cannot be in the future.", field="reassessed_on")
    request.reassessed_on, request.updated_at = reassessed_on, clocks.now()
    request.save(update_fields=["reassessed_on", "updated_at"])
    audit_record(
        code="authorizations.request.reassessed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reassessed_on": str(reassessed_on)},
    )
    return request


@transaction.atomic
def attachment_add(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, name: str, content_type: str, content: bytes
) -> RequestAttachment:
    require(actor, Capability.ATTACHMENTS_ADD, plan=plan)
    _check_plan(plan, request)
    stored_type = uploads.document_type(name=name, declared_type=content_type, content=content)
    attachment = RequestAttachment.objects.create(
        plan=plan,
        request=request,
        name=name[:200],
        content_type=stored_type,
        content=content,
        uploaded_by=actor_user(actor),
        uploaded_at=clocks.now(),
    )
    audit_record(
        code="authorizations.attachment.added", plan=plan, actor=actor, target=attachment,
        payload={"request": request.pk, "name": attachment.name, "bytes": len(content)},
    )  # fmt: skip
    return attachment


# --- Notices of Action (DOMAIN 5.3) ---------------------------------------------------------------


def _notice_if_needed(*, plan, actor, request: AuthorizationRequest, action: rules.Action) -> Notice | None:
    notice_type = rules.notice_type_for(
        action,
        requested_by_member_or_provider=request.was_requested_by_member_or_provider,
        decision=request.decision,
    )
    if notice_type is None:
        return None
    return notice_issue(plan=plan, actor=actor, request=request, notice_type=notice_type)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def notice_content(*, plan: HealthPlan, request: AuthorizationRequest, notice_type: NoticeType, notice_date: date):
    """Every fact the letter states, as plain data (stored with the notice, so it never changes)."""
    member = request.member
    effective_on = request.discontinuation_effective_on or notice_date
    rights = rules.member_rights(notice_type, notice_date, effective_on)
    decision = {
        NoticeType.DENIAL: "Your request for Enhanced Care Management is denied.",
        NoticeType.DELAY: "We need more time to decide on your request for Enhanced Care Management.",
        NoticeType.MODIFICATION: "Your request for Enhanced Care Management is approved with a change.",
        NoticeType.DISCONTINUATION: "Your Enhanced Care Management services will end.",
    }[notice_type]
    reason = request.decision_explanation
    if notice_type == NoticeType.DELAY:
        reason = request.extension_reason
    criteria = []
    if request.denial_reason:
        criteria.append(DenialReason(request.denial_reason).label)
    if request.discontinuation_reason:
        criteria.append(DiscontinuationReason(request.discontinuation_reason).label)
    return {
        "notice_type": notice_type.value,
        "plan_name": plan.name,
        # Empty while the plan has no contact: the letter is held until it is set (letter_contact).
        "plan_phone": plan.member_services_phone,
        "plan_address": plan.appeals_address,
        "member_name": member.full_name,
        "member_cin": member.cin,
        "member_address": ", ".join(p for p in [member.address_line, member.city, member.zip_code] if p),
        "notice_date": _date(notice_date),
        "effective_on": _date(effective_on),
        "service": Service(request.service).label,
        "request_id": request.pk,
        "received_on": _date(clocks.local_date(request.received_at)),
        "decision": decision,
        "reason": reason,
        "criteria": criteria,
        "modification": request.modification,
        "new_due": _date(clocks.local_date(request.due_at)) if notice_type == NoticeType.DELAY else "",
        "alternative_services": request.alternative_services,
        "appeal_by": _date(rights.appeal_by),
        "state_hearing_days": rights.state_hearing_days,
        "continue_services_by": _date(rights.continue_services_by),
    }


def notice_issue(*, plan: HealthPlan, actor, request: AuthorizationRequest, notice_type: NoticeType) -> Notice:
    """Issue a Notice of Action: its content is fixed now and never changes. The letter is rendered
    once the decision has committed (a slow or failing renderer never holds up a decision); while
    the plan has no contact it is held instead, and released when the contact is set (DOMAIN 5.3)."""
    require(actor, Capability.NOTICES_ISSUE, plan=plan)
    _check_plan(plan, request)
    now = clocks.now()
    notice_date = clocks.local_date(now)
    plan.refresh_from_db(fields=["member_services_phone", "appeals_address"])  # the contact as it is now
    content = notice_content(plan=plan, request=request, notice_type=notice_type, notice_date=notice_date)
    notice = Notice.objects.create(
        plan=plan,
        request=request,
        member=request.member,
        notice_type=notice_type,
        language=letters.letter_language(request.member.preferred_language),
        notice_date=notice_date,
        effective_on=date.fromisoformat(content["effective_on"]),
        appeal_by=date.fromisoformat(content["appeal_by"]),
        content=content,
        issued_by=actor_user(actor),
        issued_at=now,
        held_since=None if plan.has_letter_contact else now,
    )
    audit_record(
        code="authorizations.notice.issued",
        plan=plan,
        actor=actor,
        target=notice,
        payload={"request": request.pk, "type": notice_type, "language": notice.language},
    )
    if notice.is_held:
        notice_hold(plan=plan, notice=notice)
    else:
        enqueue_on_commit("authorizations.tasks.notice_render_task", plan_id=plan.pk, notice_id=notice.pk)
    return notice


def notice_pdf(*, plan: HealthPlan, notice: Notice) -> bytes:
    """The notice's PDF letter, rendered from its frozen content the first time it is asked for
    and stored: whoever renders first wins and every later reader gets those same bytes."""
    _check_plan(plan, notice, "notice")
    if notice.is_held:
        raise ConflictError(
            "The letter is held until the plan administrator sets the plan's member services phone and "
            "appeals address.",
            code="letter_held",
        )
    if notice.pdf is None:
        pdf = letters.render_letter_pdf(notice.content, notice.language)
        Notice.objects.filter(pk=notice.pk, pdf__isnull=True).update(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())
        notice.pdf, notice.sha256 = Notice.objects.filter(pk=notice.pk).values_list("pdf", "sha256").get()
    return bytes(notice.pdf)


# --- Appeals and grievances (DOMAIN 5.4) ----------------------------------------------------------


def _resolution_due(received_at: datetime, is_expedited: bool) -> datetime:
    if is_expedited:
        return clocks.expedited_due(received_at, rules.EXPEDITED_RESOLUTION_HOURS)
    return clocks.calendar_days_deadline(received_at, rules.RESOLUTION_DAYS)


@transaction.atomic
def appeal_file(
    *,
    plan: HealthPlan,
    actor,
    notice: Notice,
    reason: str,
    received_at: datetime | None = None,
    is_expedited: bool = False,
) -> Appeal:
    """The member appeals a notice within 60 days; a timely appeal of a discontinuation keeps
    services going until it is decided (DOMAIN 5.3, 5.4)."""
    require(actor, Capability.APPEALS_RECORD, plan=plan)
    _check_plan(plan, notice, "notice")
    if not reason.strip():
        raise DomainError("Record what the member disagrees with.", field="reason")
    received_at = received_at or clocks.now()
    if received_at > clocks.now():
        raise DomainError("An appeal cannot be received in the future.", field="received_at")
    filed_on = clocks.local_date(received_at)
    if not rules.appeal_is_timely(notice.notice_date, filed_on):
        raise DomainError(
            f"An appeal of this notice had to be filed between {notice.notice_date:%Y-%m-%d} and "
            f"{notice.appeal_by:%Y-%m-%d}.",
            field="received_at",
            code="appeal_late",
        )
    rights = rules.member_rights(NoticeType(notice.notice_type), notice.notice_date, notice.effective_on)
    appeal = Appeal.objects.create(
        plan=plan,
        notice=notice,
        request=notice.request,
        member=notice.member,
        received_at=received_at,
        is_expedited=is_expedited,
        reason=reason.strip(),
        continues_services=rules.appeal_continues_services(rights, filed_on),
        acknowledgement_due=clocks.calendar_days_deadline(received_at, rules.ACKNOWLEDGEMENT_DAYS),
        resolution_due=_resolution_due(received_at, is_expedited),
        created_by=actor_user(actor),
    )
    audit_record(
        code="authorizations.appeal.filed",
        plan=plan,
        actor=actor,
        target=appeal,
        payload={"notice": notice.pk, "expedited": is_expedited, "continues_services": appeal.continues_services},
    )
    _notify_reviewers(plan=plan, text=f"Appeal filed by {notice.member.full_name}.", request=notice.request)
    return appeal


def _acknowledge(*, plan, actor, record, code: str):
    require(actor, Capability.APPEALS_ACKNOWLEDGE, plan=plan)
    _check_plan(plan, record, "record")
    if record.acknowledged_at is not None:
        raise ConflictError("It was acknowledged already.", code="already_acknowledged")
    record.acknowledged_at = clocks.now()
    record.save(update_fields=["acknowledged_at"])
    audit_record(code=code, plan=plan, actor=actor, target=record)
    return record


@transaction.atomic
def appeal_acknowledge(*, plan: HealthPlan, actor, appeal: Appeal) -> Appeal:
    return _acknowledge(plan=plan, actor=actor, record=appeal, code="authorizations.appeal.acknowledged")


@transaction.atomic
def appeal_resolve(*, plan: HealthPlan, actor, appeal: Appeal, outcome: AppealOutcome, summary: str) -> Appeal:
    """A reviewer decides the appeal; an overturned denial authorizes the request (DOMAIN 5.2, 5.4)."""
    require(actor, Capability.APPEALS_RESOLVE, plan=plan)
    _check_plan(plan, appeal, "appeal")
    if appeal.resolved_at is not None:
        raise ConflictError("The appeal is resolved already.", code="already_resolved")
    if outcome not in AppealOutcome.values:
        raise DomainError("Choose the outcome.", field="outcome")
    if not summary.strip():
        raise DomainError("Summarize the resolution.", field="summary")
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.resolved_at is not None:
        raise ConflictError("The appeal is resolved already.", code="already_resolved")
    appeal.resolved_at, appeal.resolved_by = clocks.now(), actor_user(actor)
    appeal.outcome, appeal.resolution_summary = outcome, summary.strip()
    appeal.save(update_fields=["resolved_at", "resolved_by", "outcome", "resolution_summary"])
    audit_record(
        code="authorizations.appeal.resolved", plan=plan, actor=actor, target=appeal, payload={"outcome": outcome}
    )
    overturned = outcome in (AppealOutcome.OVERTURNED, AppealOutcome.PARTIALLY_OVERTURNED)
    if overturned and appeal.notice.notice_type == NoticeType.DENIAL:
        request = AuthorizationRequest.objects.get(plan=plan, pk=appeal.request_id)
        request_overturn(plan=plan, actor=actor, request=request, appeal=appeal)
    return appeal


@transaction.atomic
def grievance_file(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    description: str,
    received_at: datetime | None = None,
    is_urgent: bool = False,
    request: AuthorizationRequest | None = None,
) -> Grievance:
    require(actor, Capability.APPEALS_RECORD, plan=plan)
    if member.plan_id != plan.pk:
        raise CrossPlanReference("The member belongs to another plan.", field="member")
    if request is not None and (request.plan_id != plan.pk or request.member_id != member.pk):
        raise DomainError("The request is not this member's.", field="request")
    if not description.strip():
        raise DomainError("Describe the grievance.", field="description")
    received_at = received_at or clocks.now()
    if received_at > clocks.now():
        raise DomainError("A grievance cannot be received in the future.", field="received_at")
    grievance = Grievance.objects.create(
        plan=plan,
        member=member,
        request=request,
        received_at=received_at,
        is_urgent=is_urgent,
        description=description.strip(),
        acknowledgement_due=clocks.calendar_days_deadline(received_at, rules.ACKNOWLEDGEMENT_DAYS),
        resolution_due=_resolution_due(received_at, is_urgent),
        created_by=actor_user(actor),
    )
    audit_record(
        code="authorizations.grievance.filed", plan=plan, actor=actor, target=grievance,
        payload={"member": member.pk, "urgent": is_urgent},
    )  # fmt: skip
    return grievance


@transaction.atomic
def grievance_acknowledge(*, plan: HealthPlan, actor, grievance: Grievance) -> Grievance:
    return _acknowledge(plan=plan, actor=actor, record=grievance, code="authorizations.grievance.acknowledged")


@transaction.atomic
def grievance_resolve(
    *, plan: HealthPlan, actor, grievance: Grievance, outcome: GrievanceOutcome, summary: str
) -> Grievance:
    require(actor, Capability.GRIEVANCES_RESOLVE, plan=plan)
    _check_plan(plan, grievance, "grievance")
    if grievance.resolved_at is not None:
        raise ConflictError("The grievance is resolved already.", code="already_resolved")
    if outcome not in GrievanceOutcome.values:
        raise DomainError("Choose the outcome.", field="outcome")
    if not summary.strip():
        raise DomainError("Summarize the resolution.", field="summary")
    grievance.resolved_at, grievance.resolved_by = clocks.now(), actor_user(actor)
    grievance.outcome, grievance.resolution_summary = outcome, summary.strip()
    grievance.save(update_fields=["resolved_at", "resolved_by", "outcome", "resolution_summary"])
    audit_record(
        code="authorizations.grievance.resolved", plan=plan, actor=actor, target=grievance,
        payload={"outcome": outcome},
    )  # fmt: skip
    return grievance


# --- The decision-clock monitor (DOMAIN 5.1) --------------------------------------------------------


def _notify_reviewers(*, plan: HealthPlan, text: str, request: AuthorizationRequest) -> int:
    reviewers = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.AUTHORIZATIONS_APPROVE), is_active=True
    ).select_related("user")
    for membership in reviewers:
        notification_send(
            plan=plan, recipient=membership.user, text=text, link=f"/authorizations/{request.pk}/", email=True
        )
    return len(reviewers)


def clock_check(*, plan: HealthPlan) -> ClockCheckRun:
    """Flag open requests that are at risk (< 24 h left) or overdue and tell the reviewers, once
    each: a request is claimed by a conditional update, so a rerun or a second worker at the same
    time sends nothing twice. The product never decides by itself."""
    now = clocks.now()
    run = ClockCheckRun.objects.create(plan=plan, started_at=now)
    open_requests = AuthorizationRequest.objects.filter(plan=plan, status__in=OPEN_STATUSES, due_at__isnull=False)
    stages = [
        ("overdue_notified_at", open_requests.filter(due_at__lte=now), "is overdue"),
        ("at_risk_notified_at", open_requests.filter(due_at__gt=now, due_at__lte=now + rules.AT_RISK_WINDOW), "is due"),
    ]
    counts = {}
    for stamp, candidates, wording in stages:
        flagged = 0
        for request in candidates.filter(**{f"{stamp}__isnull": True}).select_related("member"):
            with transaction.atomic():
                claimed = AuthorizationRequest.objects.filter(pk=request.pk, **{f"{stamp}__isnull": True}).update(
                    **{stamp: now}
                )
                if not claimed:
                    continue
                flagged += 1
                due = f"{request.due_at.astimezone(clocks.LOCAL_ZONE):%Y-%m-%d %H:%M %Z}"
                run.notifications_sent += _notify_reviewers(
                    plan=plan,
                    text=f"Decision for {request.member.full_name} (request {request.pk}) {wording}: due {due}.",
                    request=request,
                )
        counts[stamp] = flagged
    run.overdue_flagged = counts["overdue_notified_at"]
    run.at_risk_flagged = counts["at_risk_notified_at"]
    run.finished_at = clocks.now()
    run.save(update_fields=["overdue_flagged", "at_risk_flagged", "notifications_sent", "finished_at"])
    return run
