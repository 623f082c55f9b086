"""The five quarterly outreach measures (DOMAIN 8) of one plan and quarter, in one set-based query.

For the quarter's local days `first`..`last` (America/Los_Angeles):
1. targeted: distinct members with an engagement (any kind) open at some time in the quarter:
   targeted on or before `last`, and not closed before `first` (closed_at null, or its local date on
   or after `first`);
2. reached for: distinct members among (1) with at least one counting attempt dated in the quarter;
3. counting attempts dated in the quarter, in all and by method (every method, zeros included);
4. successful attempts dated in the quarter;
5. hours: the minutes of the counting attempts dated in the quarter, / 60, to two decimals.
An attempt not counted (`Attempt.counts`, stored from `outreach.rules.verdict`) is in no measure. An
attempt is attributed to its engagement, and so to the engagement's strata: its county, its provider
organization (none: the plan's staff), and every POF of the member's determinations overlapping the
quarter (none: "No POF"); a member in two POFs is in both, so the POF strata may sum past the total.

The query is plain SQL (CTEs, GROUP BY, UNION ALL) that PostgreSQL and SQLite both run: the
quarter's attempts are summed per engagement once (by the (plan, attempted_at) index), joined to the
engagements open in the quarter, and each stratification groups those rows. Quarter
bounds are instants computed here, so no database time-zone function is needed. Only aggregates
leave the query: no member identifier reaches the figures.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from ecm_platform import clocks, db
from ecm_platform.tenancy.models import County, HealthPlan
from eligibility.models import Determination, PopulationOfFocus
from outreach.models import Attempt, Engagement, Method
from providers.models import ProviderOrganization

# The five measures, in DOMAIN 8's order: key and label, for pages and files.
MEASURES = (
    ("targeted", "Individuals targeted for ECM"),
    ("reached", "Individuals with at least one outreach attempt (unduplicated)"),
    ("attempts", "Total outreach attempts"),
    ("successful", "Successful outreach attempts"),
    ("hours", "Total hours spent on outreach"),
)
METHODS = tuple(Method)
STRATIFICATIONS = (("by_county", "County"), ("by_pof", "Population of Focus"), ("by_provider", "Provider"))
NO_POF = ("none", "No POF")
PLAN_STAFF = ("plan_staff", "Plan staff")


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        following = date(self.year + 1, 1, 1) if self.quarter == 4 else date(self.year, 3 * self.quarter + 1, 1)
        return following - timedelta(days=1)


@dataclass(frozen=True)
class Built:
    figures: dict
    engagements_considered: int
    attempts_considered: int


def _method_sums() -> str:
    return ", ".join(
        f"SUM(CASE WHEN a.counts AND a.method = %(method_{index})s THEN 1 ELSE 0 END) AS method_{index}"
        for index in range(len(METHODS))
    )


def _method_columns() -> str:
    return ", ".join(f"COALESCE(s.method_{index}, 0) AS method_{index}" for index in range(len(METHODS)))


def _stratum_select(dimension: str, key: str, source: str, group: bool) -> str:
    method_totals = ", ".join(f"SUM(method_{index})" for index in range(len(METHODS)))
    grouping = f"GROUP BY {key}" if group else ""
    # Names of ours only (a dimension, a column, a CTE); every value is a query parameter.
    return f"""SELECT '{dimension}' AS dimension, {key} AS stratum, COUNT(DISTINCT member_id),
    COUNT(DISTINCT CASE WHEN counting > 0 THEN member_id END), SUM(counting), SUM(successful),
    SUM(minutes), SUM(considered), COUNT(*), {method_totals} FROM {source} {grouping}"""  # noqa: S608


def _sql() -> str:
    engagement, attempt = Engagement._meta.db_table, Attempt._meta.db_table
    determination = Determination._meta.db_table
    # Table names from the models; every value is a query parameter.
    return f"""
