"""A member who leaves the plan (DOMAIN 5.2): a daily job, as a system principal, finds the requests
in presumptive, approved, active, deferred, in review or received whose member's enrollment ended
and ends them (`ended`, no notice); the assignment ends on the last enrolled day (DOMAIN 7)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from authorizations import services
from authorizations.models import DenialReason, Status
from authorizations.services.left_plan import left_plan_job
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.errors import ActionNotPermitted
from members.models import EnrollmentSpan
from providers.models import Assignment
from tests.authorizations.helpers import (
    homeless_member,
    in_review,
    reload,
    start_presumptive,
    start_services,
    submit,
)

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)
LAST_ENROLLED = date(2026, 11, 30)
AFTER = datetime(2026, 12, 1, 23, 30, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


def reach(state, plan, coordinator, reviewer, member, provider):
    if state == "presumptive":
        return start_presumptive(plan, member, provider)
    request = submit(plan, coordinator, member)
    if state == "received":
        return request
    if state == "deferred":
        return services.request_extend(plan=plan, actor=reviewer, request=request, days=3, reason="Records")
    request = services.request_start_review(plan=plan, actor=reviewer, request=request)
    if state == "in_review":
        return request
    if state == "denied":
        return services.request_deny(
            plan=plan, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x"
        )
    request = services.request_approve(plan=plan, actor=reviewer, request=request)
    return request if state == "approved" else start_services(plan, coordinator, request)


def leave_plan(member, last_day=LAST_ENROLLED):
    EnrollmentSpan.objects.filter(member=member).update(end_date=last_day)


def run_job(plan, at=AFTER):
    with clocks.frozen(at):
        return services.requests_end_for_members_left(plan=plan, actor=left_plan_job(plan))


@pytest.mark.parametrize("state", ["received", "in_review", "deferred", "presumptive", "approved", "active"])
def test_the_requests_of_a_member_who_left_the_plan_end_without_a_notice(
    state, plan_a, coordinator, reviewer, provider
):
    # DOMAIN 5.2: the member left the plan → ended, no NOA; the decision clock stops
    member = homeless_member(plan_a)
    with clocks.frozen(MONDAY):
        request = reach(state, plan_a, coordinator, reviewer, member, provider)
    notices_before = request.notices.count()
    leave_plan(member)
    assert run_job(plan_a) == [request.pk]
    request = reload(request)
    assert request.status == Status.ENDED
    assert request.notices.count() == notices_before
    assert not deadlines_of(plan=plan_a, target=request).exists()  # no clock of it still runs
    decision = deadlines_of(plan=plan_a, target=request, states=tuple(DeadlineState)).filter(kind=DeadlineKind.DECISION)
    assert set(decision.values_list("state", flat=True)) <= {DeadlineState.MET}
    assert run_job(plan_a) == []  # a rerun finds nothing more


def test_the_assignment_ends_on_the_last_enrolled_day(plan_a, coordinator, reviewer, provider):
    # DOMAIN 5.2 and 7: the assignment ends on the last enrolled day, freeing the provider's place
    member = homeless_member(plan_a)
    with clocks.frozen(MONDAY):
        request = reach("active", plan_a, coordinator, reviewer, member, provider)
    leave_plan(member)
    run_job(plan_a, at=datetime(2026, 12, 9, 23, 30, tzinfo=LA))  # found a week late, dated right
    assignment = Assignment.objects.get(member=member)
    assert (assignment.ended_on, assignment.end_reason) == (LAST_ENROLLED, "left_plan")
    assert reload(request).status == Status.ENDED


def test_late_enrollment_data_never_ends_an_assignment_before_it_started(plan_a, coordinator, reviewer, provider):
    # DOMAIN 5.2 and 7: the member's enrollment ended before they were assigned (the disenrollment
    # arrived late): the assignment ends on its first day, and the audit says the end is retroactive
    member = homeless_member(plan_a)
    with clocks.frozen(MONDAY):
        reach("approved", plan_a, coordinator, reviewer, member, provider)
    leave_plan(member, last_day=date(2026, 11, 20))
    run_job(plan_a)
    assignment = Assignment.objects.get(member=member)
    assert (assignment.started_on, assignment.ended_on) == (MONDAY.date(), MONDAY.date())
    ended = AuditEvent.objects.get(code="providers.assignment.ended", target_id=str(assignment.pk))
    assert (ended.payload["ended_on"], ended.payload["retroactive"]) == ("2026-11-23", True)


def test_members_still_enrolled_and_decided_requests_are_left_alone(plan_a, coordinator, reviewer, provider):
    with clocks.frozen(MONDAY):
        staying = reach("active", plan_a, coordinator, reviewer, homeless_member(plan_a), provider)
        leaver = homeless_member(plan_a)
        denied = reach("denied", plan_a, coordinator, reviewer, leaver, provider)
        in_future = homeless_member(plan_a)
        ends_later = reach("in_review", plan_a, coordinator, reviewer, in_future, provider)
    leave_plan(leaver)
    leave_plan(in_future, last_day=date(2026, 12, 31))  # still enrolled today
    assert run_job(plan_a) == []
    assert [reload(r).status for r in (staying, denied, ends_later)] == [
        Status.ACTIVE, Status.DENIED, Status.IN_REVIEW,
    ]  # fmt: skip


def test_only_the_system_principal_ends_requests(plan_a, coordinator, reviewer):
    # DOMAIN 5.2: transitions run by a job act as the system principal, which holds only that capability
    member = homeless_member(plan_a)
    with clocks.frozen(MONDAY):
        request = in_review(plan_a, coordinator, reviewer, member)
    leave_plan(member)
    with clocks.frozen(AFTER), pytest.raises(ActionNotPermitted):
        services.requests_end_for_members_left(plan=plan_a, actor=reviewer)
    assert reload(request).status == Status.IN_REVIEW
