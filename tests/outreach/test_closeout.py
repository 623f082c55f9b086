"""How outreach ends by its own hand (DOMAIN 8): enrollment (start of services, or a request the
plan submits), a member who declines or cannot be reached (a live request withdrawn, no NOA, 5.3),
and the referral to the plan's other programs that follows a close-out (Policy Guide V.1.f)."""

import time
from datetime import timedelta

import pytest

from authorizations.models import AuthorizationRequest, Notice, RequestSource, Status, WithdrawalReason
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.outbox.models import OutboxMessage
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import Role
from outreach import services
from outreach.models import Engagement, EngagementState, Method, Outcome
from providers.models import Assignment
from tests.conftest import membership_of
from tests.outreach.world import (  # noqa: F401
    MONDAY,
    approved_member,
    coordinator_fixture,
    engagement_of,
    identified_member,
    lead_care_manager_named,
    provider_fixture,
    provider_staff_fixture,
    reviewer_fixture,
    synced,
)
from tests.redis_server import broker_at, free_port

pytestmark = pytest.mark.usefixtures("in_plan_a")
LATER = MONDAY + timedelta(hours=3)


@pytest.fixture
def assigned(plan_a, coordinator, reviewer, provider):
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    return engagement_of(plan_a, request.member)


@pytest.fixture
def identified(plan_a):
    member = identified_member(plan_a)
    synced(plan_a)
    return engagement_of(plan_a, member)


def clock(kind, engagement):
    return Deadline.objects.get(kind=kind, target_id=engagement.pk)


def act(service, plan, actor, engagement, at=LATER, **fields):
    with clocks.frozen(at):
        return getattr(services, service)(plan=plan, actor=actor, engagement=engagement, **fields)


def test_provider_staff_enroll_an_approved_member_by_starting_services(plan_a, assigned, provider_staff):
    """DOMAIN 8: for an approved member enrollment is the start-services transition, taken for the
    provider's staff (who hold no start-services capability of their own)."""
    lead_care_manager_named(plan_a, assigned.member)
    engagement = act("engagement_enroll", plan_a, provider_staff, assigned, note="Agreed at the shelter")
    assert (engagement.state, engagement.closed_by, engagement.close_note) == (
        EngagementState.ENROLLED, provider_staff.user, "Agreed at the shelter",
    )  # fmt: skip
    request = AuthorizationRequest.objects.get(pk=assigned.request_id)
    assert (request.status, request.services_started_on) == (Status.ACTIVE, LATER.date())
    started = AuditEvent.objects.get(code="authorizations.request.start_services")
    assert started.actor_label == "system:outreach-enrollment"
    assert clock(DeadlineKind.OUTREACH_FIRST_ATTEMPT, assigned).state == DeadlineState.CANCELLED
    assert AuditEvent.objects.filter(code="outreach.engagement.enrolled", target_id=str(assigned.pk)).exists()


def test_enrollment_without_a_lead_care_manager_is_refused_and_changes_nothing(plan_a, assigned, provider_staff):
    """DOMAIN 5.2, 7: services start only with a Lead Care Manager; the refusal passes through."""
    with pytest.raises(DomainError) as refused:
        act("engagement_enroll", plan_a, provider_staff, assigned)
    assert refused.value.code == "no_lead_care_manager"
    assert Engagement.objects.get(pk=assigned.pk).state == EngagementState.OPEN
    assert AuthorizationRequest.objects.get(pk=assigned.request_id).status == Status.APPROVED


def test_an_identified_member_who_agrees_gets_a_request_from_plan_identification(plan_a, identified, coordinator):
    """DOMAIN 8: the plan's staff submit a request when the member agrees: source "plan
    identification", with its decision clock."""
    engagement = act("engagement_enroll", plan_a, coordinator, identified)
    request = engagement.request
    assert (engagement.state, request.status) == (EngagementState.ENROLLED, Status.RECEIVED)
    assert (request.source, request.created_by, request.member) == (
        RequestSource.MCP_IDENTIFICATION, coordinator, identified.member,
    )  # fmt: skip
    assert [pof.code for pof in request.pofs.all()] == ["HOMELESS"]
    assert clock(DeadlineKind.DECISION, request).is_live
    assert Engagement.objects.get(pk=identified.pk).request == request


def test_each_side_closes_only_its_own_engagements(plan_a, assigned, identified, provider_staff, coordinator):
    """DOMAIN 8: the provider's staff close their assigned members, the plan's coordinators the
    members the plan identified."""
    with pytest.raises(ActionNotPermitted):
        act("engagement_decline", plan_a, coordinator, assigned)
    with pytest.raises(ActionNotPermitted):
        act("engagement_decline", plan_a, provider_staff, identified)
    reviewer = membership_of(plan_a, Role.REVIEWER).user
    with pytest.raises(ActionNotPermitted):
        act("engagement_decline", plan_a, reviewer, identified)


