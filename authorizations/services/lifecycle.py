"""The DOMAIN 5.2 transitions of a request. Each goes through `_transition`, which checks the
plan, the state and the role, then saves with optimistic concurrency."""

from datetime import date

from django.db import transaction
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from authorizations import rules
from authorizations.models import (
    Appeal,
    AuthorizationRequest,
    Decision,
    DenialReason,
    DiscontinuationProposer,
    DiscontinuationReason,
    Status,
    WithdrawalReason,
)
from authorizations.services.common import _notify_reviewers
from authorizations.services.notices import _notice_if_needed
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility import rules as eligibility_rules
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.selectors import member_eligibility
from eligibility.services import determination_record
from providers.models import Assignment, ProviderOrganization
from providers.services import assignment_assign

ELIGIBLE_OUTCOMES = {eligibility_rules.Outcome.ELIGIBLE, eligibility_rules.Outcome.ELIGIBLE_WITH_WRAP}


def _check_may(request: AuthorizationRequest, action: str, *, plan: HealthPlan, actor) -> None:
    """May `actor` take `action` now? The plan, the state (409 whoever asks), the role (403), then
    the transition's conditions. Services call it before their own rules, so that a role that may
    not act learns that first and nothing is written on its behalf."""
    require_same_plan(plan, request)
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
        pof = next((p for p in high_utilizer_pofs if eligibility_rules.in_age_band(age, p.min_age, p.max_age)), None)
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
    require_same_plan(plan, request)
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
