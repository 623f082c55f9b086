"""The DOMAIN 5.2 transitions of a request up to services starting. Each goes through
`_transition`, which checks the plan, the state and the role, then saves with optimistic
concurrency. Discontinuation, reinstatement and leaving the plan are in their own modules."""

from datetime import date

from django.db import transaction
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from authorizations import rules
from authorizations.models import (
    AuthorizationRequest,
    Decision,
    DenialReason,
    Status,
    WithdrawalReason,
)
from authorizations.services import community_supports, deadlines
from authorizations.services.common import _acting_as, _assign
from authorizations.services.notices import _notice_if_needed
from authorizations.signals import request_decided
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.services import deadline_cancel
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility import rules as eligibility_rules
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.selectors import member_eligibility
from eligibility.services import determination_record
from providers.models import Assignment, AssignmentEndReason, ProviderOrganization
from providers.services import assignment_end

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
        "reinstate": "reinstated",
        "end": "ended",
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
    )
    deadlines.decision_clock_run(plan=plan, request=request)
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
    criteria_met: list[str] = (),
    limit_override_reason: str = "",
) -> AuthorizationRequest:
    """Approve (in full or modified) and assign an ECM Provider (DOMAIN 5.2, 7); a Community
    Support is approved on its own checklist, election and limits, and the member placed with a
    contracted provider of that service (DOMAIN 9)."""
    _check_may(request, "approve", plan=plan, actor=actor)
    if decision == Decision.MODIFIED and not modification.strip():
        raise DomainError("Say what is approved instead of what was asked.", field="modification")
    now = clocks.now()
    today = clocks.local_date(now)
    service_fields = {}
    if request.service.is_ecm:
        _eligible_or_discretionary(
            plan=plan, actor=actor, request=request, justification=discretionary_justification, today=today
        )
    else:
        service_fields = {
            "criteria_met": community_supports.check_approvable(
                plan=plan, request=request, criteria_met=list(criteria_met),
                override_reason=limit_override_reason, on=today,
            ),
            "limit_override_reason": limit_override_reason.strip(),
        }  # fmt: skip
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
        **service_fields,
    )
    deadlines.decision_clock_stop(plan=plan, request=request)
    # A presumptive member keeps the presumptive provider (assignment_request returns it).
    if request.service.is_ecm:
        _assign(plan=plan, actor=actor, request=request, preferred_organization=preferred_organization, on=today)
    elif request.service_assignment is None:
        community_supports._place(
            plan=plan, actor=actor, request=request, on=today, preferred_organization=preferred_organization
        )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.APPROVE)
    return request


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
    """Deny with a reason code and a plain-language explanation (DOMAIN 5.2). Denied presumptive
    services stop: the presumptive provider's assignment ends today (DOMAIN 7)."""
    _check_may(request, "deny", plan=plan, actor=actor)
    stops_presumptive = request.status == Status.PRESUMPTIVE
    if reason not in DenialReason.values:
        raise DomainError("Choose a denial reason.", field="reason")
    community_supports.check_denial_reason(request.service, reason)
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
    deadlines.decision_clock_stop(plan=plan, request=request)
    if stops_presumptive:
        _end_provider(
            plan=plan, actor=actor, request=request, on=clocks.local_date(clocks.now()),
            reason=AssignmentEndReason.DISCONTINUED, label="denial",
        )  # fmt: skip
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.DENY)
    return request


def _end_provider(*, plan: HealthPlan, actor, request: AuthorizationRequest, on: date, reason, label: str) -> None:
    """End the request's provider: the member's ECM assignment for ECM, the request's own
    placement for a Community Support (never the member's ECM assignment, DOMAIN 9)."""
    if not request.service.is_ecm:
        community_supports._end_placement(plan=plan, actor=actor, request=request, on=on, reason=reason)
        return
    assignment_end(
        plan=plan, actor=_acting_as(actor, plan, label, Capability.ASSIGNMENTS_END), member=request.member,
        on=on, reason=reason,
    )  # fmt: skip


