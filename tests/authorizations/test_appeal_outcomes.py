"""What a resolved appeal does to its request (DOMAIN 5.2, 5.4): a partial overturn of a denial is a
modified approval with its notice; an overturned modification approves in full; an overturned delay
restores the original due date or makes the decision due at once; services are due 72 hours after
a reversal, a clock met when they start."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from authorizations import services
from authorizations.models import (
    AppealOutcome,
    Decision,
    DenialReason,
    NoticeType,
    RequestSource,
    Status,
    WithdrawalReason,
)
from ecm_platform import clocks
from ecm_platform.deadlines.models import DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.errors import DomainError
from tests.authorizations.helpers import homeless_member, in_review, reload, start_services

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)
APPEALED = datetime(2026, 11, 25, 9, tzinfo=LA)
RESOLVED = datetime(2026, 11, 25, 15, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


def appeal_and_resolve(plan, coordinator, reviewer, notice, outcome, modification=""):
    with clocks.frozen(APPEALED):
        case = services.appeal_file(plan=plan, actor=coordinator, notice=notice, reason="I disagree")
    with clocks.frozen(RESOLVED):
        return services.appeal_resolve(
            plan=plan, actor=reviewer, appeal=case, outcome=outcome, summary="Reviewed", modification=modification
        )


def clock(request, kind, states=tuple(DeadlineState)):
    return deadlines_of(plan=request.plan, target=request, states=states).get(kind=kind)


@pytest.fixture
def denial(plan_a, coordinator, reviewer):
    """An eligible member's own request, denied on MONDAY with its notice."""
    with clocks.frozen(MONDAY):
        request = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a), source=RequestSource.SELF_REFERRAL)
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x")
    return reload(request).notices.get(notice_type=NoticeType.DENIAL)


def test_a_partial_overturn_of_a_denial_is_a_modified_approval_with_its_notice(
    plan_a, coordinator, reviewer, provider, denial
):
    # DOMAIN 5.2: "partially overturned" → decision modified, with its modification NOA
    with pytest.raises(DomainError) as refused:
        appeal_and_resolve(plan_a, coordinator, reviewer, denial, AppealOutcome.PARTIALLY_OVERTURNED)
    assert refused.value.field == "modification"
    assert reload(denial.request).status == Status.DENIED
    appeal_and_resolve(
        plan_a, coordinator, reviewer, denial, AppealOutcome.PARTIALLY_OVERTURNED,
        modification="Approved for three months, then reassessed.",
    )  # fmt: skip
    request = reload(denial.request)
    assert (request.status, request.decision) == (Status.APPROVED, Decision.MODIFIED)
    assert request.modification == "Approved for three months, then reassessed."
    assert request.notices.filter(notice_type=NoticeType.MODIFICATION).count() == 1
    assert not request.notices.filter(notice_type=NoticeType.APPROVAL).exists()


def test_services_after_a_reversal_are_a_72_hour_clock_met_when_they_start(
    plan_a, coordinator, reviewer, provider, denial
):
    # DOMAIN 5.2: services due within 72 hours of the reversal (42 CFR 438.424)
    appeal_and_resolve(plan_a, coordinator, reviewer, denial, AppealOutcome.OVERTURNED)
    request = reload(denial.request)
    reversal = clock(request, DeadlineKind.SERVICES_AFTER_REVERSAL)
    assert (reversal.due_at, reversal.state, reversal.owner) == (
        RESOLVED + timedelta(hours=72), DeadlineState.OPEN, "authorizations.start_services",
    )  # fmt: skip
    with clocks.frozen(RESOLVED + timedelta(hours=5)):
        start_services(plan_a, coordinator, request)
    assert clock(request, DeadlineKind.SERVICES_AFTER_REVERSAL).state == DeadlineState.MET


@pytest.fixture
def modification(plan_a, coordinator, reviewer, provider):
    """A provider's referral approved with a modification on MONDAY, with its notice."""
    with clocks.frozen(MONDAY):
        request = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a))
        services.request_approve(
            plan=plan_a, actor=reviewer, request=request, decision=Decision.MODIFIED,
            modification="Approved for three months.",
        )  # fmt: skip
    return reload(request).notices.get(notice_type=NoticeType.MODIFICATION)