WITH engagement AS (
    SELECT e.id, e.member_id, e.county_id, e.organization_id FROM {engagement} e
    WHERE e.plan_id = %(plan)s AND e.targeted_on <= %(last)s AND (e.closed_at IS NULL OR e.closed_at >= %(start)s)
),
attempt_sums AS (
    SELECT a.engagement_id,
        SUM(CASE WHEN a.counts THEN 1 ELSE 0 END) AS counting,
        SUM(CASE WHEN a.counts AND a.successful THEN 1 ELSE 0 END) AS successful,
        SUM(CASE WHEN a.counts THEN a.minutes ELSE 0 END) AS minutes,
        COUNT(*) AS considered, {_method_sums()}
    FROM {attempt} a
    WHERE a.plan_id = %(plan)s AND a.attempted_at >= %(start)s AND a.attempted_at < %(end)s
    GROUP BY a.engagement_id
),
per_engagement AS (
    SELECT e.member_id, e.county_id, e.organization_id, COALESCE(s.counting, 0) AS counting,
        COALESCE(s.successful, 0) AS successful, COALESCE(s.minutes, 0) AS minutes,
        COALESCE(s.considered, 0) AS considered, {_method_columns()}
    FROM engagement e LEFT JOIN attempt_sums s ON s.engagement_id = e.id
),
member_pof AS (
    SELECT DISTINCT d.member_id, d.pof_id FROM {determination} d
    WHERE d.plan_id = %(plan)s AND d.start_date <= %(last)s AND (d.end_date IS NULL OR d.end_date >= %(first)s)
),
per_pof AS (
    SELECT p.*, mp.pof_id FROM per_engagement p LEFT JOIN member_pof mp ON mp.member_id = p.member_id
)
{_stratum_select("total", "NULL", "per_engagement", group=False)}
UNION ALL {_stratum_select("county", "county_id", "per_engagement", group=True)}
UNION ALL {_stratum_select("provider", "organization_id", "per_engagement", group=True)}
UNION ALL {_stratum_select("pof", "pof_id", "per_pof", group=True)}
"""  # noqa: S608


MEASURES_SQL = _sql()


def _hours(minutes: int) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _measures(row) -> dict:
    # PostgreSQL sums integers as numeric, and a SUM over no rows is NULL.
    targeted, reached, counting, successful, minutes, *_considered = (int(value or 0) for value in row[2:9])
    return {
        "targeted": targeted,
        "reached": reached,
        "attempts": counting,
        "attempts_by_method": {method.value: int(count or 0) for method, count in zip(METHODS, row[9:], strict=True)},
        "successful": successful,
        "minutes": minutes,
        "hours": _hours(minutes),
    }


def _labelled(rows, labels: dict, empty: tuple[str, str], order) -> list[dict]:
    strata = []
    for row in rows:
        key, label = labels[row[1]] if row[1] is not None else empty
        strata.append({"key": key, "label": label, **_measures(row)})
    return sorted(strata, key=order)


def measures_query(*, plan: HealthPlan, quarter: Quarter) -> tuple[str, dict]:
    """The statement and its parameters (benchmarks/outreach.py EXPLAINs them)."""
    start = clocks.start_of_day(quarter.first_day)
    end = clocks.start_of_day(quarter.last_day + timedelta(days=1))
    return MEASURES_SQL, {
        "plan": plan.pk,
        "first": quarter.first_day,
        "last": quarter.last_day,
        "start": connection.ops.adapt_datetimefield_value(start),
        "end": connection.ops.adapt_datetimefield_value(end),
        **{f"method_{index}": method.value for index, method in enumerate(METHODS)},
    }


def measures_build(*, plan: HealthPlan, quarter: Quarter) -> Built:
    """The quarter's figures for `plan` (the module docstring's definitions and shape). Inside a
    transaction, on PostgreSQL, without JIT: the CTEs' costs make the planner compile the statement,
    ~4 s of 5.3 s at 50k engagements and 265k attempts in the quarter, 2.3 s without (benchmarks/outreach.py)."""
    with db.analytic_query(), connection.cursor() as cursor:
        cursor.execute(*measures_query(plan=plan, quarter=quarter))
        rows = cursor.fetchall()
    by_dimension: dict[str, list] = {"total": [], "county": [], "provider": [], "pof": []}
    for row in rows:
        by_dimension[row[0]].append(row)
    total = by_dimension["total"][0]
    counties = {
        county.pk: (county.code, county.name)
        for county in County.objects.filter(pk__in=[row[1] for row in by_dimension["county"]])
    }
    organizations = {
        organization.pk: (organization.npi, organization.name)
        for organization in ProviderOrganization.objects.filter(pk__in=[row[1] for row in by_dimension["provider"]])
    }
    pofs = PopulationOfFocus.objects.filter(pk__in=[row[1] for row in by_dimension["pof"]]).order_by(
        "sort_order", "code"
    )
    pof_labels = {pof.pk: (pof.code, pof.name) for pof in pofs}
    pof_order = {pof.code: position for position, pof in enumerate(pofs)}
    figures = {
        "total": _measures(total),
        "by_county": _labelled(by_dimension["county"], counties, ("", ""), order=lambda stratum: stratum["key"]),
        "by_pof": _labelled(
            by_dimension["pof"], pof_labels, NO_POF, order=lambda stratum: pof_order.get(stratum["key"], len(pof_order))
        ),
        "by_provider": _labelled(
            by_dimension["provider"],
            organizations,
            PLAN_STAFF,
            order=lambda stratum: (stratum["key"] != PLAN_STAFF[0], stratum["label"], stratum["key"]),
        ),
    }
    return Built(figures=figures, engagements_considered=int(total[8]), attempts_considered=int(total[7] or 0))
