"""The manual triggers of the high-utilizer scan (DOMAIN 3.3): the management command and the admin
"scan again" action."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans, plan_scope
from ecm_platform.tenancy.services import membership_create
from eligibility.models import Determination, ScanRun, ScanStatus
from eligibility.scan import high_utilizer_scan
from tests.factories import EventFactory, UserFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
RUN_AT = datetime(2026, 10, 5, 2, 0, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


def frequent_visitor(plan, first=date(2026, 5, 4), visits=5):
    member = enrolled_member(plan)
    for week in range(visits):
        EventFactory(member=member, service_date=first + timedelta(weeks=week))
    return member


def scan_command(*args):
    out = io.StringIO()
    with clocks.frozen(RUN_AT):
        call_command("scan_high_utilizers", *args, stdout=out)
    return out.getvalue()


# --- manage.py scan_high_utilizers --plan CODE [--data-month YYYY-MM] ---------------------------------


def test_the_command_scans_the_named_plan_for_the_named_data_month(plan_a, plan_b):
    # DOMAIN 3.3: a run may name the data month explicitly (plans that wait for claims run-out)
    mine = frequent_visitor(plan_a)
    frequent_visitor(plan_b)
    output = scan_command("--plan", "plan-a", "--data-month", "2026-08")
    run = ScanRun.objects.get()
    assert (run.plan, run.status, run.data_month) == (plan_a, ScanStatus.SUCCEEDED, date(2026, 8, 1))
    assert (run.window_start, run.window_end, run.triggered_by) == (date(2026, 3, 1), date(2026, 8, 31), None)
    assert output.startswith(
        f"Scan {run.pk}: data month 2026-08, window 2026-03-01 to 2026-08-31, 5 events, 1 qualify "
        "(1 new, 0 updated, 0 closed) in "
    )
    assert list(Determination.objects.values_list("member", flat=True)) == [mine.pk]  # plan B untouched


def test_without_a_data_month_the_command_takes_the_latest_service_month(plan_a):
    # DOMAIN 3.3: the data month defaults to the latest service month among the plan's events
    frequent_visitor(plan_a, first=date(2026, 6, 1))  # last visit 2026-06-29
    assert "data month 2026-06, window 2026-01-01 to 2026-06-30" in scan_command("--plan", "plan-a")
    assert ScanRun.objects.get().data_month == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "nope"], "No plan with code 'nope'."),
        (["--plan", "plan-a", "--data-month", "2026-13"], "'2026-13' is not a month (YYYY-MM)."),
        (["--plan", "plan-a", "--data-month", "2026-11"], "The data month is in the future."),
        (["--plan", "plan-a", "--data-month", "2019-01"], "No high-utilizer criteria in force for 2019-01."),
    ],
)
def test_the_command_refuses_bad_input_without_recording_a_run(plan_a, args, message):
    with pytest.raises(CommandError) as refused:
        scan_command(*args)
    assert str(refused.value) == message
    assert not ScanRun.objects.exists()


def test_the_command_refuses_while_a_run_is_in_progress(plan_a):
    # issue 9: two runs for one plan never overlap
    ScanRun.objects.create(plan=plan_a, run_date=RUN_AT.date(), started_at=RUN_AT)
    with pytest.raises(CommandError, match="already running"):
        scan_command("--plan", "plan-a")
    assert ScanRun.objects.count() == 1


# --- Admin: ScanRun "Run the high-utilizer scan again (same data month)" ------------------------------


@pytest.fixture
def plan_administrator(plan_a):
    user = UserFactory()
    membership_create(user=user, plan=plan_a, role=Role.PLAN_ADMINISTRATOR, actor=OPERATOR)
    return user


def test_the_admin_scans_again_for_the_same_data_month(
    client, plan_a, plan_administrator, django_capture_on_commit_callbacks
):
    # DOMAIN 3.3: re-running after late claims for the same data month updates the evidence
    member = frequent_visitor(plan_a)
    with clocks.frozen(RUN_AT):
        first = high_utilizer_scan(plan=plan_a, data_month=date(2026, 8, 1), actor=OPERATOR)
    late = EventFactory(member=member, service_date=date(2026, 8, 20))
    client.force_login(plan_administrator)
    with clocks.frozen(RUN_AT + timedelta(days=2)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/eligibility/scanrun/", {"action": "scan_again", "_selected_action": [first.pk]}, follow=True
        )
    assert response.status_code == 200
    assert "1 scan queued." in response.content.decode()
    again = ScanRun.objects.exclude(pk=first.pk).get()
    assert (again.plan, again.status, again.data_month, again.triggered_by) == (
        plan_a,
        ScanStatus.SUCCEEDED,
        date(2026, 8, 1),
        plan_administrator,
    )
    assert (again.qualified, again.opened, again.updated) == (1, 0, 1)
    determination = Determination.objects.get()
    assert determination.evidence["ed_visits"] == 6 and determination.evidence_run == again
    assert late.claim_id in {event["claim_id"] for event in determination.evidence["events"]}


def test_the_admin_cannot_scan_again_another_plans_run(
    client, plan_a, plan_b, plan_administrator, django_capture_on_commit_callbacks
):
    with clocks.frozen(RUN_AT), plan_scope(plan_b):
        frequent_visitor(plan_b)
        theirs = high_utilizer_scan(plan=plan_b, data_month=date(2026, 8, 1), actor=OPERATOR)
    client.force_login(plan_administrator)
    with clocks.frozen(RUN_AT + timedelta(days=2)), django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post("/admin/eligibility/scanrun/", {"action": "scan_again", "_selected_action": [theirs.pk]})
    assert callbacks == []
    with across_plans(reason="test: no plan got a new run"):
        assert list(ScanRun.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_only_plan_administrators_reach_the_scan_again_action(client, plan_a, make_membership):
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
    with clocks.frozen(RUN_AT):
        run = high_utilizer_scan(plan=plan_a, data_month=date(2026, 8, 1), actor=OPERATOR)
    client.force_login(coordinator)
    response = client.post("/admin/eligibility/scanrun/", {"action": "scan_again", "_selected_action": [run.pk]})
    assert response.status_code == 302 and response.url.startswith("/admin/login/")  # not admin staff
    assert ScanRun.objects.count() == 1
