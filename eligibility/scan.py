"""The nightly high-utilizer scan (DOMAIN 3.3): one set-based pass over the window in SQL, then
determinations upserted with their evidence and lapsed ones closed, all in one transaction.

A run is reserved first (`scan_reserve`: the plan's one active run, `queued`, with its data month
and run date), then executed (`scan_execute`) under the plan's scan lock, which the executing
process's database session holds while the run is `running` (ecm_platform.process_lock): a run
whose process died is seen as dead at once and stops blocking, with no timeout.
"""

import logging
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from ecm_platform import clocks, db, process_lock
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, Principal, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from eligibility import rules
from eligibility.models import (
    ACTIVE_SCAN_STATUSES,
    Determination,
    EventType,
    PopulationOfFocus,
    ScanRun,
    ScanStatus,
    UtilizationEvent,
)
from eligibility.selectors import scan_criteria_for
from members.models import EnrollmentSpan, Member

logger = logging.getLogger(__name__)
HIGH_UTILIZER = "HIGH_UTILIZER"
SCAN_LOCK = "eligibility.high_utilizer_scan"  # one lock per plan: (SCAN_LOCK, plan id)
# How long a delivered run waits for the plan's lock: a process that just finished the previous run
# may still hold it; past this, the holder is running this very run (a second delivery).
LOCK_WAIT_SECONDS = 5

# The count streams through event_scan_idx in member order in one process: parallel workers would
# hand every member's partial count to the leader (measured on 15M members: 7.6 s with two workers,
# 5 s without, on a loaded machine).
SCAN_PARALLEL_WORKERS = 0

# The counting of DOMAIN 3.3 in one set-based statement. `{events}`, `{members}`, `{enrollments}`
# and `{next_day}` come from the models and the database seam; the benchmark runs the same text on
# DuckDB to compare.
CANDIDATES_SQL = """
    -- Members who could qualify: the ED-then-admission rule only lowers ED counts, so counting
    -- without it first narrows the careful count below to a few thousand members.
    SELECT e.member_id
    FROM {events} e
    WHERE e.plan_id = %(plan)s AND e.service_date BETWEEN %(window_start)s AND %(window_end)s AND e.is_avoidable
    GROUP BY e.member_id
    HAVING SUM(CASE WHEN e.event_type = 'ED' THEN 1 ELSE 0 END) >= %(ed_min)s
        OR SUM(CASE WHEN e.event_type IN ('INPATIENT', 'SNF_SHORT_TERM') AND NOT e.is_planned THEN 1 ELSE 0 END)
           >= %(stays_min)s
"""
# The careful count over the candidates in `{candidates}` (a CTE, or the job's table of them).
COUNTED_CTE = """
admissions AS (
    -- The candidates' admissions from the window's first day to the day after its last (an ED
    -- visit on the last day may lead to one the next day), planned or not.
    SELECT a.member_id, a.service_date
    FROM {candidates} k
    JOIN {events} a ON a.plan_id = %(plan)s AND a.member_id = k.member_id
    WHERE a.event_type = 'INPATIENT' AND a.service_date BETWEEN %(window_start)s AND %(admissions_until)s
),
counted AS (
    -- The events that count: avoidable ED visits not followed by an admission the same or next
    -- day (even one past the window's end), and unplanned avoidable inpatient / short-term SNF stays.
    -- One hash join with the admissions, not a lookup per ED visit; a stay joins none, and an ED
    -- visit that joins any is dropped (so one with two admissions is never counted twice).
    SELECT w.id, w.member_id, w.claim_id, w.event_type, w.service_date,
           CASE WHEN w.event_type = 'ED' THEN 1 ELSE 0 END AS is_ed
    FROM {candidates} k
    JOIN {events} w ON w.plan_id = %(plan)s AND w.member_id = k.member_id
    LEFT JOIN admissions a ON w.event_type = 'ED' AND a.member_id = w.member_id
        AND a.service_date >= w.service_date AND a.service_date <= {next_day}
    WHERE w.service_date BETWEEN %(window_start)s AND %(window_end)s AND w.is_avoidable
      AND (
        (w.event_type = 'ED' AND a.member_id IS NULL)
        OR (w.event_type IN ('INPATIENT', 'SNF_SHORT_TERM') AND NOT w.is_planned)
      )
),
per_member AS (
    SELECT member_id, SUM(is_ed) AS ed_visits, SUM(1 - is_ed) AS stays
    FROM counted
    GROUP BY member_id
    HAVING SUM(is_ed) >= %(ed_min)s OR SUM(1 - is_ed) >= %(stays_min)s
),
qualifying AS (
    -- Adult on the window's last day and enrolled on the run date; looked up per qualifying
    -- member (a few thousand), never by scanning the member table.
    SELECT p.member_id, p.ed_visits, p.stays
    FROM per_member p
    WHERE (SELECT m.birth_date FROM {members} m WHERE m.id = p.member_id) <= %(adult_born_by)s
      AND EXISTS (
          SELECT 1 FROM {enrollments} s
          WHERE s.member_id = p.member_id AND s.start_date <= %(run_date)s
            AND (s.end_date IS NULL OR s.end_date >= %(run_date)s)
      )
)
"""
# The counting of DOMAIN 3.3 in one set-based statement (the benchmark runs the same text on
# DuckDB to compare). `{events}`, `{members}`, `{enrollments}` and `{next_day}` come from the
# models and the database seam.
QUALIFYING_SQL = (
    "WITH candidates AS ("
    + CANDIDATES_SQL
    + "),"
    + COUNTED_CTE.replace("{candidates}", "candidates")
    + "SELECT member_id, ed_visits, stays FROM qualifying"
)
# The job writes the candidates to a table first, which the evidence then refers to twice.
CANDIDATES_TABLE_SQL = "CREATE TEMP TABLE scan_candidates AS " + CANDIDATES_SQL
# Evidence for every qualifying member, built in the database (memory stays flat in plan size).
EVIDENCE_SQL = (
    "CREATE TEMP TABLE scan_result AS WITH"
    + COUNTED_CTE.replace("{candidates}", "scan_candidates")
    + """
SELECT q.member_id, {evidence_json} AS evidence
FROM qualifying q
JOIN (
    SELECT c.member_id, {events_json} AS events
    FROM (
        SELECT c.* FROM counted c WHERE c.member_id IN (SELECT member_id FROM qualifying)
        ORDER BY c.member_id, c.service_date, c.id
    ) c
    GROUP BY c.member_id
) e ON e.member_id = q.member_id
"""
)


