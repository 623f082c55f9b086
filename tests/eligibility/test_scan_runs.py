"""Scan runs as integrators and operators meet them (DOMAIN 3.3, issue 14): the run id and its
`Location` in the 202, a named run date, determination dates that follow the data month, a 409
that names the run in the way, and a "running" marker that dies with its process."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from ecm_platform import clocks, process_lock
from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from eligibility import rules
from eligibility import scan as scan_module
from eligibility.models import Determination, ScanRun, ScanStatus
from eligibility.scan import SCAN_LOCK, high_utilizer_scan, scan_execute, scan_reserve
from eligibility.tasks import high_utilizer_scan_nightly
from members.models import EnrollmentSpan
from tests.factories import EventFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
RUN_AT = datetime(2026, 11, 30, 2, 0, tzinfo=LA)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.usefixtures("in_plan_a")


def frequent_visitor(plan, first=date(2026, 5, 4), visits=5):
    member = enrolled_member(plan)
    for week in range(visits):
        EventFactory(member=member, service_date=first + timedelta(weeks=week))
    return member


def scan(plan, at=RUN_AT, **kwargs):
    with clocks.frozen(at):
        return high_utilizer_scan(plan=plan, actor=OPERATOR, **kwargs)


@pytest.fixture
def api(plan_a, make_membership, make_api_client):
    return make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))


def start(api, body, at=RUN_AT):
    with clocks.frozen(at):
        return api.post("/api/v1/scans/", body, format="json")


# --- DOMAIN 3.3 (amended): determination dates -----------------------------------------------------


@pytest.mark.parametrize(
    ("data_month", "run_date", "start_date", "end_date"),
    [
        (date(2026, 9, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 9, 30)),  # a backfill
        (date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 5), date(2026, 10, 5)),  # never in the future
        (date(2026, 10, 1), date(2026, 11, 12), date(2026, 11, 1), date(2026, 10, 31)),
    ],
)
def test_the_dates_follow_the_data_month_and_never_the_future(data_month, run_date, start_date, end_date):
    assert rules.scan_start_date(data_month, run_date) == start_date
    assert rules.scan_end_date(data_month, run_date) == end_date


def test_a_backfill_gets_the_dates_of_a_timely_run_and_a_lapse_ends_with_the_data_month(plan_a):
    # DOMAIN 3.3: data month 2026-09 run 2026-11-30 -> from 2026-10-01; no longer qualifying for data
    # month 2026-10 run in November -> until 2026-10-31
    member = frequent_visitor(plan_a, first=date(2026, 4, 6))  # April and May: out of the window by 2026-10
    scan(plan_a, data_month=date(2026, 9, 1))
    assert Determination.objects.get(member=member).start_date == date(2026, 10, 1)
    closing = scan(plan_a, data_month=date(2026, 10, 1), at=RUN_AT + timedelta(days=0, hours=1))
    closed = Determination.objects.get(member=member)
    assert (closed.end_date, closed.closed_by_run) == (date(2026, 10, 31), closing)


def test_a_run_named_for_an_early_day_checks_enrollment_on_that_day_and_starts_then(plan_a):
    # DOMAIN 3.3: a run may name its run date (the enrollment check); data month 2026-10 run
    # 2026-10-05 -> from 2026-10-05
    stayed, left = frequent_visitor(plan_a, first=date(2026, 8, 3)), frequent_visitor(plan_a, first=date(2026, 8, 3))
    EnrollmentSpan.objects.filter(member=left).update(end_date=date(2026, 10, 4))
    run = scan(plan_a, data_month=date(2026, 10, 1), run_date=date(2026, 10, 5))
    assert run.run_date == date(2026, 10, 5)
    assert list(Determination.objects.values_list("member", "start_date")) == [(stayed.pk, date(2026, 10, 5))]


# --- The API: 202 with the run, 409 naming the run in the way --------------------------------------


def test_starting_a_scan_answers_the_run_and_where_to_find_it(plan_a, api, django_capture_on_commit_callbacks):
    # Issue 14, "Integrators": the 202 used to be {"queued": true}, with no run id.
    frequent_visitor(plan_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api, {"data_month": "2026-09", "run_date": "2026-11-02"})
    assert response.status_code == 202, response.json()
    run = ScanRun.objects.get()
    assert response["Location"] == f"/api/v1/scans/{run.pk}/"
    body = response.json()
    assert (body["id"], body["data_month"], body["run_date"]) == (run.pk, "2026-09-01", "2026-11-02")
    assert body["status"] == "queued"  # its task runs once the request's transaction commits
    with clocks.frozen(RUN_AT):
        polled = api.get(response["Location"]).json()
    assert (polled["status"], polled["qualified"]) == ("succeeded", 1)
    assert Determination.objects.get().start_date == date(2026, 10, 1)


def test_a_scan_requested_while_one_is_queued_is_refused_naming_it(plan_a, api):
    # Issue 14, "Faults": it used to answer 202 "queued" while the task did nothing.
    waiting = ScanRun.objects.create(plan=plan_a, run_date=RUN_AT.date(), started_at=clocks.now())
    response = start(api, {})
    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "scan_running", "detail": "A high-utilizer scan is already running for this plan.", "attr": None}
        ],
        "running_run": waiting.pk,
    }
    assert ScanRun.objects.count() == 1


def test_a_queued_run_whose_message_was_lost_runs_when_a_scan_is_asked_for_again(
    plan_a, api, django_capture_on_commit_callbacks
):
    # The broker lost its task (Redis restarted without persistence): the run would wait forever.
    frequent_visitor(plan_a)
    with clocks.frozen(RUN_AT):
        lost = scan_reserve(plan=plan_a, actor=OPERATOR, data_month=date(2026, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api, {})
    assert (response.status_code, response.json()["running_run"]) == (409, lost.pk)
    lost.refresh_from_db()
    assert (lost.status, lost.qualified) == (ScanStatus.SUCCEEDED, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no session locks")
def test_a_run_delivered_while_another_process_runs_it_is_left_to_that_process(plan_a, monkeypatch):
    frequent_visitor(plan_a)
    with clocks.frozen(RUN_AT):
        run = scan_reserve(plan=plan_a, actor=OPERATOR)
    monkeypatch.setattr(scan_module, "LOCK_WAIT_SECONDS", 0.2)
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", process_lock._keys(SCAN_LOCK, plan_a.pk))
        assert scan_execute(plan=plan_a, run=run, actor=OPERATOR).status == ScanStatus.QUEUED
    finally:
        other.close()
    assert not Determination.objects.exists()
    assert scan_execute(plan=plan_a, run=run, actor=OPERATOR).status == ScanStatus.SUCCEEDED  # once it is free


def test_the_scan_page_says_why_it_cannot_start_one(client, plan_a, make_membership):
    waiting = ScanRun.objects.create(plan=plan_a, run_date=RUN_AT.date(), started_at=clocks.now())
    client.force_login(make_membership(plan_a, Role.CARE_COORDINATOR).user)
    page = client.post("/eligibility/scans/start/", follow=True).content.decode()
    assert f"Scan {waiting.pk} is queued or running; try again once it is done." in page
    assert "Queued" in page
    assert ScanRun.objects.count() == 1


def test_the_nightly_run_steps_aside_for_a_run_in_progress(plan_a):
    waiting = ScanRun.objects.create(plan=plan_a, run_date=RUN_AT.date(), started_at=clocks.now())
    assert high_utilizer_scan_nightly.apply(kwargs={"plan_id": plan_a.pk}).get() is None
    assert list(ScanRun.objects.values_list("pk", flat=True)) == [waiting.pk]


@pytest.mark.parametrize(
    ("body", "attr", "detail"),
    [
        ({"run_date": "2026-12-01"}, "run_date", "The run date is in the future."),
        ({"data_month": "2026-12"}, "data_month", "The data month is in the future."),
        ({"data_month": "2026-11", "run_date": "2026-10-30"}, "data_month", "The data month is after the run date."),
        ({"data_month": "2019-01"}, "data_month", "No high-utilizer criteria in force for 2019-01."),
    ],
)
def test_a_run_that_cannot_be_scanned_is_refused_before_it_is_recorded(api, body, attr, detail):
    response = start(api, body)
    assert response.status_code == 400
    assert [(e["attr"], e["detail"]) for e in response.json()["errors"]] == [(attr, detail)]
    assert not ScanRun.objects.exists()


# --- A "running" marker that dies with its process ------------------------------------------------


def gone_process_id() -> int:
    """The id of a process that has ended (and been reaped)."""
    ended = subprocess.run([sys.executable, "-c", ""], check=True)
    assert ended.returncode == 0
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_a_running_run_whose_process_is_gone_blocks_nothing_at_once(plan_a):
    # Issue 14, "Faults": a run killed midway used to refuse every scan for 30 minutes.
    frequent_visitor(plan_a)
    dead = ScanRun.objects.create(
        plan=plan_a, run_date=RUN_AT.date(), started_at=RUN_AT, status=ScanStatus.RUNNING,
        runner=f"{process_lock.runner_id().rpartition(':')[0]}:{gone_process_id()}",
    )  # fmt: skip
    again = scan(plan_a, at=RUN_AT + timedelta(seconds=1))
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (ScanStatus.FAILED, "The run's process ended before it finished.")
    assert (again.status, again.qualified) == (ScanStatus.SUCCEEDED, 1)


def test_a_running_run_whose_process_lives_is_refused_naming_it(plan_a):
    # This process holds the plan's scan lock (PostgreSQL) and is the run's recorded runner (SQLite).
    with process_lock.held(SCAN_LOCK, plan_a.pk):
        alive = ScanRun.objects.create(
            plan=plan_a, run_date=RUN_AT.date(), started_at=RUN_AT, status=ScanStatus.RUNNING,
            runner=process_lock.runner_id(),
        )  # fmt: skip
        with pytest.raises(ConflictError) as refused:
            scan_reserve(plan=plan_a, actor=OPERATOR)
    assert refused.value.facts == {"running_run": alive.pk}
    alive.refresh_from_db()
    assert alive.status == ScanStatus.RUNNING


def test_a_run_delivered_twice_runs_once(plan_a):
    frequent_visitor(plan_a)
    with clocks.frozen(RUN_AT):
        run = high_utilizer_scan(plan=plan_a, actor=OPERATOR)
    assert scan_execute(plan=plan_a, run=run, actor=OPERATOR).status == ScanStatus.SUCCEEDED
    assert Determination.objects.count() == 1 and ScanRun.objects.count() == 1


# Run in a second process: the command, with the scan held open after its writes (its transaction
# not yet committed) until the test kills it.
SLOW_SCAN = """
import sys, time, django
django.setup()
from django.core.management import call_command
from eligibility import scan

