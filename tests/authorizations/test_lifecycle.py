"""The authorization lifecycle through the services (DOMAIN 5.1, 5.2, 6): clocks at receipt, the
transitions and only these, approval, denial and extension."""

from datetime import date, datetime, timedelta

import pytest

from authorizations import services
from authorizations.models import (
    AuthorizationRequest,
    Decision,
    DenialReason,
    DiscontinuationReason,
    NoticeType,
    RequestSource,
    Status,
    Urgency,
    WithdrawalReason,
)
from authorizations.services.discontinuation import discontinuation_job
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, ConflictError, CrossPlanReference, DomainError
from ecm_platform.tenancy.models import Role
from eligibility.models import Determination, DeterminationSource
from providers.models import Assignment, AwaitingAssignment
from tests.authorizations.helpers import (
    LA,
    MONDAY,
    homeless_member,
    in_review,
    reload,
    start_presumptive,
    start_services,
    submit,
)
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")


# --- DOMAIN 5.1: clocks set at receipt ----------------------------------------------------------------


def test_a_routine_request_is_due_at_the_earlier_of_five_working_days_and_seven_calendar_days(
    plan_a, coordinator, member, at_monday
):
    # DOMAIN 5.1: Thanksgiving closes Thu and Fri, so the 5th working day is Wed 12-02; the
    # 7-calendar-day limit in force since 2026-01-01 ends Mon 11-30 and binds.
    request = submit(plan_a, coordinator, member)
    assert request.status == Status.RECEIVED
    assert request.due_at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=LA)


def test_an_expedited_request_is_due_72_real_hours_after_receipt(plan_a, coordinator, member):
    # DOMAIN 5.1: 72 elapsed hours across the spring-forward change
    received = datetime(2027, 3, 13, 9, 30, tzinfo=LA)
    with clocks.frozen(received + timedelta(hours=1)):
        request = submit(plan_a, coordinator, member, urgency=Urgency.EXPEDITED, received_at=received)
    assert request.due_at == datetime(2027, 3, 16, 10, 30, tzinfo=LA)
    assert clocks.elapsed(received, request.due_at) == timedelta(hours=72)


def test_a_request_for_a_member_not_enrolled_or_of_another_plan_is_refused(plan_a, plan_b, coordinator, at_monday):
    # DOMAIN 5.2: submit needs a member enrolled in the plan
    from tests.factories import MemberFactory

    with pytest.raises(DomainError, match="not enrolled"):
        submit(plan_a, coordinator, MemberFactory(plan=plan_a))
    with pytest.raises(CrossPlanReference):
        submit(plan_a, coordinator, enrolled_member(plan_b))
    assert not AuthorizationRequest.objects.exists()


def test_a_member_has_one_live_request_per_service(plan_a, coordinator, reviewer, member, at_monday):
    # DOMAIN 5.2: a second request while one is open, approved or active is a duplicate
    first = submit(plan_a, coordinator, member)
    with pytest.raises(ConflictError, match=f"already has request {first.pk}") as refused:
        submit(plan_a, coordinator, member, source=RequestSource.SELF_REFERRAL)
    assert refused.value.code == "open_request_exists"
    services.request_withdraw(plan=plan_a, actor=coordinator, request=first, reason=WithdrawalReason.DUPLICATE)
    assert submit(plan_a, coordinator, member).status == Status.RECEIVED


def test_a_request_cannot_be_received_in_the_future(plan_a, coordinator, member, at_monday):
    with pytest.raises(DomainError, match="future"):
        submit(plan_a, coordinator, member, received_at=MONDAY + timedelta(hours=1))


# --- DOMAIN 5.2: the transitions, and only these ---------------------------------------------------