def test_a_declining_approved_member_has_the_request_withdrawn_without_a_notice(
    plan_a, assigned, provider_staff, coordinator, reviewer
):
    """DOMAIN 8, 5.3: a live request is withdrawn (no NOA), the provider's assignment ends, every
    active coordinator is told and the other-programs referral clock opens."""
    other_coordinator = membership_of(plan_a, Role.CARE_COORDINATOR).user
    membership_of(plan_a, Role.CARE_COORDINATOR, is_active=False)
    notices_before = Notice.objects.count()
    engagement = act("engagement_decline", plan_a, provider_staff, assigned, note="Does not want ECM")
    assert engagement.state == EngagementState.DECLINED
    request = AuthorizationRequest.objects.get(pk=assigned.request_id)
    assert (request.status, request.withdrawal_reason) == (Status.WITHDRAWN, WithdrawalReason.MEMBER_DECLINED)
    assert Notice.objects.count() == notices_before
    assert Assignment.objects.get(pk=assigned.assignment_id).ended_on is not None
    referral = clock(DeadlineKind.OTHER_PROGRAMS_REFERRAL, assigned)
    assert (referral.owner, referral.organization_id) == (Capability.OTHER_PROGRAMS_REFER, None)
    assert referral.due_at == clocks.business_days_after(plan=plan_a, start=LATER, days=10)
    assert referral.link == f"/outreach/engagements/{assigned.pk}/"
    told = Notification.objects.filter(link=f"/outreach/engagements/{assigned.pk}/")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([coordinator.pk, other_coordinator.pk])
    assert reviewer.pk not in told.values_list("recipient", flat=True)


def test_a_closed_out_member_is_not_targeted_again(plan_a, assigned, provider_staff):
    """DOMAIN 8: after a close-out the member, still identified and without a live request, is not
    reopened by the targeting job."""
    act("engagement_decline", plan_a, provider_staff, assigned)
    assert synced(plan_a, at=LATER + timedelta(minutes=10))["opened"] == 0
    assert not Engagement.objects.filter(state=EngagementState.OPEN).exists()


def test_an_identified_member_who_declines_is_closed_with_no_request(plan_a, identified, coordinator):
    """DOMAIN 8: a plan-identified member with no request has the outreach closed with the reason."""
    engagement = act("engagement_decline", plan_a, coordinator, identified, note="Declined by phone")
    assert (engagement.state, engagement.request_id, engagement.close_note) == (
        EngagementState.DECLINED, None, "Declined by phone",
    )  # fmt: skip
    assert not AuthorizationRequest.objects.exists()
    assert clock(DeadlineKind.OTHER_PROGRAMS_REFERRAL, identified).is_live
    with pytest.raises(ConflictError):
        act("engagement_decline", plan_a, coordinator, identified)


def attempt(plan, actor, engagement, day, method=Method.TELEPHONE):
    at = MONDAY + timedelta(days=day, hours=1)
    with clocks.frozen(at + timedelta(minutes=30)):
        services.attempt_record(
            plan=plan, actor=actor, engagement=engagement, attempted_at=at, method=method, asks_for_response=True,
            outcome=Outcome.NO_ANSWER if method != Method.IN_PERSON else Outcome.WRONG_NUMBER, minutes=10,
        )  # fmt: skip


def test_unable_to_reach_only_once_the_attempt_policy_is_met(plan_a, assigned, provider_staff):
    """DOMAIN 8: after the plan's attempt policy (3 counting attempts, 2 methods, 30 days): then the
    request is withdrawn as member unreachable."""
    attempt(plan_a, provider_staff, assigned, 0)
    attempt(plan_a, provider_staff, assigned, 10, Method.IN_PERSON)
    with pytest.raises(DomainError) as refused:
        act("engagement_unreachable", plan_a, provider_staff, assigned, at=MONDAY + timedelta(days=31))
    assert refused.value.code == "attempt_policy_not_met"
    assert "1 more counting attempt(s) (of 3)" in refused.value.message
    attempt(plan_a, provider_staff, assigned, 30)
    engagement = act("engagement_unreachable", plan_a, provider_staff, assigned, at=MONDAY + timedelta(days=31))
    assert engagement.state == EngagementState.UNREACHABLE
    request = AuthorizationRequest.objects.get(pk=assigned.request_id)
    assert (request.status, request.withdrawal_reason) == (Status.WITHDRAWN, WithdrawalReason.MEMBER_UNREACHABLE)


def test_the_referral_to_other_programs_meets_its_clock(plan_a, identified, coordinator, provider_staff):
    """Policy Guide V.1.f: the coordinator records the referral; it needs a note and a close-out."""
    with pytest.raises(ConflictError):
        act("other_programs_referral_record", plan_a, coordinator, identified, note="CalFresh")
    act("engagement_decline", plan_a, coordinator, identified)
    with pytest.raises(DomainError) as refused:
        act("other_programs_referral_record", plan_a, coordinator, identified, note=" ")
    assert refused.value.field == "note"
    with pytest.raises(ActionNotPermitted):
        act("other_programs_referral_record", plan_a, provider_staff, identified, note="CalFresh")
    engagement = act("other_programs_referral_record", plan_a, coordinator, identified, note="CalFresh, CS housing")
    assert (engagement.other_programs_referred_at, engagement.other_programs_note) == (LATER, "CalFresh, CS housing")
    assert clock(DeadlineKind.OTHER_PROGRAMS_REFERRAL, identified).state == DeadlineState.MET
    with pytest.raises(ConflictError):
        act("other_programs_referral_record", plan_a, coordinator, identified, note="again")


def test_a_close_out_with_the_broker_down_commits_and_its_emails_wait_in_the_outbox(
    plan_a, identified, coordinator, django_capture_on_commit_callbacks
):
    """Faults: a coordinator's notification email cannot fail the close-out; it waits for the sweeper."""
    with broker_at(free_port()), django_capture_on_commit_callbacks(execute=True):
        started = time.perf_counter()
        act("engagement_decline", plan_a, coordinator, identified)
        assert time.perf_counter() - started < 5
    assert Engagement.objects.get(pk=identified.pk).state == EngagementState.DECLINED
    pending = OutboxMessage.objects.get(task_name="ecm_platform.notifications.tasks.notification_email")
    assert pending.delivered_at is None
