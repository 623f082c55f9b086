"""Background imports (issue 15): started in the request (the file stored, the job queued through
the durable outbox, so a broker outage loses nothing and answers no error), run by a worker with
its progress and a heartbeat committed as it goes while the import itself applies all or nothing.

A worker that dies leaves its job `running` with a heartbeat that stops: the sweeper (every minute)
and the next start of the same kind fail such a job, so it never blocks the next one. Its import
rolled back with the worker's transaction, so failing it loses nothing; the person starts it again.
A job failed so while its worker still runs (a heartbeat lost) is never finished over: the import
and the job's final state commit together, only while the job is still `running`, so it rolls back.

On SQLite (the embedded default) there is no heartbeat: its one writer is held by the import's
transaction, so no beat or progress could commit before the import does. A job there that runs
past STALE_AFTER is taken for dead by the next start (or a sweeper) and then rolls back; the page
shows its progress only at the end. Deployments run PostgreSQL.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ecm_platform import clocks
from ecm_platform.audit.models import PhiPurpose
from ecm_platform.audit.services import phi_access_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.jobs import selectors
from ecm_platform.jobs.models import ACTIVE_JOB_STATES, IMPORT_CAPABILITIES, ImportJob, JobState
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, Principal, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import across_plans, plan_scope

logger = logging.getLogger(__name__)
HEARTBEAT_EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(minutes=2)  # 24 missed heartbeats: the worker is gone
DIED = "The worker running the import stopped before it finished; nothing was imported. Start it again."
# The report's `errors` are the rows' errors; a job with any is failed (nothing imported). The first
# ERRORS_LISTED are kept, `error_count` counts them all (a 400k-row file of errors fits no jsonb).
ERRORS_LISTED = 1000
Work = Callable[..., dict]


def _conflict(active: ImportJob) -> ConflictError:
    return ConflictError(
        f"Import {active.pk} of this kind is {active.state}; start the next one once it is done.",
        code="import_running",
        facts={"running_job": active.pk},
    )


def _fail_stale(jobs, now) -> int:
    return jobs.filter(state=JobState.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        state=JobState.FAILED, error=DIED, finished_at=now, content=b""
    )


def import_job_start(
    *, plan: HealthPlan, actor, kind: str, capability: Capability, task_name: str, content: bytes,
    source_name: str = "", rows_total: int = 0,
) -> ImportJob:  # fmt: skip
    """Store the file and queue its import; refused (409) while one of the same kind is queued or
    running, unless that one's worker has stopped (then it is failed first)."""
    selectors.require_some_import(actor, plan)
    if capability not in IMPORT_CAPABILITIES:
        raise ValueError(f"{capability} starts no import job: add it to IMPORT_CAPABILITIES.")
    require(actor, capability, plan=plan)
    now = clocks.now()
    with transaction.atomic():
        _fail_stale(ImportJob.objects.filter(plan=plan, kind=kind), now)
        active = ImportJob.objects.filter(plan=plan, kind=kind, state__in=ACTIVE_JOB_STATES).first()
        if active is not None:
            raise _conflict(active)
        try:
            with transaction.atomic():
                job = ImportJob.objects.create(
                    plan=plan, kind=kind, capability=capability.value, task_name=task_name, content=content,
                    source_name=source_name[:200], rows_total=rows_total, started_by=actor_user(actor), created_at=now,
                )  # fmt: skip
        except IntegrityError:  # started by someone else since the check
            raise _conflict(
                ImportJob.objects.filter(plan=plan, kind=kind, state__in=ACTIVE_JOB_STATES).first()
            ) from None
        enqueue_on_commit(task_name, plan_id=plan.pk, job_id=job.pk)
    job.refresh_from_db()  # eager tasks have run it by now
    return job


def _job_actor(job: ImportJob):
    """Who the job acts as: the person who started it, with their role as it is now; a job started
    by a system principal (a command) acts as a system principal holding the one capability."""
    if job.started_by_id is None:
        return Principal.system(f"import-{job.pk}", Capability(job.capability), plan=job.plan)
    principal = principal_for(job.started_by, job.plan)
    if principal is None:
        raise DomainError("The person who started the import no longer works for this plan.")
    return principal


