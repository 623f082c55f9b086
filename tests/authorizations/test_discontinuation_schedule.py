"""A decided discontinuation is scheduled until its effective date, held by a timely appeal (aid
paid pending), and reinstated by an appeal overturned after it took effect (DOMAIN 5.2, 5.3, 6, 7)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from authorizations import services
from authorizations.models import (
    AppealOutcome,
    DiscontinuationReason,
    DiscontinuationState,
    NoticeType,
    Status,
)
from authorizations.services.discontinuation import discontinuation_job
from authorizations.tasks import authorization_jobs_all
from ecm_platform import clocks
from ecm_platform.deadlines.models import DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.errors import ActionNotPermitted, ConflictError
from ecm_platform.tenancy.access import OPERATOR
from providers.models import Assignment, AwaitingAssignment, ContractService
from providers.selectors import contracts_in_force, open_assignment
from providers.services import awaiting_assign
from tests.authorizations.helpers import homeless_member, in_review, reload, start_services

LA = ZoneInfo("America/Los_Angeles")
DECIDED = datetime(2026, 11, 23, 10, tzinfo=LA)  # the notice date
EFFECTIVE = date(2026, 12, 3)  # 10 days later: the aid-paid-pending window ends the same day
LATE_EVENING = datetime(2026, 12, 3, 23, 30, tzinfo=LA)  # the job's hour on the effective date


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def scheduled(plan_a, coordinator, reviewer, provider):
    """An active member whose discontinuation was decided on DECIDED, effective EFFECTIVE."""
    with clocks.frozen(DECIDED):
        request = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a))
        request = services.request_approve(plan=plan_a, actor=reviewer, request=request)
        request = start_services(plan_a, coordinator, request)
        return services.request_discontinue(
            plan=plan_a, actor=reviewer, request=request, reason=DiscontinuationReason.NOT_ENGAGED,
            effective_on=EFFECTIVE,
        )  # fmt: skip


def run_job(plan, at):
    with clocks.frozen(at):
        return services.discontinuations_take_effect(plan=plan, actor=discontinuation_job(plan))


def capacity_left(plan, day):
    return contracts_in_force(plan=plan, day=day).get().capacity_left


def appeal(plan, actor, request, at):
    notice = request.notices.get(notice_type=NoticeType.DISCONTINUATION)
    with clocks.frozen(at):
        return services.appeal_file(plan=plan, actor=actor, notice=notice, reason="I want to keep my care manager")


def resolve(plan, actor, case, outcome, at):
    with clocks.frozen(at):
        return services.appeal_resolve(plan=plan, actor=actor, appeal=case, outcome=outcome, summary="Decided")


def test_a_decided_discontinuation_waits_for_its_effective_date_then_ends_the_assignment(plan_a, scheduled):
    # DOMAIN 5.2: from the decision (and its notice) until the effective date the request stays
    # active, marked "discontinuation scheduled", and the assignment and capacity continue; on the
    # date it becomes discontinued and the assignment ends, freeing the provider's place (DOMAIN 7).
    request = reload(scheduled)
    assert (request.status, request.discontinuation_state) == (Status.ACTIVE, DiscontinuationState.SCHEDULED)
    assert [n.notice_type for n in request.notices.filter(notice_type=NoticeType.DISCONTINUATION)] == [
        NoticeType.DISCONTINUATION
    ]
    assert capacity_left(plan_a, EFFECTIVE) == 4  # capacity 5, the member's place still held
    assert run_job(plan_a, datetime(2026, 12, 2, 23, 30, tzinfo=LA)) == []  # the day before: nothing
    assert open_assignment(plan=plan_a, member=request.member) is not None

    assert run_job(plan_a, LATE_EVENING) == [request.pk]
    request = reload(request)
    assert (request.status, request.discontinuation_state) == (Status.DISCONTINUED, "")
    assignment = Assignment.objects.get(member=request.member)
    assert (assignment.ended_on, assignment.end_reason) == (EFFECTIVE, "discontinued")
    assert capacity_left(plan_a, EFFECTIVE + timedelta(days=1)) == 5
    assert run_job(plan_a, LATE_EVENING + timedelta(days=1)) == []  # a rerun finds nothing more


def test_a_second_decision_while_one_is_scheduled_is_a_conflict(plan_a, reviewer, scheduled):
    # DOMAIN 5.2: one discontinuation decided per period of services
    with clocks.frozen(DECIDED), pytest.raises(ConflictError, match="scheduled already") as refused:
        services.request_discontinue(
            plan=plan_a, actor=reviewer, request=reload(scheduled), reason=DiscontinuationReason.GOALS_MET,
            effective_on=date(2027, 1, 5),
        )  # fmt: skip
    assert refused.value.code == "discontinuation_scheduled"


def test_only_the_job_lets_a_discontinuation_take_effect(plan_a, reviewer, scheduled):
    # DOMAIN 5.2: transitions run by a job act as the system principal, which holds only that capability
    with clocks.frozen(LATE_EVENING), pytest.raises(ActionNotPermitted):
        services.discontinuations_take_effect(plan=plan_a, actor=reviewer)
    assert reload(scheduled).status == Status.ACTIVE


def test_a_timely_appeal_keeps_services_on_past_the_effective_date_and_an_overturn_cancels_it(
    plan_a, coordinator, reviewer, scheduled
):
    # DOMAIN 5.2 and 5.3, aid paid pending: appealed within 10 days of the notice (or by the
    # effective date) → the discontinuation does not take effect while the appeal is pending; an
    # overturned appeal cancels it.
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 12, 2, 9, tzinfo=LA))
    assert case.continues_services
    assert reload(scheduled).discontinuation_state == DiscontinuationState.PENDING_APPEAL
    assert run_job(plan_a, LATE_EVENING) == []
    assert run_job(plan_a, datetime(2026, 12, 20, 23, 30, tzinfo=LA)) == []
    request = reload(scheduled)
    assert request.status == Status.ACTIVE
    assert open_assignment(plan=plan_a, member=request.member, on=date(2026, 12, 20)) is not None

    resolve(plan_a, reviewer, case, AppealOutcome.OVERTURNED, datetime(2026, 12, 21, 10, tzinfo=LA))
    request = reload(scheduled)
    assert (request.status, request.discontinuation_state, request.discontinuation_effective_on) == (
        Status.ACTIVE, "", None,
    )  # fmt: skip
    assert run_job(plan_a, datetime(2026, 12, 22, 23, 30, tzinfo=LA)) == []
    assert Assignment.objects.get(member=request.member).ended_on is None


def test_an_upheld_timely_appeal_lets_it_take_effect_on_the_resolution_day(plan_a, coordinator, reviewer, scheduled):
    # DOMAIN 5.2: an upheld appeal lets it take effect on the later of the effective date and the resolution
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 11, 30, 9, tzinfo=LA))
    run_job(plan_a, LATE_EVENING)
    resolve(plan_a, reviewer, case, AppealOutcome.UPHELD, datetime(2026, 12, 10, 15, tzinfo=LA))
    request = reload(scheduled)
    assert request.status == Status.DISCONTINUED
    assert Assignment.objects.get(member=request.member).ended_on == date(2026, 12, 10)


def test_an_appeal_upheld_before_the_effective_date_leaves_it_to_the_job(plan_a, coordinator, reviewer, scheduled):
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 11, 24, 9, tzinfo=LA))
    resolve(plan_a, reviewer, case, AppealOutcome.UPHELD, datetime(2026, 11, 28, 15, tzinfo=LA))
    assert reload(scheduled).discontinuation_state == DiscontinuationState.SCHEDULED
    assert run_job(plan_a, LATE_EVENING) == [scheduled.pk]


def test_an_appeal_after_the_window_overturned_later_reinstates_services_with_the_same_provider(
    plan_a, coordinator, reviewer, provider, scheduled
):
    # DOMAIN 5.2: discontinued → active for an appeal filed after the aid-paid-pending window but
    # within the 60 days, overturned after the discontinuation took effect; services resume within
    # 72 hours with the provider the member had, and the Lead Care Manager is due again.
    run_job(plan_a, LATE_EVENING)
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 12, 15, 9, tzinfo=LA))
    assert not case.continues_services
    resolved_at = datetime(2027, 1, 8, 10, tzinfo=LA)
    resolve(plan_a, reviewer, case, AppealOutcome.OVERTURNED, resolved_at)
    request = reload(scheduled)
    assert (request.status, request.services_due_by) == (Status.ACTIVE, resolved_at + timedelta(hours=72))
    assert (request.discontinuation_effective_on, request.needs_lower_level_of_care) == (None, False)
    reopened = open_assignment(plan=plan_a, member=request.member, on=date(2027, 1, 8))
    assert reopened.organization == provider and reopened.ended_on is None
    clocks_of_assignment = deadlines_of(plan=plan_a, target=reopened)
    assert [d.kind for d in clocks_of_assignment.filter(kind=DeadlineKind.LEAD_CARE_MANAGER)] == [
        DeadlineKind.LEAD_CARE_MANAGER
    ]
    reversal = deadlines_of(plan=plan_a, target=request, states=tuple(DeadlineState)).get(
        kind=DeadlineKind.SERVICES_AFTER_REVERSAL
    )
    assert reversal.state == DeadlineState.MET  # services resumed with the provider at once
    assert request.notices.filter(notice_type=NoticeType.APPROVAL).count() == 2  # approval, reinstatement


def test_a_reinstated_member_whose_provider_is_full_waits_for_assignment(
    plan_a, coordinator, reviewer, provider, scheduled
):
    # DOMAIN 5.2 and 7: the provider the member had, or the awaiting-assignment list
    run_job(plan_a, LATE_EVENING)
    ContractService.objects.filter(contract__organization=provider).update(capacity=0)
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 12, 15, 9, tzinfo=LA))
    resolve(plan_a, reviewer, case, AppealOutcome.OVERTURNED, datetime(2027, 1, 8, 10, tzinfo=LA))
    request = reload(scheduled)
    assert request.status == Status.ACTIVE
    assert open_assignment(plan=plan_a, member=request.member, on=date(2027, 1, 8)) is None
    assert AwaitingAssignment.objects.filter(member=request.member, resolved_at__isnull=True).exists()
    reversal = deadlines_of(plan=plan_a, target=request).get(kind=DeadlineKind.SERVICES_AFTER_REVERSAL)
    assert reversal.due_at == datetime(2027, 1, 11, 10, tzinfo=LA)  # still running: no provider yet

    # DOMAIN 5.2: assigned later from the list, services resume there: the reversal clock is met
    # and, services running without one, the Lead Care Manager is due in 10 business days
    ContractService.objects.filter(contract__organization=provider).update(capacity=5)
    waiting = AwaitingAssignment.objects.get(member=request.member, resolved_at__isnull=True)
    with clocks.frozen(datetime(2027, 1, 9, 10, tzinfo=LA)):
        assignment = awaiting_assign(plan=plan_a, actor=OPERATOR, waiting=waiting)
    assert assignment.lead_care_manager_id is None
    assert deadlines_of(plan=plan_a, target=assignment).filter(kind=DeadlineKind.LEAD_CARE_MANAGER).exists()
    reversal.refresh_from_db()
    assert (reversal.state, reversal.met_at) == (DeadlineState.MET, datetime(2027, 1, 9, 10, tzinfo=LA))


def test_a_member_awaiting_a_first_assignment_owes_no_lead_care_manager_clock(plan_a, coordinator, reviewer, provider):
    # DOMAIN 5.2, 7: an approved member not yet in services: their Lead Care Manager comes before
    # services start (approved → active), not on a clock
    ContractService.objects.filter(contract__organization=provider).update(capacity=0)
    with clocks.frozen(DECIDED):
        request = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a))
        services.request_approve(plan=plan_a, actor=reviewer, request=request)
    ContractService.objects.filter(contract__organization=provider).update(capacity=5)
    waiting = AwaitingAssignment.objects.get(member=request.member, resolved_at__isnull=True)
    with clocks.frozen(DECIDED + timedelta(days=1)):
        assignment = awaiting_assign(plan=plan_a, actor=OPERATOR, waiting=waiting)
    assert not deadlines_of(plan=plan_a, target=assignment).filter(kind=DeadlineKind.LEAD_CARE_MANAGER).exists()


def test_a_timely_appeal_recorded_after_the_job_restores_services_pending_the_appeal(
    plan_a, coordinator, reviewer, provider, scheduled
):
    # DOMAIN 5.2 and 5.3, aid paid pending: received on the effective date but entered the next
    # morning, after that evening's job ended services: they are restored, marked pending appeal,
    # with the provider the member had; an upheld appeal then lets the discontinuation take effect
    run_job(plan_a, LATE_EVENING)
    notice = scheduled.notices.get(notice_type=NoticeType.DISCONTINUATION)
    with clocks.frozen(datetime(2026, 12, 4, 9, tzinfo=LA)):
        case = services.appeal_file(
            plan=plan_a, actor=coordinator, notice=notice, reason="Keep my services",
            received_at=datetime(2026, 12, 3, 16, tzinfo=LA),
        )  # fmt: skip
    assert case.continues_services
    request = reload(scheduled)
    assert (request.status, request.discontinuation_state) == (Status.ACTIVE, DiscontinuationState.PENDING_APPEAL)
    restored = open_assignment(plan=plan_a, member=request.member, on=date(2026, 12, 4))
    assert restored.organization == provider
    assert deadlines_of(plan=plan_a, target=restored).filter(kind=DeadlineKind.LEAD_CARE_MANAGER).exists()
    assert run_job(plan_a, datetime(2026, 12, 4, 23, 30, tzinfo=LA)) == []  # the appeal holds it

    resolve(plan_a, reviewer, case, AppealOutcome.UPHELD, datetime(2026, 12, 10, 15, tzinfo=LA))
    assert reload(scheduled).status == Status.DISCONTINUED
    assert Assignment.objects.get(pk=restored.pk).ended_on == date(2026, 12, 10)


def test_an_appeal_after_the_window_restores_nothing(plan_a, coordinator, scheduled):
    # DOMAIN 5.2: after the window the discontinuation stands until an overturn reinstates it
    run_job(plan_a, LATE_EVENING)
    case = appeal(plan_a, coordinator, scheduled, datetime(2026, 12, 4, 9, tzinfo=LA))
    assert not case.continues_services
    assert reload(scheduled).status == Status.DISCONTINUED
    assert open_assignment(plan=plan_a, member=scheduled.member, on=date(2026, 12, 4)) is None


def test_the_daily_jobs_run_for_every_plan_and_by_hand(plan_a, plan_b, scheduled, capsys):
    # ARCHITECTURE.md, Background work: a scheduled task per plan, and a manual trigger
    with clocks.frozen(LATE_EVENING):
        call_command("run_authorization_jobs", plan=plan_b.code)
        assert "0 discontinued, 0 ended" in capsys.readouterr().out
        assert reload(scheduled).status == Status.ACTIVE  # plan B's job never touches plan A
        assert authorization_jobs_all() == 2
    assert reload(scheduled).status == Status.DISCONTINUED
    with clocks.frozen(LATE_EVENING):
        call_command("run_authorization_jobs", plan=plan_a.code)
    assert "0 discontinued, 0 ended (left the plan)." in capsys.readouterr().out