upsert = scan._upsert

def upsert_then_hang(*args, **kwargs):
    counts = upsert(*args, **kwargs)
    print("hanging", flush=True)
    time.sleep(120)
    return counts

scan._upsert = upsert_then_hang
call_command("scan_high_utilizers", "--plan", sys.argv[1], "--data-month", "2026-09")
"""


def determinations(plan) -> list[tuple]:
    with plan_scope(plan):
        return list(
            Determination.objects.order_by("member_id").values_list("member_id", "start_date", "end_date", "evidence")
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the SQLite test database lives in this process's memory: no second process can open it "
    "(the SQLite fallback is checked by test_a_running_run_whose_process_is_gone_blocks_nothing_at_once)",
)
def test_a_scan_killed_midway_can_be_rerun_at_once_and_gives_the_same_result(plan_a, tmp_path):
    # Issue 14, "Done when": kill -9 mid-run, re-run at once, the same determinations.
    with scopes_disabled():
        for visits in (5, 6, 7):
            frequent_visitor(plan_a, visits=visits)
        frequent_visitor(plan_a, visits=2)  # does not qualify
    call_command("scan_high_utilizers", "--plan", plan_a.code, "--data-month", "2026-09")
    expected = determinations(plan_a)
    assert len(expected) == 3
    with scopes_disabled():
        Determination.objects.all().delete()
        ScanRun.objects.all().delete()

    errors = tmp_path / "stderr.txt"
    error_file = errors.open("w")
    environment = os.environ | {"DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "ecm_platform.settings"}
    slow = subprocess.Popen(
        [sys.executable, "-c", SLOW_SCAN, plan_a.code],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=error_file,
        text=True,
    )
    try:
        if slow.stdout.readline().strip() != "hanging":
            slow.kill()
            pytest.fail(f"the scan to kill did not start: {errors.read_text()}")
        with scopes_disabled():
            assert ScanRun.objects.get().status == ScanStatus.RUNNING
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(timeout=10)
    finally:
        if slow.poll() is None:
            slow.kill()
        error_file.close()
    started = time.monotonic()
    call_command("scan_high_utilizers", "--plan", plan_a.code, "--data-month", "2026-09")
    assert time.monotonic() - started < 5
    with scopes_disabled():
        runs = list(ScanRun.objects.order_by("id").values_list("status", "error"))
    assert runs == [
        (ScanStatus.FAILED, "The run's process ended before it finished."),
        (ScanStatus.SUCCEEDED, ""),
    ]
    assert determinations(plan_a) == expected


def database_url() -> str:
    """The test database, as the application role (the settings read DATABASE_URL)."""
    settings = connection.settings_dict
    port = settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}@{settings['HOST']}:{port}/{settings['NAME']}"
