"""An import job's report and file (review F6, issue 15): the row errors kept are bounded (the first
ERRORS_LISTED, with the true count), showing them is a PHI read in the access log (they quote
CINs), and the file as received (every CIN of the list) is emptied once the job is done."""

import contextlib
from datetime import timedelta

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccess
from ecm_platform.errors import DomainError
from ecm_platform.jobs import services
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.models import Role
from tests.ecm_platform.test_jobs import make_job

pytestmark = pytest.mark.usefixtures("in_plan_a")


def row_errors(count: int) -> list[dict]:
    return [{"row": n, "field": "cin", "message": f"No member of the plan has CIN '{n:08d}Z'."} for n in range(count)]


@pytest.fixture
def coordinator(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR)


def stored_content(job) -> bytes:
    return bytes(ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get())


def test_the_report_keeps_the_first_errors_and_counts_them_all(plan_a, coordinator, client, make_api_client):
    """A 400k-row list of errors went whole into one jsonb value (past its 255 MB) and onto the
    page; the stored report lists ERRORS_LISTED and `error_count` says how many there were."""
    total = services.ERRORS_LISTED + 5
    job = make_job(plan_a, started_by=coordinator.user)
    done = services.import_job_run(
        plan=plan_a, job_id=job.pk, work=lambda **_: {"created": 0, "errors": row_errors(total)}
    )
    assert (done.state, len(done.report["errors"]), done.report["error_count"]) == ("failed", 1000, total)
    assert done.report["errors"][-1]["row"] == services.ERRORS_LISTED - 1  # the first ones, in order
    client.force_login(coordinator.user)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"Nothing was imported: {total} errors. The first 1000 are listed; 5 more errors not listed." in html
    assert html.count("<tr><td>") == services.ERRORS_LISTED
    report = make_api_client(coordinator).get(f"/api/v1/import-jobs/{job.pk}/").json()["report"]
    assert (len(report["errors"]), report["error_count"]) == (services.ERRORS_LISTED, total)


def test_showing_a_report_with_row_errors_is_logged_as_a_phi_read(plan_a, coordinator, client, make_api_client):
    """Row errors quote the list's CINs: the page and the API each record the read (who, where,
    how many rows); a report without errors names nobody and records nothing."""
    failed = make_job(plan_a, started_by=coordinator.user)
    services.import_job_run(plan=plan_a, job_id=failed.pk, work=lambda **_: {"created": 0, "errors": row_errors(3)})
    succeeded = make_job(plan_a, kind="tests.other", started_by=coordinator.user)
    services.import_job_run(plan=plan_a, job_id=succeeded.pk, work=lambda **_: {"created": 3, "errors": []})
    client.force_login(coordinator.user)
    assert client.get(f"/jobs/{failed.pk}/").status_code == 200
    assert make_api_client(coordinator).get(f"/api/v1/import-jobs/{failed.pk}/").status_code == 200
    assert client.get(f"/jobs/{succeeded.pk}/").status_code == 200
    logged = PhiAccess.objects.filter(plan=plan_a).order_by("id")
    assert [(a.user_id, a.label, a.row_count, a.path, a.member_ids) for a in logged] == [
        (coordinator.user.pk, f"Import {failed.pk} report", 3, f"/jobs/{failed.pk}/", []),
        (coordinator.user.pk, f"Import {failed.pk} report", 3, f"/api/v1/import-jobs/{failed.pk}/", []),
    ]


def fails_on_a_rule(**_):
    raise DomainError("The person who started the import no longer works for this plan.")


def crashes(**_):
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("work", "state"),
    [
        (lambda **_: {"created": 1, "errors": []}, "succeeded"),
        (lambda **_: {"created": 0, "errors": row_errors(1)}, "failed"),
        (fails_on_a_rule, "failed"),
        (crashes, "failed"),
    ],
    ids=["succeeded", "row-errors", "domain-error", "crash"],
)
def test_the_file_is_emptied_once_the_job_is_done(plan_a, work, state):
    job = make_job(plan_a, content=b'[{"cin": "12345678A"}]')
    with contextlib.suppress(RuntimeError):  # a crash is raised again for the task's log
        services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
    job.refresh_from_db()
    assert (job.state, stored_content(job)) == (state, b"")


def test_the_file_of_a_job_the_sweeper_fails_is_emptied_and_a_queued_one_kept(plan_a):
    old = clocks.now() - services.STALE_AFTER - timedelta(seconds=1)
    dead = make_job(plan_a, state=JobState.RUNNING, heartbeat_at=old, content=b"[1]")
    queued = make_job(plan_a, kind="tests.other", content=b"[2]")
    services.import_jobs_sweep()
    assert (stored_content(dead), stored_content(queued)) == (b"", b"[2]")