class _Heartbeat:
    """Beats on its own connection every `HEARTBEAT_EVERY` while the job runs, writing the progress
    the work reports: the import's own transaction commits only at its end, and the page must see
    the beat and the progress before that. Not on SQLite (the module's docstring)."""

    def __init__(self, job: ImportJob):
        self.job, self.stop = job, threading.Event()
        self.rows_done, self.phase = 0, ""
        self.thread = None
        if connection.vendor != "sqlite":
            self.thread = threading.Thread(target=self._run, name=f"import-job-{job.pk}-heartbeat", daemon=True)

    def progress(self, rows_done: int, phase: str = "") -> None:
        self.rows_done, self.phase = rows_done, phase

    def beat(self) -> int:
        with plan_scope(self.job.plan):
            return ImportJob.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
                heartbeat_at=clocks.now(), rows_done=self.rows_done, phase=self.phase
            )

    def _run(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_EVERY.total_seconds()):
                try:
                    self.beat()
                except Exception:  # one lost beat (a dropped connection) must not stop the next ones
                    logger.exception("jobs.import.heartbeat_failed", extra={"job_id": self.job.pk})
                    connection.close()  # the next beat reconnects
        finally:
            connection.close()

    def __enter__(self):
        if self.thread is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


class _Overtaken(Exception):
    """The job is no longer `running` (the sweeper failed it): its import must not commit."""


def _finish(job: ImportJob, state: str, *, report: dict | None = None, error: str = "", **fields) -> bool:
    """Only a running job finishes: an UPDATE ... WHERE state = 'running' locks the row and checks
    its state in one statement, so it never turns a job the sweeper failed into a success. The
    stored file names members: it goes once the job is done."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            state=state, report=report or {}, error=error, finished_at=clocks.now(), content=b"", **fields
        )
    )


def _stored(report: dict) -> dict:
    errors = report.get("errors") or []
    return {**report, "errors": errors[:ERRORS_LISTED], "error_count": report.get("error_count", len(errors))}


def import_job_run(*, plan: HealthPlan, job_id: int, work: Work) -> ImportJob | None:
    """Run a queued job: `work(job=, actor=, progress=)` imports the content and returns its report
    (`progress(rows_done, phase)` says how far it got; the heartbeat writes it). A second delivery
    of the task, or a job already failed, runs nothing. The import and the job's end commit in one
    transaction, and only if the job is still running then."""
    now = clocks.now()
    claimed = ImportJob.objects.filter(plan=plan, pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(plan=plan, pk=job_id)
    try:
        with transaction.atomic():
            # The heartbeat stops before the job's row is written here: it would wait on that lock.
            with _Heartbeat(job) as heartbeat:
                report = work(job=job, actor=_job_actor(job), progress=heartbeat.progress)
            state = JobState.FAILED if report.get("errors") else JobState.SUCCEEDED
            if not _finish(job, state, report=_stored(report), rows_done=job.rows_total, phase=""):
                raise _Overtaken
    except _Overtaken:
        logger.warning("jobs.import.overtaken", extra={"job_id": job.pk, "kind": job.kind})
    except DomainError as error:
        _finish(job, JobState.FAILED, error=error.message)
    except Exception:
        logger.exception("jobs.import.crashed", extra={"job_id": job.pk, "kind": job.kind})
        _finish(job, JobState.FAILED, error="The import stopped on an internal error; nothing was imported.")
        raise
    job.refresh_from_db()
    return job


def import_job_read(*, plan: HealthPlan, actor: Principal, pk: int, path: str) -> ImportJob:
    """A job as its page and the API show it. Its row errors quote the file's values (CINs): showing
    them is a PHI read, logged like an export of that many rows."""
    job = selectors.import_job_get(plan=plan, actor=actor, pk=pk)
    if job.errors_listed:
        phi_access_record(
            plan=plan, user=actor.user, purpose=PhiPurpose(actor.phi_purpose), member_label=f"Import {job.pk} report",
            path=path, row_count=len(job.errors_listed),
        )  # fmt: skip
    return job


def import_jobs_sweep() -> dict:
    """Every minute, across plans: fail the running jobs whose heartbeat stopped, and send again
    the task of a job queued for longer than that (a broker that lost a delivered message)."""
    now = clocks.now()
    with across_plans(reason="the import sweeper checks every plan's running jobs"):
        failed = _fail_stale(ImportJob.objects.all(), now)
        waiting = list(
            ImportJob.objects.filter(state=JobState.QUEUED, created_at__lt=now - STALE_AFTER).values_list(
                "pk", "plan_id", "task_name"
            )
        )
        for job_id, plan_id, task_name in waiting:
            enqueue_on_commit(task_name, plan_id=plan_id, job_id=job_id)
    return {"failed": failed, "requeued": len(waiting)}