def scan_sql(template: str, next_day_sql: str, **fragments) -> str:
    return template.format(
        events=UtilizationEvent._meta.db_table,
        members=Member._meta.db_table,
        enrollments=EnrollmentSpan._meta.db_table,
        next_day=next_day_sql,
        **fragments,
    )


def scan_parameters(plan: HealthPlan, criteria, window_start: date, window_end: date, run_date: date) -> dict:
    return {
        "plan": plan.pk,
        "window_start": window_start,
        "window_end": window_end,
        "admissions_until": window_end + timedelta(days=1),
        "ed_min": criteria.ed_visits_min,
        "stays_min": criteria.stays_min,
        # Adult on the last day of the window.
        "adult_born_by": window_end - relativedelta(years=criteria.adult_age),
        "run_date": run_date,
    }


def latest_data_month(plan: HealthPlan, as_of: date | None = None) -> date | None:
    """DOMAIN 3.3: the latest service month among the plan's adjudicated events (none after the
    run date counts: a later service date is a keying error)."""
    as_of = as_of or clocks.local_date(clocks.now())
    latest = UtilizationEvent.objects.filter(plan=plan, service_date__lte=as_of).aggregate(latest=Max("service_date"))[
        "latest"
    ]
    return latest.replace(day=1) if latest else None


def _check_dates(data_month: date | None, run_date: date, today: date) -> None:
    if run_date > today:
        raise DomainError("The run date is in the future.", field="run_date")
    if data_month is None:
        return
    if data_month > today:
        raise DomainError("The data month is in the future.", field="data_month")
    if data_month > run_date:
        raise DomainError("The data month is after the run date.", field="data_month")
    try:
        scan_criteria_for(data_month)
    except LookupError as error:
        raise DomainError(str(error), field="data_month") from None


def _already_running(run: ScanRun | None) -> ConflictError:
    return ConflictError(
        "A high-utilizer scan is already running for this plan.",
        code="scan_running",
        facts={"running_run": run.pk if run else None},
    )


