"""Background imports (issue 15, imports): claimed once, progress and a heartbeat written on their
own connection while the import's transaction is open, and a job whose worker died never blocks
the next one."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError
from ecm_platform.jobs import services
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.access import ActionNotPermitted, Capability
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope

KIND = "tests.kind"
TASK = "ecm_platform.jobs.tasks.import_jobs_sweep_task"  # any registered task: these tests run jobs by hand


def make_job(plan, **fields) -> ImportJob:
    values = {
        "kind": KIND, "capability": Capability.TRANSITIONS_IMPORT.value, "task_name": TASK, "content": b"[]",
        "rows_total": 10, "created_at": clocks.now(),
    } | fields  # fmt: skip
    return ImportJob.objects.create(plan=plan, **values)


def succeed(*, job, actor, progress) -> dict:
    progress(10, "checking")
    return {"created": 10, "errors": []}


@pytest.mark.usefixtures("in_plan_a")
class TestRunning:
    def test_a_job_is_claimed_once_and_a_second_delivery_runs_nothing(self, plan_a):
        job = make_job(plan_a)
        calls = []

        def work(**arguments):
            calls.append(arguments["job"].pk)
            return succeed(**arguments)

        done = services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
        assert (done.state, done.rows_done, done.report, done.attempts) == (
            "succeeded",
            10,
            {"created": 10, "errors": [], "error_count": 0},
            1,
        )
        assert services.import_job_run(plan=plan_a, job_id=job.pk, work=work) is None
        assert calls == [job.pk]

    def test_row_errors_fail_the_job_and_keep_the_report(self, plan_a):
        job = make_job(plan_a)
        report = {"created": 0, "errors": [{"row": 3, "field": "cin", "message": "No member."}]}
        done = services.import_job_run(plan=plan_a, job_id=job.pk, work=lambda **_: report)
        assert (done.state, done.report) == ("failed", report | {"error_count": 1})

    def test_a_crash_fails_the_job_with_a_plain_message(self, plan_a):
        job = make_job(plan_a)

        def crash(**_):
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            services.import_job_run(plan=plan_a, job_id=job.pk, work=crash)
        job.refresh_from_db()
        assert (job.state, job.error) == ("failed", "The import stopped on an internal error; nothing was imported.")

    def test_another_plans_job_is_not_run(self, plan_a, plan_b):
        with scopes_disabled():
            job = make_job(plan_b)
        assert services.import_job_run(plan=plan_a, job_id=job.pk, work=succeed) is None


@pytest.mark.usefixtures("in_plan_a")
class TestStaleWorkers:
    def test_a_job_whose_worker_died_is_failed_by_the_sweeper(self, plan_a):
        """Issue 15: a killed worker leaves its job `running`; once its heartbeat is older than
        STALE_AFTER the sweeper fails it (its transaction rolled back: nothing was imported)."""
        now = clocks.now()
        dead = make_job(plan_a, state=JobState.RUNNING, heartbeat_at=now - services.STALE_AFTER - timedelta(seconds=1))
        alive = make_job(plan_a, kind="tests.other", state=JobState.RUNNING, heartbeat_at=now)
        assert services.import_jobs_sweep() == {"failed": 1, "requeued": 0}
        dead.refresh_from_db(), alive.refresh_from_db()
        assert (dead.state, dead.error) == ("failed", services.DIED)
        assert alive.state == "running"

    def test_the_next_start_fails_a_dead_job_instead_of_waiting_for_it(self, plan_a, make_membership):
        coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
        start = {
            "plan": plan_a, "actor": coordinator.user, "kind": KIND, "capability": Capability.TRANSITIONS_IMPORT,
            "task_name": TASK, "content": b"[]",
        }  # fmt: skip
        with clocks.frozen(clocks.now()):
            running = make_job(plan_a, state=JobState.RUNNING, heartbeat_at=clocks.now())
            with pytest.raises(ConflictError) as refused:
                services.import_job_start(**start)
            assert refused.value.facts == {"running_job": running.pk}
        with clocks.frozen(clocks.now() + services.STALE_AFTER + timedelta(seconds=1)):
            job = services.import_job_start(**start)
        running.refresh_from_db()
        assert running.state == "failed"
        assert job.state == "queued" and job.started_by == coordinator.user

    def test_a_job_left_queued_is_sent_again(self, plan_a, django_capture_on_commit_callbacks):
        make_job(plan_a, created_at=clocks.now() - services.STALE_AFTER - timedelta(seconds=1))
        assert services.import_jobs_sweep() == {"failed": 0, "requeued": 1}

    def test_starting_needs_the_kinds_capability(self, plan_a, make_membership):
        integrator = make_membership(plan_a, Role.INTEGRATOR)
        with pytest.raises(ActionNotPermitted):
            services.import_job_start(
                plan=plan_a, actor=integrator.user, kind=KIND, capability=Capability.TRANSITIONS_IMPORT,
                task_name=TASK, content=b"[]",
            )  # fmt: skip


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="sessions that see each other's commits")
@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_from_another_session_while_the_import_transaction_is_open(plan_a, monkeypatch):
    """The page polls another connection: the heartbeat thread writes the progress the work reports
    on its own connection, while the work's transaction has committed nothing yet."""
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", timedelta(milliseconds=20))
    with plan_scope(plan_a):
        job = make_job(plan_a)
    seen = []

    def read_progress():
        with plan_scope(plan_a):
            for _ in range(250):
                row = ImportJob.objects.filter(pk=job.pk).values_list("rows_done", "phase").get()
                if row == (7, "importing"):
                    break
                time.sleep(0.02)
            seen.append(row)
        connection.close()

    def work(*, job, actor, progress):
        with transaction.atomic():
            progress(7, "importing")
            reader = threading.Thread(target=read_progress)
            reader.start()
            reader.join()
        return {"errors": []}

    with plan_scope(plan_a):
        done = services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
    assert seen == [(7, "importing")]
    assert done.state == "succeeded"