def test_the_full_lifecycle_is_audited_step_by_step(plan_a, coordinator, reviewer, member, provider, at_monday):
    # DOMAIN 5.2: received → in_review → deferred → in_review → approved → active → discontinued,
    # the last on the effective date, by the job
    request = submit(plan_a, coordinator, member)
    request = services.request_start_review(plan=plan_a, actor=coordinator, request=request)
    request = services.request_extend(plan=plan_a, actor=reviewer, request=request, days=14, reason="Assessment due")
    request = services.request_resume(plan=plan_a, actor=reviewer, request=request)
    request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
    request = start_services(plan_a, coordinator, request)
    with clocks.frozen(MONDAY + timedelta(days=60)):
        request = services.request_discontinue(
            plan=plan_a, actor=reviewer, request=request, reason=DiscontinuationReason.GOALS_MET,
            effective_on=date(2027, 2, 5),
        )  # fmt: skip
    assert reload(request).status == Status.ACTIVE
    with clocks.frozen(datetime(2027, 2, 5, 23, 30, tzinfo=LA)):
        services.discontinuations_take_effect(plan=plan_a, actor=discontinuation_job(plan_a))
    assert reload(request).status == Status.DISCONTINUED
    steps = list(
        AuditEvent.objects.filter(
            target_type="authorizations.authorizationrequest",
            target_id=str(request.pk),
            code__startswith="authorizations.request.",
        )
        .order_by("id")
        .values_list("code", "payload__from", "payload__to", "actor_label")
    )
    assert [step[:3] for step in steps] == [
        ("authorizations.request.received", None, None),
        ("authorizations.request.start_review", "received", "in_review"),
        ("authorizations.request.extend", "in_review", "deferred"),
        ("authorizations.request.resume", "deferred", "in_review"),
        ("authorizations.request.approve", "in_review", "approved"),
        ("authorizations.request.start_services", "approved", "active"),
        ("authorizations.request.discontinuation_scheduled", None, None),
        ("authorizations.request.discontinue", "active", "discontinued"),
    ]
    assert steps[4][3] == reviewer.username
    assert (steps[6][3], steps[7][3]) == (reviewer.username, "system:discontinuations")


ILLEGAL = [
    # (the state to reach, the action that is not allowed from it)
    ("received", "approve"),
    ("received", "deny"),
    ("received", "resume"),
    ("received", "start_services"),
    ("in_review", "start_services"),
    ("in_review", "resume"),
    ("in_review", "discontinue"),
    ("approved", "approve"),
    ("approved", "deny"),
    ("approved", "discontinue"),
    ("denied", "withdraw"),
    ("denied", "start_review"),
    ("withdrawn", "start_review"),
]


def reach(state, plan, coordinator, reviewer, member):
    request = submit(plan, coordinator, member)
    if state == "received":
        return request
    if state == "withdrawn":
        return services.request_withdraw(
            plan=plan, actor=coordinator, request=request, reason=WithdrawalReason.DUPLICATE
        )
    request = services.request_start_review(plan=plan, actor=reviewer, request=request)
    if state == "approved":
        return services.request_approve(plan=plan, actor=reviewer, request=request)
    if state == "denied":
        return services.request_deny(
            plan=plan, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="Not needed"
        )
    return request


def take(action, plan, request, coordinator, reviewer):
    actor = coordinator if action in {"withdraw", "start_services"} else reviewer
    arguments = {
        "approve": {},
        "deny": {"reason": DenialReason.OTHER, "explanation": "x"},
        "resume": {},
        "start_services": {},
        "start_review": {},
        "withdraw": {"reason": WithdrawalReason.DUPLICATE},
        "discontinue": {"reason": DiscontinuationReason.GOALS_MET, "effective_on": date(2027, 1, 30)},
    }[action]
    return getattr(services, f"request_{action}")(plan=plan, actor=actor, request=request, **arguments)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(
    state, action, plan_a, coordinator, reviewer, member, provider, at_monday
):
    # DOMAIN 5.2: illegal transitions are impossible, not merely hidden
    request = reach(state, plan_a, coordinator, reviewer, member)
    events = AuditEvent.objects.count()
    with pytest.raises((ConflictError, DomainError)):
        take(action, plan_a, reload(request), coordinator, reviewer)
    assert reload(request).status == state
    assert AuditEvent.objects.count() == events


def test_the_status_field_cannot_be_written_directly(plan_a, coordinator, member, at_monday):
    # DOMAIN 5.2: only a transition changes the state
    request = submit(plan_a, coordinator, member)
    with pytest.raises(AttributeError):
        request.status = Status.APPROVED


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.CARE_COORDINATOR, "approve"),
        (Role.CARE_COORDINATOR, "deny"),
        (Role.CARE_COORDINATOR, "extend"),
        (Role.REPORTING_ANALYST, "start_review"),
        (Role.PLAN_ADMINISTRATOR, "approve"),
        (Role.INTEGRATOR, "approve"),
        (Role.REVIEWER, "withdraw"),
    ],
)
def test_roles_take_only_their_own_transitions(
    role, action, plan_a, coordinator, reviewer, member, make_membership, at_monday
):
    # DOMAIN 1 and 5.2: coordinators prepare, reviewers decide
    request = submit(plan_a, coordinator, member)
    if action != "start_review":
        request = services.request_start_review(plan=plan_a, actor=reviewer, request=request)
    actor = make_membership(plan_a, role).user
    arguments = {
        "approve": {},
        "deny": {"reason": DenialReason.OTHER, "explanation": "x"},
        "extend": {"days": 3, "reason": "x"},
        "start_review": {},
        "withdraw": {"reason": WithdrawalReason.DUPLICATE},
    }[action]
    with pytest.raises(ActionNotPermitted):
        getattr(services, f"request_{action}")(plan=plan_a, actor=actor, request=reload(request), **arguments)
    assert reload(request).status == request.status