def test_an_overturned_modification_approves_in_full(plan_a, coordinator, reviewer, modification):
    # DOMAIN 5.2: an overturn of a modification approves in full (and the member gets the approval letter)
    appeal_and_resolve(plan_a, coordinator, reviewer, modification, AppealOutcome.OVERTURNED)
    request = reload(modification.request)
    assert (request.status, request.decision, request.modification) == (Status.APPROVED, Decision.FULL, "")
    assert request.notices.filter(notice_type=NoticeType.APPROVAL).count() == 1


def test_a_partially_overturned_modification_approves_another_with_its_notice(
    plan_a, coordinator, reviewer, modification
):
    appeal_and_resolve(
        plan_a, coordinator, reviewer, modification, AppealOutcome.PARTIALLY_OVERTURNED, modification="Six months."
    )
    request = reload(modification.request)
    assert (request.decision, request.modification) == (Decision.MODIFIED, "Six months.")
    assert request.notices.filter(notice_type=NoticeType.MODIFICATION).count() == 2


def test_an_upheld_modification_changes_nothing(plan_a, coordinator, reviewer, modification):
    appeal_and_resolve(plan_a, coordinator, reviewer, modification, AppealOutcome.UPHELD)
    request = reload(modification.request)
    assert (request.decision, request.modification) == (Decision.MODIFIED, "Approved for three months.")


def test_an_overturned_modification_leaves_a_request_withdrawn_since_alone(plan_a, coordinator, reviewer, modification):
    # DOMAIN 5.2: only an approval that stands (approved, active) is approved in full; a request
    # withdrawn while the appeal was pending keeps its decision and gets no approval letter
    with clocks.frozen(APPEALED):
        case = services.appeal_file(plan=plan_a, actor=coordinator, notice=modification, reason="I want six months")
        services.request_withdraw(
            plan=plan_a, actor=coordinator, request=reload(modification.request),
            reason=WithdrawalReason.MEMBER_DECLINED,
        )  # fmt: skip
    with clocks.frozen(RESOLVED):
        services.appeal_resolve(
            plan=plan_a, actor=reviewer, appeal=case, outcome=AppealOutcome.OVERTURNED, summary="ok"
        )
    request = reload(modification.request)
    assert (request.status, request.decision, request.modification) == (
        Status.WITHDRAWN, Decision.MODIFIED, "Approved for three months.",
    )  # fmt: skip
    assert not request.notices.filter(notice_type=NoticeType.APPROVAL).exists()


@pytest.fixture
def delay(plan_a, coordinator, reviewer):
    """A member's own request received MONDAY (due Mon 11-30), extended by 14 days on MONDAY."""
    with clocks.frozen(MONDAY):
        request = in_review(plan_a, coordinator, reviewer, homeless_member(plan_a), source=RequestSource.SELF_REFERRAL)
        services.request_extend(plan=plan_a, actor=reviewer, request=request, days=14, reason="Records")
    return reload(request).notices.get(notice_type=NoticeType.DELAY)


def test_an_overturned_delay_restores_the_original_due_date_where_it_has_not_passed(
    plan_a, coordinator, reviewer, delay
):
    # DOMAIN 5.2: the original due date, 2026-11-30 23:59:59, has not passed on 11-25
    appeal_and_resolve(plan_a, coordinator, reviewer, delay, AppealOutcome.OVERTURNED)
    request = reload(delay.request)
    assert request.due_at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=LA)
    assert clock(request, DeadlineKind.DECISION, states=(DeadlineState.OPEN,)).due_at == request.due_at


def test_an_overturned_delay_whose_original_date_passed_makes_the_decision_due_at_once(
    plan_a, coordinator, reviewer, delay
):
    # DOMAIN 5.2: otherwise the decision is due at once
    with clocks.frozen(datetime(2026, 12, 2, 9, tzinfo=LA)):
        case = services.appeal_file(plan=plan_a, actor=coordinator, notice=delay, reason="Too long")
    resolved = datetime(2026, 12, 2, 11, tzinfo=LA)
    with clocks.frozen(resolved):
        services.appeal_resolve(plan=plan_a, actor=reviewer, appeal=case, outcome=AppealOutcome.OVERTURNED, summary="x")
    request = reload(delay.request)
    assert request.due_at == resolved
    assert clock(request, DeadlineKind.DECISION, states=(DeadlineState.OPEN,)).due_at == resolved
    assert request.status == Status.DEFERRED  # the product never decides by itself