def test_a_system_started_job_acts_as_a_system_principal_holding_its_capability(plan_a, in_plan_a):
    job = make_job(plan_a)
    seen = []

    def work(*, job, actor, progress):
        seen.append((actor.is_system, actor.may(Capability.TRANSITIONS_IMPORT, plan=plan_a), len(actor.capabilities)))
        return {"errors": []}

    services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
    assert seen == [(True, True, 1)]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="sessions that see each other's commits")
@pytest.mark.django_db(transaction=True)
def test_a_job_the_sweeper_failed_while_it_ran_rolls_back_instead_of_succeeding(plan_a):
    """Review F3 (issue 15): a worker whose heartbeat was lost is failed by the sweeper while it
    still runs; once it ends, its import must not commit and the job must stay failed (else a
    second import may have started meanwhile, and the failed job turned into a success)."""
    with plan_scope(plan_a):
        job = make_job(plan_a)

    def sweep_from_another_session():
        with plan_scope(plan_a):
            ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=clocks.now() - services.STALE_AFTER * 2)
        assert services.import_jobs_sweep() == {"failed": 1, "requeued": 0}
        connection.close()

    def work(*, job, actor, progress):
        audit_record(code="tests.imported", plan=plan_a, actor=None)  # what the import wrote
        sweeper = threading.Thread(target=sweep_from_another_session)
        sweeper.start()
        sweeper.join()
        return {"errors": []}

    with plan_scope(plan_a):
        done = services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
        assert (done.state, done.error) == ("failed", services.DIED)
        assert not AuditEvent.objects.filter(code="tests.imported").exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the heartbeat runs on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_beating_after_a_beat_fails(plan_a, monkeypatch):
    """Review F3: a beat that fails (a dropped connection, injected here once) is logged and the
    next beats still come; the thread used to die on the first error, so the sweeper failed a job
    that was still running."""
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", timedelta(milliseconds=20))
    beat, beats = services._Heartbeat.beat, []

    def fails_once(heartbeat):
        beats.append(heartbeat.job.pk)
        if len(beats) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return beat(heartbeat)

    monkeypatch.setattr(services._Heartbeat, "beat", fails_once)
    with plan_scope(plan_a):
        job = make_job(plan_a)

    def work(*, job, actor, progress):
        deadline = time.monotonic() + 5
        while len(beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        return {"errors": []}

    with plan_scope(plan_a):
        done = services.import_job_run(plan=plan_a, job_id=job.pk, work=work)
    assert len(beats) >= 3
    assert done.state == "succeeded" and done.heartbeat_at > done.started_at


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only")
def test_on_sqlite_no_heartbeat_thread_runs(plan_a, in_plan_a):
    """On SQLite the import's transaction holds the one writer, so no beat could commit: no thread
    is started (ecm_platform/jobs/services.py documents what that costs)."""
    heartbeat = services._Heartbeat(make_job(plan_a))
    with heartbeat:
        assert heartbeat.thread is None
