"""Stalled referrals (DOMAIN 9): a referral with no provider answer N business days after it was
sent, or not closed M days after, is on the stalled worklist and is a deadline (plan settings; the
plan's holiday calendar counts business days, DOMAIN 5.1). Both clocks, both sides of each boundary."""

from datetime import datetime, timedelta

import pytest

from community_supports.referral_models import ReferralSettings
from community_supports.referral_selectors import referrals_stalled
from community_supports.referral_services import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_settings_update,
)
from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.deadlines.services import deadline_monitor
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import Capability, principal_for
from ecm_platform.tenancy.models import Role
from tests.community_supports.referral_helpers import LA, MONDAY, referral_world, shelter_referral

pytestmark = pytest.mark.usefixtures("in_plan_a")
SECOND = timedelta(seconds=1)
# Sent Monday 16 November 2026 (defaults: 5 business days, 60 days): Tue 17 .. Fri 20, Mon 23.
ANSWER_DUE = datetime(2026, 11, 23, 23, 59, 59, tzinfo=LA)
CLOSURE_DUE = datetime(2027, 1, 15, 23, 59, 59, tzinfo=LA)  # 60 calendar days after 16 November


@pytest.fixture
def world(plan_a, make_membership):
    return referral_world(plan_a, make_membership)


def stalled(world, at):
    return list(referrals_stalled(plan=world.plan, principal=principal_for(world.coordinator, world.plan), at=at))


@pytest.fixture
def referral(world):
    return shelter_referral(world)


def clock(referral, kind):
    return Deadline.objects.get(kind=kind, target_id=referral.pk)


def test_both_clocks_are_deadlines_from_the_plans_settings(referral, world):
    assert (referral.response_due_at, referral.closure_due_at) == (ANSWER_DUE, CLOSURE_DUE)
    answer = clock(referral, DeadlineKind.REFERRAL_RESPONSE)
    assert (answer.due_at, answer.owner, answer.organization) == (
        ANSWER_DUE, Capability.PROVIDER_REFERRALS_RESPOND, world.bayside,
    )  # fmt: skip
    closure = clock(referral, DeadlineKind.REFERRAL_CLOSURE)
    assert (closure.due_at, closure.owner, closure.organization) == (CLOSURE_DUE, Capability.REFERRALS_MANAGE, None)


def test_no_answer_by_the_nth_business_day_is_stalled_and_not_a_second_before(referral, world):
    assert stalled(world, ANSWER_DUE) == []
    assert stalled(world, ANSWER_DUE + SECOND) == [referral]


def test_an_answer_stops_the_answer_clock(referral, world):
    with clocks.frozen(ANSWER_DUE - timedelta(hours=1)):
        referral_accept(plan=world.plan, actor=world.bayside_staff, referral=referral, provider_contact="555")
    assert stalled(world, ANSWER_DUE + SECOND) == []
    assert clock(referral, DeadlineKind.REFERRAL_RESPONSE).state == DeadlineState.MET


def test_a_referral_not_closed_by_the_mth_day_is_stalled_and_not_a_second_before(referral, world):
    with clocks.frozen(MONDAY + timedelta(days=1)):
        referral = referral_decline(plan=world.plan, actor=world.bayside_staff, referral=referral, reason="no_capacity")
    assert stalled(world, CLOSURE_DUE) == []
    assert stalled(world, CLOSURE_DUE + SECOND) == [referral]


def test_a_closed_referral_is_never_stalled_and_meets_its_closure_clock(referral, world):
    with clocks.frozen(MONDAY + timedelta(days=2)):
        referral_close(plan=world.plan, actor=world.coordinator, referral=referral, reason="unable_to_reach")
    assert stalled(world, CLOSURE_DUE + SECOND) == []
    assert clock(referral, DeadlineKind.REFERRAL_CLOSURE).state == DeadlineState.MET
    assert clock(referral, DeadlineKind.REFERRAL_RESPONSE).state == DeadlineState.CANCELLED


def test_the_settings_set_new_referrals_clocks(world, make_membership):
    """New clocks take the new values; the closure counts calendar days (it falls on Thanksgiving)."""
    administrator = make_membership(world.plan, Role.PLAN_ADMINISTRATOR).user
    referral_settings_update(plan=world.plan, actor=administrator, response_business_days=2, closure_days=10)
    assert ReferralSettings.objects.get(plan=world.plan).response_business_days == 2
    referral = shelter_referral(world)
    assert referral.response_due_at == datetime(2026, 11, 18, 23, 59, 59, tzinfo=LA)
    assert referral.closure_due_at == datetime(2026, 11, 26, 23, 59, 59, tzinfo=LA)


def test_the_settings_are_the_administrators_and_within_their_range(world, make_membership):
    with pytest.raises(ActionNotPermitted):
        referral_settings_update(plan=world.plan, actor=world.coordinator, closure_days=10)
    administrator = make_membership(world.plan, Role.PLAN_ADMINISTRATOR).user
    with pytest.raises(DomainError) as refused:
        referral_settings_update(plan=world.plan, actor=administrator, response_business_days=0)
    assert refused.value.field == "response_business_days"


def test_the_monitor_tells_the_provider_of_an_overdue_answer_and_the_coordinators_of_a_late_closure(referral, world):
    """ARCHITECTURE, Deadlines: the answer is the provider's staff's to give, the closure the plan's."""
    with clocks.frozen(ANSWER_DUE + SECOND):
        deadline_monitor(plan=world.plan)
    answer = Notification.objects.get(recipient=world.bayside_staff.user)
    assert answer.text.startswith("Answer the") and "is overdue" in answer.text
    assert answer.link == f"/provider/referrals/{referral.pk}/"
    with clocks.frozen(CLOSURE_DUE + SECOND):
        deadline_monitor(plan=world.plan)
    closure = Notification.objects.get(recipient=world.coordinator)
    assert closure.text.startswith("Close the loop of the") and closure.link == f"/referrals/{referral.pk}/"
