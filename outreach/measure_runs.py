"""Quarterly outreach measure runs (DOMAIN 8, 10): built on demand for any quarter that has begun,
each build a new immutable `MeasureRun` with the inputs it was built from.

`figures` (outreach.measures builds them) is aggregate only: counts and hours, strata named by
county code, POF code and provider NPI, never a member identifier. It is shaped

    {"total": M,
     "by_county":   [{"key": <county code>, "label": <county name>, **M}, ...],   # by county code
     "by_pof":      [{"key": <POF code> | "none", "label": <POF name> | "No POF", **M}, ...],
     "by_provider": [{"key": "plan_staff" | <NPI>, "label": "Plan staff" | <name>, **M}, ...]}

where M = {"targeted": int, "reached": int, "attempts": int, "attempts_by_method": {<Method value>:
int for every Method}, "successful": int, "minutes": int, "hours": float (2 decimals)}; strata with
no engagement in the quarter are left out. `inputs` holds the plan's outreach settings, the counting
rules' version, the engagements and attempts considered, the time zone, the quarter's bounds and the
as-of instant.
"""

import time

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, Principal, actor_label, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from outreach.measure_files import measure_run_csv, measure_run_xlsx
from outreach.measures import MEASURES, Quarter, measures_build
from outreach.models import MeasureRun
from outreach.selectors import outreach_settings_of
from outreach.services import SETTINGS_FIELDS

__all__ = [
    "COUNTING_RULES",
    "MEASURES",
    "measure_run_build",
    "measure_run_csv",
    "measure_run_get",
    "measure_run_quarter_end",
    "measure_run_xlsx",
    "measure_runs_of",
]

COUNTING_RULES = "DOMAIN 8 as amended 2026-12-01 (outreach.rules: FAQ 19-20, Policy Guide XI)"
# The job that builds the quarter just ended, on the first day of the next (DOMAIN 8: tracked "so they can
# report accurately at quarterly intervals").
QUARTER_END = "outreach-quarter-end"
# ECM began on 2022-01-01: no quarter before it has outreach to report.
FIRST_QUARTER = Quarter(2022, 1)


def _quarter_checked(year: int, quarter: int) -> Quarter:
    if quarter not in (1, 2, 3, 4):
        raise DomainError("The quarter is 1, 2, 3 or 4.", field="quarter", code="quarter_invalid")
    if (year, quarter) < (FIRST_QUARTER.year, FIRST_QUARTER.quarter):
        raise DomainError(
            "ECM began on 2022-01-01: the first quarter with outreach measures is 2022 Q1.",
            field="year",
            code="quarter_before_ecm",
        )
    chosen = Quarter(year, quarter)
    today = clocks.local_date(clocks.now())
    if chosen.first_day > today:
        raise DomainError(
            f"{year} Q{quarter} has not begun: it starts on {chosen.first_day:%Y-%m-%d}.",
            field="quarter",
            code="quarter_not_begun",
        )
    return chosen


def _settings_values(plan: HealthPlan) -> dict:
    policy = outreach_settings_of(plan=plan)
    return {name: getattr(policy, name) for name in SETTINGS_FIELDS} | {"saved": policy.pk is not None}


def measure_run_build(*, plan: HealthPlan, actor, year: int, quarter: int) -> MeasureRun:
    """Build the five measures of `year` Q`quarter` for `plan` now, as a new immutable run."""
    require(actor, Capability.OUTREACH_MEASURES_BUILD, plan=plan)
    chosen = _quarter_checked(year, quarter)
    with transaction.atomic():
        as_of = clocks.now()
        started = time.perf_counter()
        built = measures_build(plan=plan, quarter=chosen)
        duration_ms = round((time.perf_counter() - started) * 1000)
        inputs = {
            "outreach_settings": _settings_values(plan),
            "counting_rules": COUNTING_RULES,
            "engagements_considered": built.engagements_considered,
            "attempts_considered": built.attempts_considered,
            "time_zone": settings.TIME_ZONE,
            "period": {"first_day": chosen.first_day.isoformat(), "last_day": chosen.last_day.isoformat()},
            "as_of": as_of.isoformat(),
            "quarter_complete": clocks.local_date(as_of) > chosen.last_day,
            "phi": "Aggregate figures only: no member identifier is stored in a run.",
        }
        run = MeasureRun.objects.create(
            plan=plan,
            year=year,
            quarter=quarter,
            period_start=chosen.first_day,
            period_end=chosen.last_day,
            built_at=as_of,
            built_by=actor_user(actor),
            built_by_label=actor_label(actor),
            duration_ms=duration_ms,
            inputs=inputs,
            figures=built.figures,
        )
        audit_record(
            code="outreach.measures.built",
            plan=plan,
            actor=actor,
            target=run,
            payload={"year": year, "quarter": quarter, "duration_ms": duration_ms},
        )
    return run


@transaction.atomic
def measure_run_quarter_end(*, plan: HealthPlan, today) -> MeasureRun | None:
    """The quarter before the one `today` is in, built by the job once: a rerun, or a retried task,
    builds nothing more (None). Runs built on demand do not count: the job's is the quarter's record."""
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)
    job = Principal.system(QUARTER_END, Capability.OUTREACH_MEASURES_BUILD, plan=plan)
    HealthPlan.objects.select_for_update().filter(pk=plan.pk).first()  # two retries at once build once
    if MeasureRun.objects.filter(plan=plan, year=year, quarter=quarter, built_by_label=job.name).exists():
        return None
    return measure_run_build(plan=plan, actor=job, year=year, quarter=quarter)


def measure_runs_of(*, plan: HealthPlan, principal) -> QuerySet[MeasureRun]:
    """The plan's runs, newest first."""
    require(principal, Capability.OUTREACH_MEASURES_READ, plan=plan)
    return MeasureRun.objects.filter(plan=plan).order_by("-built_at", "-id")


def measure_run_get(*, plan: HealthPlan, principal, pk) -> MeasureRun:
    """One of the plan's runs; MeasureRun.DoesNotExist for another plan's or a missing one."""
    return measure_runs_of(plan=plan, principal=principal).get(pk=pk)