# DOMAIN 5.2: presumptive services stop only at the member's own request or as a duplicate; a plan
# decision to stop them is a denial.
PRESUMPTIVE_WITHDRAWAL_REASONS = (WithdrawalReason.MEMBER_DECLINED, WithdrawalReason.DUPLICATE)


@transaction.atomic
def request_withdraw(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, reason: WithdrawalReason, note: str = ""
) -> AuthorizationRequest:
    """Withdraw before services began: no Notice of Action (DOMAIN 5.3), except for presumptive
    services the member asks to stop, whose discontinuation notice is dated and effective the same
    day (42 CFR 431.213(b)). A member with a provider (presumptive, approved) has it ended today."""
    _check_may(request, "withdraw", plan=plan, actor=actor)
    if reason not in WithdrawalReason.values:
        raise DomainError("Choose a withdrawal reason.", field="reason")
    stops_presumptive = request.status == Status.PRESUMPTIVE
    if stops_presumptive:
        if principal_for(actor, plan).is_provider:  # their own organization's presumptive services only
            require(actor, Capability.PRESUMPTIVE_WITHDRAW, plan=plan, organization=request.requester_organization_id)
        if reason not in PRESUMPTIVE_WITHDRAWAL_REASONS:
            raise DomainError(
                "Presumptive services are withdrawn only when the member asks to stop, or as a duplicate; "
                "a plan decision to stop them is a denial.",
                field="reason",
            )
    today = clocks.local_date(clocks.now())
    request = _transition(
        request,
        "withdraw",
        plan=plan,
        actor=actor,
        payload={"reason": reason, "note": note.strip()},
        withdrawal_reason=reason,
        decided_at=request.decided_at or clocks.now(),
        discontinuation_effective_on=today if stops_presumptive else request.discontinuation_effective_on,
    )
    deadlines.decision_clock_stop(plan=plan, request=request)
    deadline_cancel(plan=plan, target=request)
    _end_provider(
        plan=plan, actor=actor, request=request, on=today, reason=AssignmentEndReason.WITHDRAWN, label="withdrawal"
    )
    if stops_presumptive and reason == WithdrawalReason.MEMBER_DECLINED:
        notifier = _acting_as(actor, plan, "withdrawal", Capability.NOTICES_ISSUE)
        _notice_if_needed(plan=plan, actor=notifier, request=request, action=rules.Action.STOP_PRESUMPTIVE)
    else:  # no letter, no requester notice: the apps above still learn of it (a referral's closure)
        request_decided.send(
            sender=AuthorizationRequest, plan=plan, request=request, action=rules.Action.WITHDRAW, requester_notice=None
        )
    return request


@transaction.atomic
def request_start_services(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, started_on: date | None = None
) -> AuthorizationRequest:
    """Services start only with an ECM Provider and a Lead Care Manager (DOMAIN 5.2, 7), a Community
    Support with its provider placement (DOMAIN 9); a reversal's 72-hour clock is met."""
    _check_may(request, "start_services", plan=plan, actor=actor)
    started_on = started_on or clocks.local_date(clocks.now())
    if not request.service.is_ecm:
        community_supports.check_startable(request=request, started_on=started_on)
        return _services_started(plan=plan, actor=actor, request=request, started_on=started_on)
    # The member's current assignment, whenever it began (a backdated start may precede it).
    assignment = (
        Assignment.objects.filter(plan=plan, member=request.member, ended_on__isnull=True)
        .select_related("organization")
        .first()
    )
    if assignment is None:
        raise DomainError("Assign an ECM Provider before services start.", field="assignment", code="no_assignment")
    if assignment.lead_care_manager_id is None:
        raise DomainError(
            f"Record the member's Lead Care Manager at {assignment.organization.name} before services start.",
            field="assignment",
            code="no_lead_care_manager",
        )
    return _services_started(plan=plan, actor=actor, request=request, started_on=started_on)


def _services_started(*, plan: HealthPlan, actor, request: AuthorizationRequest, started_on: date):
    request = _transition(
        request, "start_services", plan=plan, actor=actor, payload={"started_on": str(started_on)},
        services_started_on=started_on,
    )  # fmt: skip
    deadlines.services_started(plan=plan, request=request)
    return request