def scan_reserve(*, plan: HealthPlan, actor, data_month: date | None = None, run_date: date | None = None) -> ScanRun:
    """Reserve the plan's one active run (`queued`), its data month and run date fixed (DOMAIN 3.3:
    a run may name both). A run is refused (409, naming the active run) while another is queued or
    running; a `running` run whose process is gone is recorded as failed and blocks nothing."""
    require(actor, Capability.SCAN_RUN, plan=plan)
    now = clocks.now()
    today = clocks.local_date(now)
    run_date = run_date or today
    data_month = data_month.replace(day=1) if data_month else None
    _check_dates(data_month, run_date, today)
    with transaction.atomic():
        active = ScanRun.objects.select_for_update().filter(plan=plan, status__in=ACTIVE_SCAN_STATUSES).first()
        if (
            active is not None
            and active.status == ScanStatus.RUNNING
            and not process_lock.is_running(SCAN_LOCK, plan.pk, active.runner)
        ):
            active.status, active.finished_at = ScanStatus.FAILED, now
            active.error = "The run's process ended before it finished."
            active.save(update_fields=["status", "finished_at", "error"])
            active = None
        if active is not None:
            raise _already_running(active)
        data_month = data_month or latest_data_month(plan, run_date) or run_date.replace(day=1)
        try:
            with transaction.atomic():
                return ScanRun.objects.create(
                    plan=plan,
                    data_month=data_month,
                    run_date=run_date,
                    started_at=now,
                    triggered_by=actor_user(actor),
                )
        except IntegrityError:  # reserved by someone else since the check
            raise _already_running(ScanRun.objects.filter(plan=plan, status__in=ACTIVE_SCAN_STATUSES).first()) from None


def _enqueue(run: ScanRun) -> None:
    enqueue_on_commit(
        "eligibility.tasks.high_utilizer_scan_task", plan_id=run.plan_id, run_id=run.pk, actor_id=run.triggered_by_id
    )


def scan_start(*, plan: HealthPlan, actor, data_month: date | None = None, run_date: date | None = None) -> ScanRun:
    """Reserve a run and have a worker execute it after the commit (the API, the pages, the nightly
    job); the returned run is `queued` (or done already with eager tasks). Refused because a run is
    still queued, it sends that run's task again: a message the broker lost (a restart without
    persistence) would leave it waiting forever, and a second delivery runs nothing twice."""
    try:
        with transaction.atomic():
            run = scan_reserve(plan=plan, actor=actor, data_month=data_month, run_date=run_date)
            _enqueue(run)
    except ConflictError as refused:
        waiting = ScanRun.objects.filter(plan=plan, pk=refused.facts.get("running_run"), status=ScanStatus.QUEUED)
        for run in waiting:
            _enqueue(run)
        raise
    run.refresh_from_db()  # eager tasks have run it by now
    return run


def _evidence_fragments() -> dict[str, str]:
    event = db.json_object(
        ("id", "c.id"),
        ("claim_id", "c.claim_id"),
        ("type", "c.event_type"),
        ("service_date", "CAST(c.service_date AS text)"),
    )
    return {
        "events_json": db.json_array_agg(event, "c.service_date, c.id"),
        "evidence_json": db.json_object(
            ("data_month", "%(data_month_text)s"),
            ("window", db.json_array("%(window_start_text)s", "%(window_end_text)s")),
            ("ed_visits", "q.ed_visits"),
            ("stays", "q.stays"),
            ("thresholds", db.json_object(("ed_visits", "%(ed_min)s"), ("stays", "%(stays_min)s"))),
            ("events", db.as_json("e.events")),
        ),
    }


def _count(cursor, sql: str, params) -> int:
    cursor.execute(sql, params)
    return cursor.rowcount


def _upsert(plan, run, pof, criteria, data_month: date, window_start: date, window_end: date) -> dict[str, int]:
    """Evidence into a temporary table, then lapsed determinations closed, changed ones updated and
    new ones inserted: set-based, in the caller's transaction."""
    ops = connection.ops
    table = Determination._meta.db_table
    params = {
        **scan_parameters(plan, criteria, window_start, window_end, run.run_date),
        "data_month_text": f"{data_month:%Y-%m}",
        "window_start_text": str(window_start),
        "window_end_text": str(window_end),
        "pof": pof.pk,
        "run": run.pk,
        "start_date": ops.adapt_datefield_value(rules.scan_start_date(data_month, run.run_date)),
        "end_date": ops.adapt_datefield_value(rules.scan_end_date(data_month, run.run_date)),
        "now": ops.adapt_datetimefield_value(clocks.now()),
    }
    open_scan = f"{table}.plan_id = %(plan)s AND {table}.pof_id = %(pof)s AND {table}.source = 'scan' AND {table}.end_date IS NULL"
    with db.analytic_query(SCAN_PARALLEL_WORKERS), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scan_candidates")
        cursor.execute("DROP TABLE IF EXISTS scan_result")
        cursor.execute(scan_sql(CANDIDATES_TABLE_SQL, ""), params)
        cursor.execute("ANALYZE scan_candidates")
        cursor.execute(scan_sql(EVIDENCE_SQL, db.next_day("w.service_date"), **_evidence_fragments()), params)
        cursor.execute("CREATE UNIQUE INDEX scan_result_member ON scan_result (member_id)")
        cursor.execute("ANALYZE scan_result")  # the statements below join it: give the planner its size
        cursor.execute("SELECT COUNT(*) FROM scan_result")
        qualified = cursor.fetchone()[0]
        closed = _count(
            cursor,
            # DOMAIN 3.3: the end date follows the closing run's data month and run date, but is never
            # before the start (a re-run for the same data month can close one opened after it).
            f"UPDATE {table} SET end_date = CASE WHEN start_date > %(end_date)s THEN start_date ELSE %(end_date)s END, "
            "closed_by_run_id = %(run)s, updated_at = %(now)s "
            f"WHERE {open_scan} AND NOT EXISTS (SELECT 1 FROM scan_result r WHERE r.member_id = {table}.member_id)",
            params,
        )
        updated = _count(
            cursor,
            f"UPDATE {table} SET evidence = r.evidence, evidence_run_id = %(run)s, updated_at = %(now)s "
            f"FROM scan_result r WHERE r.member_id = {table}.member_id AND {open_scan} AND r.evidence <> {table}.evidence",
            params,
        )
        opened = _count(
            cursor,
            f"INSERT INTO {table} (plan_id, member_id, pof_id, source, start_date, evidence, justification, "
            "scan_run_id, evidence_run_id, created_at, updated_at) "
            "SELECT %(plan)s, r.member_id, %(pof)s, 'scan', %(start_date)s, r.evidence, '', %(run)s, %(run)s, %(now)s, %(now)s "
            f"FROM scan_result r WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {open_scan} AND {table}.member_id = r.member_id)",
            params,
        )
        cursor.execute("DROP TABLE scan_result")
        cursor.execute("DROP TABLE scan_candidates")
    return {
        "qualified": qualified,
        "opened": opened,
        "updated": updated,
        "unchanged": qualified - opened - updated,
        "closed": closed,
    }


