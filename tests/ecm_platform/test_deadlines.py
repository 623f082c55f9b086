"""The one deadline registry (ARCHITECTURE, Deadlines): clocks opened, moved and met through one
service; the monitor tells each owner once when a clock is at risk (DOMAIN 5.1: under 24 hours)
and once when it is overdue; and the table is behind the row-level-security wall."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadlines_of, deadlines_of_member, deadlines_owned_by
from ecm_platform.deadlines.services import (
    deadline_cancel,
    deadline_meet,
    deadline_monitor,
    deadline_open,
    is_at_risk,
)
from ecm_platform.errors import CrossPlanReference
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from tests.factories import enrolled_member

LA = ZoneInfo("America/Los_Angeles")
OPENED = datetime(2026, 12, 1, 9, tzinfo=LA)
DUE = datetime(2026, 12, 4, 23, 59, 59, tzinfo=LA)

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a)


@pytest.fixture
def reviewers(plan_a, make_membership):
    return [make_membership(plan_a, Role.REVIEWER).user for _ in range(2)]


def open_decision(plan, member, due=DUE):
    with clocks.frozen(OPENED):
        return deadline_open(
            plan=plan, kind=DeadlineKind.DECISION, target=member, due_at=due,
            owner=Capability.AUTHORIZATIONS_APPROVE, label=f"Decision for {member.full_name}", member=member,
        )  # fmt: skip


def monitor(plan, at):
    with clocks.frozen(at):
        return deadline_monitor(plan=plan)


def test_a_clock_is_told_once_at_risk_and_once_overdue(plan_a, member, reviewers):
    open_decision(plan_a, member)
    assert monitor(plan_a, DUE - timedelta(hours=25))["at_risk"] == 0
    first = monitor(plan_a, DUE - timedelta(hours=23))
    assert (first["at_risk"], first["overdue"], first["notifications"]) == (1, 0, 2)
    assert monitor(plan_a, DUE - timedelta(hours=1)) == {"at_risk": 0, "overdue": 0, "notifications": 0}
    late = monitor(plan_a, DUE + timedelta(minutes=1))
    assert (late["overdue"], late["notifications"]) == (1, 2)
    assert monitor(plan_a, DUE + timedelta(hours=5))["notifications"] == 0
    assert Notification.objects.filter(recipient__in=reviewers).count() == 4
    assert Deadline.objects.get().state == DeadlineState.OVERDUE


def test_a_clock_found_late_is_told_overdue_only(plan_a, member, reviewers):
    open_decision(plan_a, member)
    counts = monitor(plan_a, DUE + timedelta(days=1))
    assert (counts["at_risk"], counts["overdue"]) == (0, 1)


def test_opening_again_moves_the_running_clock_and_it_is_told_anew(plan_a, member, reviewers):
    # DOMAIN 5.1: an extension moves the due instant; the owner hears again when the new one nears
    open_decision(plan_a, member)
    monitor(plan_a, DUE - timedelta(hours=2))
    moved = open_decision(plan_a, member, due=DUE + timedelta(days=14))
    assert Deadline.objects.count() == 1
    assert (moved.state, moved.due_at) == (DeadlineState.OPEN, DUE + timedelta(days=14))
    assert monitor(plan_a, DUE + timedelta(days=14, hours=-3))["at_risk"] == 1


def test_met_and_cancelled_clocks_stop_and_a_new_one_may_start(plan_a, member, reviewers):
    open_decision(plan_a, member)
    with clocks.frozen(OPENED + timedelta(days=1)):
        assert deadline_meet(plan=plan_a, kind=DeadlineKind.DECISION, target=member) == 1
        assert deadline_meet(plan=plan_a, kind=DeadlineKind.DECISION, target=member) == 0
    met = Deadline.objects.get()
    assert (met.state, met.met_at) == (DeadlineState.MET, OPENED + timedelta(days=1))
    assert monitor(plan_a, DUE + timedelta(days=1))["overdue"] == 0
    open_decision(plan_a, member)
    assert deadline_cancel(plan=plan_a, target=member) == 1
    assert list(Deadline.objects.values_list("state", flat=True).order_by("pk")) == ["met", "cancelled"]


def test_each_role_sees_the_clocks_it_owns(plan_a, member, make_membership):
    open_decision(plan_a, member)
    reviewer = Principal.of_membership(make_membership(plan_a, Role.REVIEWER))
    analyst = Principal.of_membership(make_membership(plan_a, Role.REPORTING_ANALYST))
    assert deadlines_owned_by(plan=plan_a, principal=reviewer).count() == 1
    assert deadlines_owned_by(plan=plan_a, principal=analyst).count() == 0
    assert deadlines_of_member(plan=plan_a, member=member).count() == 1
    assert deadlines_of(plan=plan_a, target=member).count() == 1


def test_at_risk_is_under_a_day_left():
    now = OPENED
    assert is_at_risk(now + timedelta(hours=23, minutes=59), now)
    assert not is_at_risk(now + timedelta(hours=24, minutes=1), now)
    assert not is_at_risk(now - timedelta(minutes=1), now)  # overdue, not at risk


def test_another_plans_row_cannot_carry_a_clock(plan_a, plan_b):
    with plan_scope(plan_b):
        other = enrolled_member(plan_b)
    with pytest.raises(CrossPlanReference):
        open_decision(plan_a, other)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_the_wall_hides_another_plans_clocks(plan_a, plan_b, member):
    open_decision(plan_a, member)
    with plan_scope(plan_b), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deadlines_deadline")
        assert cursor.fetchone()[0] == 0
    with plan_scope(plan_a), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deadlines_deadline")
        assert cursor.fetchone()[0] == 1