def test_only_coordinators_and_integrators_submit(plan_a, member, make_membership, at_monday):
    # DOMAIN 5.2: submit — coordinator, provider staff, integrator
    integrator = make_membership(plan_a, Role.INTEGRATOR).user
    assert submit(plan_a, integrator, member).status == Status.RECEIVED
    with pytest.raises(ActionNotPermitted):
        submit(plan_a, make_membership(plan_a, Role.REVIEWER).user, member)


def test_two_reviewers_deciding_at_once_get_one_success_and_one_conflict(
    plan_a, coordinator, reviewer, member, provider, make_membership, at_monday
):
    # DOMAIN 5.2: exactly one wins; the other gets a clear conflict and changes nothing
    request = in_review(plan_a, coordinator, reviewer, member)
    second_reviewer = make_membership(plan_a, Role.REVIEWER).user
    first_view, second_view = reload(request), reload(request)
    services.request_approve(plan=plan_a, actor=reviewer, request=first_view)
    with pytest.raises(ConflictError, match="Someone else changed this request first"):
        services.request_deny(
            plan=plan_a, actor=second_reviewer, request=second_view, reason=DenialReason.OTHER, explanation="x"
        )
    assert reload(request).status == Status.APPROVED
    assert [n.notice_type for n in reload(request).notices.all()] == [NoticeType.APPROVAL]  # the winner's letter
    assert AuditEvent.objects.filter(code="authorizations.request.deny").count() == 0


# --- Approval and denial --------------------------------------------------------------------------


def test_approval_needs_an_eligible_result(plan_a, coordinator, reviewer, at_monday):
    # DOMAIN 5.2: approve needs an eligible result (here: no POF at all)
    request = in_review(plan_a, coordinator, reviewer, enrolled_member(plan_a))
    with pytest.raises(DomainError, match="not eligible") as refused:
        services.request_approve(plan=plan_a, actor=reviewer, request=request)
    assert refused.value.field == "eligibility"
    assert reload(request).status == Status.IN_REVIEW


def test_a_discretionary_high_utilizer_justification_records_the_pof_and_approves(
    plan_a, coordinator, reviewer, at_monday
):
    # DOMAIN 3.1 and 5.2: the plan may authorize other very high utilizers by discretion, recorded as such
    request = in_review(plan_a, coordinator, reviewer, enrolled_member(plan_a))
    services.request_approve(
        plan=plan_a, actor=reviewer, request=request, discretionary_justification="Eleven ED visits in 4 months"
    )
    assert reload(request).status == Status.APPROVED
    determination = Determination.objects.get(member=request.member)
    assert (determination.pof.code, determination.source) == ("HIGH_UTILIZER", DeterminationSource.DISCRETIONARY)
    assert determination.justification == "Eleven ED visits in 4 months"


def test_approval_assigns_an_ecm_provider(plan_a, coordinator, reviewer, member, provider, at_monday):
    # DOMAIN 5.2 and 7: approval calls the assignment service
    request = in_review(plan_a, coordinator, reviewer, member)
    services.request_approve(plan=plan_a, actor=reviewer, request=request)
    assignment = Assignment.objects.get(member=member)
    assert assignment.organization == provider
    assert assignment.authorized_on == date(2026, 11, 23)


def test_approval_without_a_provider_stands_and_the_member_awaits_assignment(
    plan_a, coordinator, reviewer, member, at_monday
):
    # DOMAIN 5.1 and 7: the decision is due by law; a missing provider does not hold it up, and the
    # member waits on the awaiting-assignment worklist
    request = in_review(plan_a, coordinator, reviewer, member)
    services.request_approve(plan=plan_a, actor=reviewer, request=request)
    assert reload(request).status == Status.APPROVED
    assert AwaitingAssignment.objects.filter(member=member, resolved_at__isnull=True).exists()
    with pytest.raises(DomainError, match="Assign an ECM Provider"):
        services.request_start_services(plan=plan_a, actor=coordinator, request=reload(request))


def test_a_modified_approval_needs_the_modification(plan_a, coordinator, reviewer, member, provider, at_monday):
    request = in_review(plan_a, coordinator, reviewer, member)
    with pytest.raises(DomainError) as refused:
        services.request_approve(plan=plan_a, actor=reviewer, request=request, decision=Decision.MODIFIED)
    assert refused.value.field == "modification"


