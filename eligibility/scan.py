"""The nightly high-utilizer scan (DOMAIN 3.3): one set-based pass over the window in SQL, then
determinations upserted with their evidence and lapsed ones closed, all in one transaction."""

import logging
import time
from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from ecm_platform import clocks, db
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.models import HealthPlan
from eligibility import rules
from eligibility.models import (
    Determination,
    DeterminationSource,
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
# A run still "running" after this long died with its process; it no longer blocks new runs.
STALE_RUN_AFTER = timedelta(minutes=30)

# The counting of DOMAIN 3.3 in one set-based statement. `{events}`, `{members}`, `{enrollments}`
# and `{next_day}` come from the models and the database seam; the benchmark runs the same text on
# DuckDB to compare.
QUALIFYING_CTE = """
WITH candidates AS (
    -- Members who could qualify: the ED-then-admission rule only lowers ED counts, so counting
    -- without it first narrows the careful count below to a few thousand members.
    SELECT e.member_id
    FROM {events} e
    WHERE e.plan_id = %(plan)s AND e.service_date BETWEEN %(window_start)s AND %(window_end)s AND e.is_avoidable
    GROUP BY e.member_id
    HAVING SUM(CASE WHEN e.event_type = 'ED' THEN 1 ELSE 0 END) >= %(ed_min)s
        OR SUM(CASE WHEN e.event_type IN ('INPATIENT', 'SNF_SHORT_TERM') AND NOT e.is_planned THEN 1 ELSE 0 END)
           >= %(stays_min)s
),
counted AS (
    -- The events that count: avoidable ED visits not followed by an admission the same or next
    -- day (even one past the window's end), and unplanned avoidable inpatient / short-term SNF stays.
    SELECT w.id, w.member_id, w.claim_id, w.event_type, w.service_date,
           CASE WHEN w.event_type = 'ED' THEN 1 ELSE 0 END AS is_ed
    FROM candidates k
    JOIN {events} w ON w.plan_id = %(plan)s AND w.member_id = k.member_id
    WHERE w.service_date BETWEEN %(window_start)s AND %(window_end)s AND w.is_avoidable
      AND (
        (w.event_type = 'ED' AND NOT EXISTS (
            SELECT 1 FROM {events} a
            WHERE a.plan_id = %(plan)s AND a.member_id = w.member_id AND a.event_type = 'INPATIENT'
              AND a.service_date >= w.service_date AND a.service_date <= {next_day}
        ))
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
QUALIFYING_SQL = QUALIFYING_CTE + "SELECT member_id, ed_visits, stays FROM qualifying"  # noqa: S608 - constant text
COUNTED_EVENTS_SQL = (
    QUALIFYING_CTE
    + """
SELECT q.member_id, q.ed_visits, q.stays, c.id, c.claim_id, c.event_type, c.service_date
FROM qualifying q JOIN counted c ON c.member_id = q.member_id
ORDER BY q.member_id, c.service_date, c.id
"""
)


def scan_sql(template: str, next_day_sql: str) -> str:
    return template.format(
        events=UtilizationEvent._meta.db_table,
        members=Member._meta.db_table,
        enrollments=EnrollmentSpan._meta.db_table,
        next_day=next_day_sql,
    )


def scan_parameters(plan: HealthPlan, criteria, window_start: date, window_end: date, run_date: date) -> dict:
    return {
        "plan": plan.pk,
        "window_start": window_start,
        "window_end": window_end,
        "ed_min": criteria.ed_visits_min,
        "stays_min": criteria.stays_min,
        # Adult on the last day of the window.
        "adult_born_by": window_end - relativedelta(years=criteria.adult_age),
        "run_date": run_date,
    }


def latest_data_month(plan: HealthPlan) -> date | None:
    """DOMAIN 3.3: the latest service month among the plan's adjudicated events."""
    latest = UtilizationEvent.objects.filter(plan=plan).aggregate(latest=Max("service_date"))["latest"]
    return latest.replace(day=1) if latest else None


def _start_run(plan: HealthPlan, actor) -> ScanRun:
    """Claim the plan's single running slot (a partial unique index), clearing a dead run first."""
    now = clocks.now()
    ScanRun.objects.filter(plan=plan, status=ScanStatus.RUNNING, started_at__lt=now - STALE_RUN_AFTER).update(
        status=ScanStatus.FAILED, finished_at=now, error="The run stopped without finishing."
    )
    try:
        with transaction.atomic():
            return ScanRun.objects.create(
                plan=plan, run_date=clocks.local_date(now), started_at=now, triggered_by=actor
            )
    except IntegrityError:
        raise ConflictError("A high-utilizer scan is already running for this plan.") from None


def _counted_events(plan, criteria, window_start, window_end, run_date):
    sql = scan_sql(COUNTED_EVENTS_SQL, db.next_day("w.service_date"))
    with db.analytic_query(), connection.cursor() as cursor:
        cursor.execute(sql, scan_parameters(plan, criteria, window_start, window_end, run_date))
        return cursor.fetchall()


def _evidence_by_member(rows, criteria, data_month, window_start, window_end) -> dict[int, dict]:
    evidence = {}
    events = defaultdict(list)
    for member_id, ed_visits, stays, event_id, claim_id, event_type, service_date in rows:
        events[member_id].append(
            {
                "id": event_id,
                "claim_id": claim_id,
                "type": event_type,
                "service_date": str(service_date),
            }
        )
        evidence[member_id] = {
            "data_month": f"{data_month:%Y-%m}",
            "window": [str(window_start), str(window_end)],
            "ed_visits": int(ed_visits),
            "stays": int(stays),
            "thresholds": {"ed_visits": criteria.ed_visits_min, "stays": criteria.stays_min},
        }
    for member_id, member_events in events.items():
        evidence[member_id]["events"] = member_events
    return evidence


def _upsert(plan, run, pof, evidence: dict[int, dict], window_end: date) -> dict[str, int]:
    now = clocks.now()
    open_determinations = {
        d.member_id: d
        for d in Determination.objects.filter(
            plan=plan, pof=pof, source=DeterminationSource.SCAN, end_date__isnull=True
        ).only("id", "member_id", "evidence")
    }
    new, changed = [], []
    for member_id, member_evidence in evidence.items():
        current = open_determinations.get(member_id)
        if current is None:
            new.append(
                Determination(
                    plan=plan,
                    member_id=member_id,
                    pof=pof,
                    source=DeterminationSource.SCAN,
                    start_date=run.run_date,
                    evidence=member_evidence,
                    scan_run=run,
                    evidence_run=run,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif current.evidence != member_evidence:
            current.evidence, current.evidence_run, current.updated_at = member_evidence, run, now
            changed.append(current)
    Determination.objects.bulk_create(new, batch_size=2000)
    Determination.objects.bulk_update(changed, ["evidence", "evidence_run", "updated_at"], batch_size=2000)
    lapsed = [member_id for member_id in open_determinations if member_id not in evidence]
    closed = Determination.objects.filter(
        plan=plan,
        pof=pof,
        source=DeterminationSource.SCAN,
        end_date__isnull=True,
        member_id__in=lapsed,
    ).update(end_date=window_end, closed_by_run=run, updated_at=now)
    return {
        "opened": len(new),
        "updated": len(changed),
        "unchanged": len(evidence) - len(new) - len(changed),
        "closed": closed,
    }


def high_utilizer_scan(*, plan: HealthPlan, data_month: date | None = None, actor=None) -> ScanRun:
    """Run the scan for the plan. The determinations change in one transaction: a run that fails
    midway leaves the previous ones intact, and its run row says what went wrong."""
    run = _start_run(plan, actor)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            data_month = (data_month or latest_data_month(plan) or clocks.local_date(clocks.now())).replace(day=1)
            criteria = scan_criteria_for(data_month)
            window_start, window_end = rules.lookback_window(data_month, criteria.lookback_months)
            pof = PopulationOfFocus.objects.get(code=HIGH_UTILIZER)
            rows = _counted_events(plan, criteria, window_start, window_end, run.run_date)
            evidence = _evidence_by_member(rows, criteria, data_month, window_start, window_end)
            counts = _upsert(plan, run, pof, evidence, window_end)
            run.data_month, run.window_start, run.window_end = data_month, window_start, window_end
            run.events_in_window = UtilizationEvent.objects.filter(
                plan=plan, service_date__range=(window_start, window_end)
            ).count()
            run.qualified = len(evidence)
            for field, value in counts.items():
                setattr(run, field, value)
            run.status = ScanStatus.SUCCEEDED
            _finish(run, started)
            audit_record(
                code="eligibility.scan.completed",
                plan=plan,
                actor=actor,
                target=run,
                payload={"data_month": f"{data_month:%Y-%m}", "qualified": run.qualified, **counts},
            )
    except Exception as error:
        run.status, run.error = ScanStatus.FAILED, f"{type(error).__name__}: {error}"
        _finish(run, started)
        logger.exception("eligibility.scan.failed", extra={"plan": plan.code, "run": run.pk})
        raise
    return run


def _finish(run: ScanRun, started: float) -> None:
    run.finished_at = clocks.now()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save()


__all__ = ["EventType", "high_utilizer_scan", "latest_data_month"]