def scan_job(plan: HealthPlan) -> Principal:
    """The nightly job acts on its own: it may run the scan and nothing else."""
    return Principal.system("high-utilizer scan", Capability.SCAN_RUN, plan=plan)


def high_utilizer_scan(
    *, plan: HealthPlan, data_month: date | None = None, run_date: date | None = None, actor
) -> ScanRun:
    """Reserve and run the scan now, in this process (the command, tests)."""
    run = scan_reserve(plan=plan, actor=actor, data_month=data_month, run_date=run_date)
    return scan_execute(plan=plan, run=run, actor=actor)


def scan_execute(*, plan: HealthPlan, run: ScanRun, actor) -> ScanRun:
    """Run a reserved scan under the plan's scan lock. The determinations change in one
    transaction: a run that fails midway leaves the previous ones intact, and its run row says what
    went wrong. A run that is no longer queued, or whose plan's lock another process holds (it runs
    this run: its task was delivered twice), is left as it is."""
    require(actor, Capability.SCAN_RUN, plan=plan)
    with process_lock.held(SCAN_LOCK, plan.pk, wait_seconds=LOCK_WAIT_SECONDS) as holding:
        claimed = holding and ScanRun.objects.filter(pk=run.pk, plan=plan, status=ScanStatus.QUEUED).update(
            status=ScanStatus.RUNNING, started_at=clocks.now(), runner=process_lock.runner_id()
        )
        run.refresh_from_db()
        if claimed:
            _execute(plan, run, actor)
    return run


def _execute(plan: HealthPlan, run: ScanRun, actor) -> None:
    started = time.perf_counter()
    data_month = run.data_month
    try:
        with transaction.atomic():
            criteria = scan_criteria_for(data_month)
            window_start, window_end = rules.lookback_window(data_month, criteria.lookback_months)
            pof = PopulationOfFocus.objects.get(code=HIGH_UTILIZER)
            # Counted before the scan's settings apply: this count gains from parallel workers.
            run.events_in_window = UtilizationEvent.objects.filter(
                plan=plan, service_date__range=(window_start, window_end)
            ).count()
            counts = _upsert(plan, run, pof, criteria, data_month, window_start, window_end)
            run.data_month, run.window_start, run.window_end = data_month, window_start, window_end
            for field, value in counts.items():
                setattr(run, field, value)
            run.status = ScanStatus.SUCCEEDED
            _finish(run, started)
            audit_record(
                code="eligibility.scan.completed",
                plan=plan,
                actor=actor,
                target=run,
                payload={"data_month": f"{data_month:%Y-%m}", **counts},
            )
    except Exception as error:
        run.status, run.error = ScanStatus.FAILED, f"{type(error).__name__}: {error}"
        _finish(run, started)
        logger.exception("eligibility.scan.failed", extra={"plan": plan.code, "run": run.pk})
        raise


def _finish(run: ScanRun, started: float) -> None:
    run.finished_at = clocks.now()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save()


__all__ = ["EventType", "high_utilizer_scan", "latest_data_month", "scan_execute", "scan_reserve", "scan_start"]
