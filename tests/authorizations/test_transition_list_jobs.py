"""The Member Transition List as a background job (issue 15, imports): started in the request
(202, also while the broker is down: the job waits in the outbox), checked without a query per
row, its progress and report on the job's page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorizations import services
from authorizations.models import AuthorizationRequest
from authorizations.tasks import transition_list_import_task
from ecm_platform.celery import app as celery_app
from ecm_platform.jobs.models import ImportJob
from ecm_platform.outbox.delivery import outbox_deliver
from ecm_platform.outbox.models import OutboxMessage
from tests.authorizations.api_helpers import post
from tests.redis_server import broker_at, running_redis

pytestmark = pytest.mark.usefixtures("in_plan_a")
redis_server_fixture = pytest.fixture(running_redis, name="redis_server")
TASK = "authorizations.tasks.transition_list_import_task"


def rows_for(members) -> list[dict]:
    return [{"cin": m.cin, "program": "wpc", "transition_date": "2026-07-01"} for m in members]


def test_a_list_started_while_the_broker_is_down_waits_in_the_outbox_and_runs_once_it_is_back(
    plan_a, coordinator_api, eligible_member_a, redis_server, django_capture_on_commit_callbacks
):
    with broker_at(redis_server.port):
        redis_server.stop()
        with django_capture_on_commit_callbacks(execute=True):
            started = post(coordinator_api, "/api/v1/transition-imports/", {"rows": rows_for([eligible_member_a])})
        assert started.status_code == 202, started.json()
        assert started.json()["state"] == "queued"
        pending = OutboxMessage.objects.get(task_name=TASK)
        assert pending.delivered_at is None
        assert pending.kwargs == {"plan_id": plan_a.pk, "job_id": started.json()["id"]}
        redis_server.start()
        assert outbox_deliver() >= 1
    queued = [m for m in redis_server.queued() if m["task"] == TASK]
    assert queued == [{"task": TASK, "kwargs": pending.kwargs}]
    celery_app.tasks[TASK].apply(kwargs=queued[0]["kwargs"])  # as a worker would
    job = coordinator_api.get(started.json()["url"]).json()
    assert (job["state"], job["report"]["created"]) == ("succeeded", 1)
    celery_app.tasks[TASK].apply(kwargs=queued[0]["kwargs"])  # a second delivery runs nothing
    assert AuthorizationRequest.objects.filter(member=eligible_member_a).count() == 1


def test_checking_a_list_costs_the_same_queries_for_five_rows_or_fifty(plan_a, coordinator_a, make_eligible_member):
    """Issue 15: the check cost 5 queries per row (4,000 rows: 25 s); now a few per chunk of rows.
    Every row is unknown here, so only the checks run."""
    counts = []
    for size in (5, 50):
        rows = [{"cin": f"{n:08d}Z", "program": "wpc", "transition_date": "2026-07-01"} for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            report = services.transition_import(plan=plan_a, actor=coordinator_a.user, rows=rows)
        assert len(report["errors"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_jobs_page_shows_progress_and_refreshes_until_done_then_the_row_errors(plan_a, coordinator_a, client):
    # Outside a commit the job stays queued: the page is looked at while it waits and runs.
    client.force_login(coordinator_a.user)
    rows = [{"cin": "99999999Z", "program": "wpc", "transition_date": "2026-07-01"}]
    job = services.transition_import_start(plan=plan_a, actor=coordinator_a.user, rows=rows, source_name="list.csv")
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and page["Refresh"] == "2"
    assert "0 of 1 rows checked" in page.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state="running", rows_done=1, phase="checking")
    assert "1 of 1 rows checked" in client.get(f"/jobs/{job.pk}/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state="queued")
    transition_list_import_task(plan_id=plan_a.pk, job_id=job.pk)
    page = client.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert "Refresh" not in page
    assert "Nothing was imported: 1 error." in html
    assert "No member of the plan has CIN &#x27;99999999Z&#x27;." in html


def test_the_job_page_and_api_stay_within_the_query_budgets(plan_a, coordinator_a, coordinator_api, client):
    """Issue 15: at most 12 queries a page and 8 an API request, whatever the report holds."""
    errors = [{"row": n, "field": "cin", "message": "No member."} for n in range(1, 200)]
    job = services.transition_import_start(plan=plan_a, actor=coordinator_a.user, rows=[])
    ImportJob.objects.filter(pk=job.pk).update(state="failed", report={"errors": errors})
    client.force_login(coordinator_a.user)
    client.get("/")  # the first request after login also writes the session
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/jobs/{job.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as api:
        assert coordinator_api.get(f"/api/v1/import-jobs/{job.pk}/").status_code == 200
    assert (len(page) <= 12, len(api) <= 8) == (True, True), (len(page), len(api))