def test_a_denial_needs_a_reason_code_and_a_plain_language_explanation(
    plan_a, coordinator, reviewer, member, at_monday
):
    # DOMAIN 5.2: deny — reason code + plain-language explanation
    request = in_review(plan_a, coordinator, reviewer, member)
    with pytest.raises(DomainError) as no_explanation:
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation=" ")
    assert no_explanation.value.field == "explanation"
    with pytest.raises(DomainError) as no_reason:
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason="bogus", explanation="x")
    assert no_reason.value.field == "reason"
    assert reload(request).status == Status.IN_REVIEW


# --- Extension -------------------------------------------------------------------------------------


def test_one_extension_of_up_to_14_days_with_a_reason(plan_a, coordinator, reviewer, member, at_monday):
    # DOMAIN 5.1: extended once by up to 14 calendar days added to the due instant
    request = in_review(plan_a, coordinator, reviewer, member)
    old_due = request.due_at
    with pytest.raises(DomainError) as too_long:
        services.request_extend(plan=plan_a, actor=reviewer, request=request, days=15, reason="x")
    assert too_long.value.field == "days"
    with pytest.raises(DomainError, match="reason"):
        services.request_extend(plan=plan_a, actor=reviewer, request=request, days=14, reason="")
    request = services.request_extend(plan=plan_a, actor=reviewer, request=reload(request), days=14, reason="Records")
    assert request.due_at == old_due + timedelta(days=14)
    assert (request.original_due_at, request.extension_days) == (old_due, 14)
    request = services.request_resume(plan=plan_a, actor=reviewer, request=request)
    with pytest.raises(ConflictError, match="once"):
        services.request_extend(plan=plan_a, actor=reviewer, request=request, days=1, reason="again")


@pytest.mark.parametrize(
    ("source", "notice"),
    [(RequestSource.SELF_REFERRAL, NoticeType.DELAY), (RequestSource.MCP_IDENTIFICATION, None)],
)
def test_an_extension_of_a_requested_service_sends_a_delay_notice(
    source, notice, plan_a, coordinator, reviewer, member, at_monday
):
    # DOMAIN 5.3: a NOA when the member or a provider requested the service and it is deferred
    request = in_review(plan_a, coordinator, reviewer, member, source=source)
    services.request_extend(plan=plan_a, actor=reviewer, request=request, days=7, reason="Waiting for records")
    assert [n.notice_type for n in reload(request).notices.all()] == ([notice] if notice else [])


# DOMAIN 5.2: the table, and only it. (state, action) pairs that exist; every other pair does not.
TABLE = {
    ("received", "start_review"), ("received", "extend"), ("in_review", "extend"), ("deferred", "resume"),
    ("in_review", "approve"), ("deferred", "approve"), ("presumptive", "approve"),
    ("in_review", "deny"), ("deferred", "deny"), ("presumptive", "deny"),
    ("received", "withdraw"), ("in_review", "withdraw"), ("deferred", "withdraw"), ("presumptive", "withdraw"),
    ("approved", "withdraw"), ("denied", "overturn"), ("approved", "start_services"), ("active", "discontinue"),
}  # fmt: skip
ACTIONS = [
    "start_review",
    "extend",
    "resume",
    "approve",
    "deny",
    "withdraw",
    "overturn",
    "start_services",
    "discontinue",
]


@pytest.mark.parametrize("state", Status.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_state_machine_has_exactly_the_transitions_of_the_table(state, action):
    # DOMAIN 5.2: every (state, action) pair, legal or not
    from django_fsm import can_proceed

    request = AuthorizationRequest(status=state)
    assert can_proceed(getattr(request, action), check_conditions=False) is ((state, action) in TABLE)


def test_the_other_legal_transitions_through_the_services(plan_a, coordinator, reviewer, provider, at_monday):
    # DOMAIN 5.2: received → deferred, deferred → denied, presumptive → approved, approved → withdrawn
    deferred = services.request_extend(
        plan=plan_a, actor=reviewer, request=submit(plan_a, coordinator, homeless_member(plan_a)), days=2, reason="x"
    )
    assert deferred.status == Status.DEFERRED
    denied = services.request_deny(
        plan=plan_a, actor=reviewer, request=deferred, reason=DenialReason.OTHER, explanation="x"
    )
    assert denied.status == Status.DENIED
    presumptive = start_presumptive(plan_a, homeless_member(plan_a), provider)
    approved = services.request_approve(plan=plan_a, actor=reviewer, request=presumptive)
    assert approved.status == Status.APPROVED
    withdrawn = services.request_withdraw(
        plan=plan_a, actor=coordinator, request=approved, reason=WithdrawalReason.MEMBER_UNREACHABLE
    )
    assert withdrawn.status == Status.WITHDRAWN
    # DOMAIN 5.3: nothing for a member unreachable before services began (the approval had its letter)
    assert [n.notice_type for n in withdrawn.notices.all()] == [NoticeType.APPROVAL]
