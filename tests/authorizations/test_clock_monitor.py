"""The decision clocks in the deadline registry (DOMAIN 5.1; ARCHITECTURE, Deadlines): at-risk and
overdue requests flagged by the one monitor, reviewers told once, in the app and by email; and two
reviewers deciding at once on a real database."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from authorizations import services
from authorizations.models import AuthorizationRequest, DenialReason, Status
from ecm_platform import clocks
from ecm_platform.deadlines.models import DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadline_list, deadlines_of
from ecm_platform.deadlines.services import deadline_monitor
from ecm_platform.deadlines.tasks import deadline_monitors_all
from ecm_platform.errors import ConflictError
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from tests.authorizations.helpers import homeless_member, in_review, reload, submit

LA = ZoneInfo("America/Los_Angeles")
RECEIVED = datetime(2026, 11, 23, 10, tzinfo=LA)  # due Mon 2026-11-30 23:59:59


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def staff(plan_a, make_membership):
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
    reviewers = [make_membership(plan_a, Role.REVIEWER).user for _ in range(2)]
    return coordinator, reviewers


@pytest.fixture
def request_due_monday(plan_a, staff):
    with clocks.frozen(RECEIVED):
        return submit(plan_a, staff[0], homeless_member(plan_a))


def check(plan, at):
    with clocks.frozen(at):
        return deadline_monitor(plan=plan)


def decision_clock(request, states=tuple(DeadlineState)):
    return deadlines_of(plan=request.plan, target=request, states=states).get(kind=DeadlineKind.DECISION)


def test_a_submitted_request_has_its_decision_clock_in_the_registry(request_due_monday):
    # DOMAIN 5.1: the clock is a row with its due instant, its owner (the reviewers) and the member
    clock = decision_clock(request_due_monday)
    assert (clock.due_at, clock.owner, clock.member) == (
        request_due_monday.due_at, "authorizations.approve", request_due_monday.member,
    )  # fmt: skip
    assert clock.state == DeadlineState.OPEN


def test_an_at_risk_request_is_flagged_and_reviewers_told_once(
    plan_a, staff, request_due_monday, django_capture_on_commit_callbacks
):
    # DOMAIN 5.1: less than 24 hours left → surfaced, reviewers notified (in-app and email), once
    assert check(plan_a, datetime(2026, 11, 29, 23, 0, tzinfo=LA))["at_risk"] == 0  # 25 h left
    with django_capture_on_commit_callbacks(execute=True):
        run = check(plan_a, datetime(2026, 11, 30, 1, 0, tzinfo=LA))
    assert (run["at_risk"], run["overdue"], run["notifications"]) == (1, 0, 2)
    assert Notification.objects.filter(recipient__in=staff[1]).count() == 2
    assert len(mail.outbox) == 2
    assert check(plan_a, datetime(2026, 11, 30, 2, 0, tzinfo=LA))["notifications"] == 0
    assert Notification.objects.count() == 2
    assert decision_clock(request_due_monday).state == DeadlineState.AT_RISK


def test_an_overdue_request_is_flagged_once_and_never_decided_by_the_product(plan_a, staff, request_due_monday):
    # DOMAIN 5.1: a decision not made by the due instant is surfaced; the product never decides
    run = check(plan_a, datetime(2026, 12, 1, 0, 0, tzinfo=LA))
    assert (run["at_risk"], run["overdue"]) == (0, 1)
    assert check(plan_a, datetime(2026, 12, 2, 0, 0, tzinfo=LA))["overdue"] == 0
    assert reload(request_due_monday).status == Status.RECEIVED
    assert decision_clock(request_due_monday).state == DeadlineState.OVERDUE


def test_decided_requests_are_not_flagged(plan_a, staff, request_due_monday):
    # DOMAIN 5.2: the decision clock stops on a decision (met)
    _, reviewers = staff
    decided_at = datetime(2026, 11, 24, 9, tzinfo=LA)
    with clocks.frozen(decided_at):
        services.request_start_review(plan=plan_a, actor=reviewers[0], request=request_due_monday)
        services.request_deny(
            plan=plan_a, actor=reviewers[0], request=reload(request_due_monday), reason=DenialReason.OTHER,
            explanation="x",
        )  # fmt: skip
    assert check(plan_a, datetime(2026, 12, 5, tzinfo=LA))["overdue"] == 0
    clock = decision_clock(request_due_monday)
    assert (clock.state, clock.met_at) == (DeadlineState.MET, decided_at)


def test_an_extension_starts_the_warnings_again(plan_a, staff, request_due_monday):
    # DOMAIN 5.1: the extended due instant is watched like the first one (the clock is moved, not doubled)
    _, reviewers = staff
    check(plan_a, datetime(2026, 11, 30, 1, 0, tzinfo=LA))
    with clocks.frozen(datetime(2026, 11, 30, 9, tzinfo=LA)):
        request = services.request_extend(
            plan=plan_a, actor=reviewers[0], request=request_due_monday, days=3, reason="x"
        )
    assert (decision_clock(request).due_at, decision_clock(request).state) == (request.due_at, DeadlineState.OPEN)
    assert check(plan_a, datetime(2026, 12, 3, 1, 0, tzinfo=LA))["at_risk"] == 1


def test_the_monitor_runs_for_every_plan_and_by_hand(plan_a, plan_b, staff, request_due_monday, capsys):
    # ARCHITECTURE.md, Background work: a scheduled task per plan, and a manual trigger
    with clocks.frozen(datetime(2026, 12, 1, tzinfo=LA)):
        assert deadline_monitors_all() == 2
        assert decision_clock(request_due_monday).state == DeadlineState.OVERDUE
        with plan_scope(plan_b):
            assert not deadline_list(plan=plan_b).exists()  # plan B's run found none of plan A's clocks
        call_command("deadlines_check", plan=plan_a.code)
    assert "0 newly at risk, 0 newly overdue" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_the_same_moment_on_postgresql(plan_a, make_membership):
    # DOMAIN 5.2: two real connections race; exactly one decision lands, the other is a conflict
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL (DATABASE_URL)")
    with scopes_disabled():
        coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
        reviewers = [make_membership(plan_a, Role.REVIEWER).user for _ in range(2)]
        with clocks.frozen(RECEIVED):
            request = in_review(plan_a, coordinator, reviewers[0], homeless_member(plan_a))
    barrier, outcomes = threading.Barrier(2), []

    def decide(reviewer):
        try:
            with plan_scope(plan_a), clocks.frozen(RECEIVED):
                mine = AuthorizationRequest.objects.get(pk=request.pk)
                barrier.wait()
                services.request_deny(
                    plan=plan_a, actor=reviewer, request=mine, reason=DenialReason.OTHER, explanation="x"
                )
            outcomes.append("decided")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "decided"]
    with scopes_disabled():
        assert reload(request).status == Status.DENIED
        assert reload(request).notices.count() == 1  # one denial notice, from the decision that landed
