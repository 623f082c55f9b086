"""The decision-clock monitor (DOMAIN 5.1): at-risk and overdue requests flagged, reviewers told
once, in the app and by email; and two reviewers deciding at once on a real database."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from authorizations import services
from authorizations.models import AuthorizationRequest, ClockCheckRun, DenialReason, Status
from authorizations.tasks import clock_checks_all
from ecm_platform import clocks
from ecm_platform.errors import ConflictError
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from tests.authorizations.test_lifecycle import homeless_member, in_review, reload, submit
from tests.authorizations.test_lifecycle import provider as lifecycle_provider

LA = ZoneInfo("America/Los_Angeles")
RECEIVED = datetime(2026, 11, 23, 10, tzinfo=LA)  # due Mon 2026-11-30 23:59:59

provider = lifecycle_provider  # the contracted ECM Provider fixture


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
        return services.clock_check(plan=plan)


def test_an_at_risk_request_is_flagged_and_reviewers_told_once(
    plan_a, staff, request_due_monday, django_capture_on_commit_callbacks
):
    # DOMAIN 5.1: less than 24 hours left → surfaced, reviewers notified (in-app and email), once
    assert check(plan_a, datetime(2026, 11, 29, 23, 0, tzinfo=LA)).at_risk_flagged == 0  # 25 h left
    with django_capture_on_commit_callbacks(execute=True):
        run = check(plan_a, datetime(2026, 11, 30, 1, 0, tzinfo=LA))
    assert (run.at_risk_flagged, run.overdue_flagged, run.notifications_sent) == (1, 0, 2)
    assert Notification.objects.filter(recipient__in=staff[1]).count() == 2
    assert len(mail.outbox) == 2
    assert check(plan_a, datetime(2026, 11, 30, 2, 0, tzinfo=LA)).notifications_sent == 0
    assert Notification.objects.count() == 2


def test_an_overdue_request_is_flagged_once_and_never_decided_by_the_product(plan_a, staff, request_due_monday):
    # DOMAIN 5.1: a decision not made by the due instant is surfaced; the product never decides
    run = check(plan_a, datetime(2026, 12, 1, 0, 0, tzinfo=LA))
    assert (run.at_risk_flagged, run.overdue_flagged) == (0, 1)
    assert check(plan_a, datetime(2026, 12, 2, 0, 0, tzinfo=LA)).overdue_flagged == 0
    request = reload(request_due_monday)
    assert request.status == Status.RECEIVED
    assert request.overdue_notified_at == datetime(2026, 12, 1, 0, 0, tzinfo=LA)


def test_decided_requests_are_not_flagged(plan_a, staff, request_due_monday):
    _, reviewers = staff
    with clocks.frozen(RECEIVED):
        services.request_start_review(plan=plan_a, actor=reviewers[0], request=request_due_monday)
        services.request_deny(
            plan=plan_a, actor=reviewers[0], request=reload(request_due_monday), reason=DenialReason.OTHER,
            explanation="x",
        )  # fmt: skip
    assert check(plan_a, datetime(2026, 12, 5, tzinfo=LA)).overdue_flagged == 0


def test_an_extension_starts_the_warnings_again(plan_a, staff, request_due_monday):
    # DOMAIN 5.1: the extended due instant is watched like the first one
    _, reviewers = staff
    check(plan_a, datetime(2026, 11, 30, 1, 0, tzinfo=LA))
    with clocks.frozen(datetime(2026, 11, 30, 9, tzinfo=LA)):
        services.request_extend(plan=plan_a, actor=reviewers[0], request=request_due_monday, days=3, reason="x")
    assert check(plan_a, datetime(2026, 12, 3, 1, 0, tzinfo=LA)).at_risk_flagged == 1


def test_the_monitor_runs_for_every_plan_and_by_hand(plan_a, plan_b, staff, request_due_monday, capsys):
    # ARCHITECTURE.md, Background work: a scheduled task per plan, and a manual trigger
    with clocks.frozen(datetime(2026, 12, 1, tzinfo=LA)):
        assert clock_checks_all() == 2
        assert ClockCheckRun.objects.filter(plan=plan_a).get().overdue_flagged == 1
        with plan_scope(plan_b):
            assert ClockCheckRun.objects.filter(plan=plan_b).get().overdue_flagged == 0
        call_command("check_decision_clocks", plan=plan_a.code)
    assert "0 at risk, 0 overdue" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_the_same_moment_on_postgresql(reference_data, plan_a, make_membership):
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
