"""Who is targeted for outreach, kept in step by the job (DOMAIN 8): approved and assigned members
(the ECM Provider reaches out), members the plan identified (its staff reach out), engagements
ended when no longer targeted, set-based and idempotent."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorizations.models import RequestSource, WithdrawalReason
from authorizations.services import request_start_services, request_submit, request_withdraw
from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.tenancy.access import OPERATOR, Capability
from eligibility.models import Determination
from eligibility.services import determination_end
from members.models import EnrollmentSpan
from outreach.models import Engagement, EngagementState, TargetKind
from providers.selectors import open_assignment
from providers.services import assignment_override
from tests.outreach.world import (  # noqa: F401
    MONDAY,
    NPIS,
    approved_member,
    coordinator_fixture,
    engagement_of,
    identified_member,
    lead_care_manager_named,
    organization_of,
    provider_fixture,
    reviewer_fixture,
    synced,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")


def first_attempt_clock(engagement) -> Deadline:
    return Deadline.objects.get(kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT, target_id=engagement.pk)


def test_a_member_the_plan_identified_is_targeted_with_a_first_attempt_clock(plan_a):
    """DOMAIN 8: an open POF determination and no live request: the plan's staff reach out, the
    first attempt due N business days (the plan's setting, 10) after identification."""
    member = identified_member(plan_a, start=date(2026, 11, 2))
    assert synced(plan_a) == {"opened": 1, "enrolled": 0, "ended": 0, "open": 1}
    engagement = engagement_of(plan_a, member)
    assert (engagement.kind, engagement.organization_id, engagement.request_id) == (TargetKind.IDENTIFIED, None, None)
    assert (engagement.county_id, engagement.targeted_on) == (member.county_id, date(2026, 11, 2))
    # Ten business days after Monday 2 November 2026, Veterans Day (11 November) closed: 17 November.
    assert engagement.first_attempt_due == clocks.end_of_day(date(2026, 11, 17))
    clock = first_attempt_clock(engagement)
    assert (clock.owner, clock.organization_id, clock.member_id) == (Capability.OUTREACH_RECORD, None, member.pk)
    assert (clock.due_at, clock.link) == (engagement.first_attempt_due, f"/outreach/engagements/{engagement.pk}/")


def test_the_job_is_idempotent(plan_a, coordinator, reviewer, provider):
    """DOMAIN 8: a rerun with nothing changed opens and ends nothing."""
    identified_member(plan_a)
    approved_member(plan_a, coordinator, reviewer)
    assert synced(plan_a)["opened"] == 2
    assert synced(plan_a) == {"opened": 0, "enrolled": 0, "ended": 0, "open": 2}
    assert Deadline.objects.filter(kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT).count() == 2


def test_an_approved_and_assigned_member_is_the_providers_to_reach(plan_a, coordinator, reviewer, provider):
    """DOMAIN 8: approved and assigned: the ECM Provider reaches out before services start, from the
    later of the approval day and the assignment's start; its staff owe the clock."""
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    engagement = engagement_of(plan_a, request.member)
    assignment = open_assignment(plan=plan_a, member=request.member)
    assert (engagement.kind, engagement.organization, engagement.assignment, engagement.request) == (
        TargetKind.ASSIGNED, provider, assignment, request,
    )  # fmt: skip
    assert engagement.targeted_on == date(2026, 11, 23)
    clock = first_attempt_clock(engagement)
    assert (clock.owner, clock.organization) == (Capability.PROVIDER_OUTREACH_RECORD, provider)
    assert clock.link == f"/provider/outreach/{engagement.pk}/"


def test_a_member_with_a_live_request_is_not_identified(plan_a, coordinator):
    """DOMAIN 8: identified means no live request yet (presumptive and transition members have one)."""
    member = identified_member(plan_a)
    with clocks.frozen(MONDAY):
        request_submit(plan=plan_a, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL)
    assert synced(plan_a)["opened"] == 0
    assert not Engagement.objects.exists()


def test_a_request_submitted_elsewhere_ends_the_plans_outreach(plan_a, coordinator):
    """DOMAIN 8: the member is no longer "identified, no request": ended, its clock cancelled."""
    member = identified_member(plan_a)
    synced(plan_a)
    with clocks.frozen(MONDAY):
        request_submit(plan=plan_a, actor=coordinator, member=member, source=RequestSource.PROVIDER_REFERRAL)
    assert synced(plan_a, at=MONDAY + timedelta(hours=1))["ended"] == 1
    engagement = engagement_of(plan_a, member)
    assert (engagement.state, engagement.close_note) == (
        EngagementState.ENDED,
        "A request was submitted for the member.",
    )
    assert first_attempt_clock(engagement).state == DeadlineState.CANCELLED


def test_a_closed_determination_ends_the_outreach(plan_a):
    """DOMAIN 8: no open POF determination, no longer targeted."""
    member = identified_member(plan_a)
    synced(plan_a)
    determination = Determination.objects.get(member=member)
    with clocks.frozen(MONDAY):
        determination_end(plan=plan_a, determination=determination, end_date=date(2026, 11, 22), actor=OPERATOR)
    synced(plan_a)
    engagement = engagement_of(plan_a, member)
    assert engagement.state == EngagementState.ENDED
    assert engagement.close_note == "The member's Population of Focus determination closed."


def test_services_started_on_the_request_page_enroll(plan_a, coordinator, reviewer, provider):
    """DOMAIN 8: for an approved member enrollment is the start-services transition."""
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    lead_care_manager_named(plan_a, request.member)
    with clocks.frozen(MONDAY):
        request_start_services(plan=plan_a, actor=coordinator, request=request)
    assert synced(plan_a)["enrolled"] == 1
    engagement = engagement_of(plan_a, request.member)
    assert (engagement.state, engagement.close_note) == (EngagementState.ENROLLED, "Services started on the request.")
    assert first_attempt_clock(engagement).state == DeadlineState.CANCELLED


def test_a_request_withdrawn_elsewhere_ends_the_providers_outreach(plan_a, coordinator, reviewer, provider):
    """DOMAIN 8: withdrawn outside outreach: ended; the member, still identified and with no live
    request, is the plan's to reach again."""
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    with clocks.frozen(MONDAY):
        request_withdraw(plan=plan_a, actor=coordinator, request=request, reason=WithdrawalReason.REQUEST_WITHDRAWN)
    assert synced(plan_a) == {"opened": 1, "enrolled": 0, "ended": 1, "open": 1}
    ended = engagement_of(plan_a, request.member, kind=TargetKind.ASSIGNED)
    assert (ended.state, ended.close_note) == (EngagementState.ENDED, "The request was withdrawn.")
    assert engagement_of(plan_a, request.member, state=EngagementState.OPEN).kind == TargetKind.IDENTIFIED


def test_a_reassignment_ends_the_old_providers_outreach_and_opens_the_new_ones(
    plan_a, coordinator, reviewer, provider, make_membership
):
    """DOMAIN 8: outreach is the assigned provider's: another provider, another engagement."""
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    other = organization_of(plan_a, npi=NPIS[1], name="Westside Care")
    with clocks.frozen(MONDAY):
        assignment_override(
            plan=plan_a, assignment=open_assignment(plan=plan_a, member=request.member), organization=other,
            reason="Closer to home", actor=coordinator,
        )  # fmt: skip
    assert synced(plan_a) == {"opened": 1, "enrolled": 0, "ended": 1, "open": 1}
    old = engagement_of(plan_a, request.member, organization=provider)
    assert (old.state, old.close_note) == (EngagementState.ENDED, "The member was assigned to another ECM Provider.")
    new = engagement_of(plan_a, request.member, state=EngagementState.OPEN)
    assert (new.organization, new.request) == (other, request)
    assert first_attempt_clock(new).organization == other


def test_the_job_reads_and_writes_in_a_bounded_number_of_queries(plan_a):
    """ARCHITECTURE: set-based; the number of queries does not grow with the targets."""
    for _ in range(3):
        identified_member(plan_a)
    with CaptureQueriesContext(connection) as few:
        synced(plan_a)
    for _ in range(12):
        identified_member(plan_a)
    with CaptureQueriesContext(connection) as many:
        assert synced(plan_a, at=MONDAY + timedelta(minutes=10))["opened"] == 12
    assert len(many) == len(few)


def test_a_member_no_longer_enrolled_is_not_identified_and_their_outreach_ends(plan_a):
    """DOMAIN 8: outreach is to the plan's members; one who left the plan is no longer targeted."""
    member, gone = identified_member(plan_a), identified_member(plan_a)
    EnrollmentSpan.objects.filter(member=gone).update(end_date=date(2026, 10, 31))
    assert synced(plan_a)["opened"] == 1
    EnrollmentSpan.objects.filter(member=member).update(end_date=date(2026, 11, 30))
    assert synced(plan_a, at=MONDAY + timedelta(days=8))["ended"] == 1
    engagement = engagement_of(plan_a, member)
    assert (engagement.state, engagement.close_note) == (
        EngagementState.ENDED, "The member is no longer enrolled in the plan.",
    )  # fmt: skip
    assert not Engagement.objects.filter(member=gone).exists()


@pytest.mark.parametrize("source", [RequestSource.PRESUMPTIVE, RequestSource.TRANSITION])
def test_an_approved_presumptive_or_transition_member_is_not_targeted(plan_a, coordinator, reviewer, provider, source):
    """DOMAIN 8: presumptive and transition members are already in services; an outreach close-out
    would withdraw services in place without a notice (DOMAIN 5.3)."""
    request = approved_member(plan_a, coordinator, reviewer)
    type(request).objects.filter(pk=request.pk).update(source=source)
    assert synced(plan_a)["opened"] == 0
    assert not Engagement.objects.filter(plan=plan_a, member=request.member).exists()


def test_a_determination_open_today_with_an_end_date_set_is_targeted(plan_a):
    """DOMAIN 8: an open POF determination is one that covers today, whatever its end date."""
    member = identified_member(plan_a)
    Determination.objects.filter(plan=plan_a, member=member).update(end_date=date(2027, 6, 30))
    assert synced(plan_a)["opened"] == 1
    assert engagement_of(plan_a, member).kind == TargetKind.IDENTIFIED
