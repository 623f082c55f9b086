"""The dataset of benchmarks/outreach.py (issue 16): one plan with N members, E outreach engagements
and A attempts, generated set-based in SQL (INSERT ... SELECT generate_series) in PostgreSQL.

Members, their enrollment spans and 200 provider organizations are api_dataset's. Engagements
(distinct members) are targeted on a day of 2025-01-01 .. 2026-11-30 and last 30-120 days (those
that would end after 2026-11-30 are still open); 60% are assigned to an organization (with its
contract and an assignment), the rest identified by the plan. Each engaged member has a POF
determination from 30 days before targeting (one in five a second POF; one in ten ended before
targeting), and 50,000 members who were never engaged have a scan determination. Attempts are
spread over the engagements (engagement 1 + a mod E) and dated inside their engagement's span; the
(method, asks for a response, outcome) of each is drawn from every combination the rules allow,
weighted like a working outreach team (telephone most), and its counts / successful / reason are
`outreach.rules.verdict`'s for that combination, never typed. A marker table, written last, says
the database is complete and for what sizes.
"""

import time
from datetime import date

from benchmarks.api_dataset import columns_filled, members_generate, organizations_generate, sql_run

MARKER = "benchmark_outreach_dataset"  # not a model: the benchmark's own note in its own database
PLAN_CODE = "bench-outreach"
STAFF_USERNAME = "bench-outreach-staff"
STAFF_PASSWORD = "load-test-only-outreach-7c1e"  # noqa: S105 -- a synthetic benchmark database
FIRST_TARGETED, DAYS = date(2025, 1, 1), 699  # targeted on one of 2025-01-01 .. 2026-11-30
LAST_DAY = date(2026, 11, 30)
ORGANIZATIONS = 200
UNENGAGED_DETERMINATIONS = 50_000
# How often a method is used, out of 100 (a working outreach team: telephone most).
METHOD_WEIGHTS = {
    "telephone": 45,
    "text": 15,
    "email": 10,
    "in_person": 10,
    "robocall": 10,
    "postal_mail": 5,
    "other_electronic": 5,
}


def marker_sizes(cursor) -> tuple[int, int, int] | None:
    cursor.execute("SELECT to_regclass(%s)", [MARKER])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(f"SELECT members, engagements, attempts FROM {MARKER}")
    return cursor.fetchone()


def ensure(*, plan, members: int, engagements: int, attempts: int, reuse: bool) -> dict:
    """The dataset for these sizes in `plan`: reused when the marker says the database holds it,
    else built (a database kept with other sizes or cut short is refused: run without --reuse)."""
    from django.db import connection

    with connection.cursor() as cursor:
        sizes = marker_sizes(cursor)
    if reuse and sizes == (members, engagements, attempts):
        return {"built": False, "seconds": 0.0}
    if reuse:
        raise SystemExit(f"The kept database holds {sizes or 'no complete dataset'}: run without --reuse to build it.")
    started = time.perf_counter()
    build(plan, members=members, engagements=engagements, attempts=attempts)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (members int, engagements int, attempts int, built_at timestamptz)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, now())", [members, engagements, attempts])
    return {"built": True, "seconds": time.perf_counter() - started}


def build(plan, *, members: int, engagements: int, attempts: int) -> None:
    from ecm_platform.tenancy.scoping import across_plans, plan_scope
    from ecm_platform.tenancy.services import user_create

    if engagements > members:
        raise SystemExit("Engagements are of distinct members: ask for fewer engagements than members.")
    with across_plans(reason="the benchmark creates its staff user"):
        staff = user_create(username=STAFF_USERNAME, email="outreach@bench.example", password=STAFF_PASSWORD)
    with plan_scope(plan):
        organizations_generate()
        print(f"  organizations {ORGANIZATIONS}", flush=True)
        members_generate(plan, members)
        _contracts(plan)
        stride = next(p for p in (7919, 7927, 7933) if members % p)  # engagement i -> a distinct member
        _engagements(plan, members, engagements, stride)
        print(f"  engagements {engagements:,}", flush=True)
        _determinations(plan, members, engagements, stride)
        _attempts(plan, engagements, attempts, staff.pk)
        print(f"  attempts {attempts:,}", flush=True)
        sql_run("ANALYZE")


def _contracts(plan) -> None:
    from benefits.models import ecm_service_pk
    from providers.models import Contract, ContractService

    table, lines = Contract._meta.db_table, ContractService._meta.db_table
    columns, rest = columns_filled(table, ["id", "plan_id", "organization_id", "start_date", "activated_on"])
    sql_run(
        f"INSERT INTO {table} ({columns}) SELECT g, %(plan)s, g, date '2024-01-01', date '2024-01-01'"
        f"{', ' + rest if rest else ''} FROM generate_series(1, %(n)s) g",
        {"plan": plan.pk, "n": ORGANIZATIONS},
    )
    sql_run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [ORGANIZATIONS])
    sql_run(
        f"INSERT INTO {lines} (plan_id, contract_id, service_id, capacity) "
        "SELECT %(plan)s, g, %(ecm)s, 100000 FROM generate_series(1, %(n)s) g",
        {"plan": plan.pk, "n": ORGANIZATIONS, "ecm": ecm_service_pk()},
    )


# Engagement e: its member, targeted day, length in days, and whether it is assigned.
SPAN = f"""
    SELECT e, 1 + (e::bigint * %(stride)s) %% %(members)s AS member_id,
      date '{FIRST_TARGETED}' + ((e::bigint * 104729) %% {DAYS})::int AS targeted_on,
      30 + (e * 31) %% 91 AS days, e %% 10 < 6 AS assigned
    FROM generate_series(1, %(engagements)s) e"""


def _engagements(plan, members: int, engagements: int, stride: int) -> None:
    from outreach.models import Engagement
    from providers.models import Assignment

    params = {"plan": plan.pk, "members": members, "engagements": engagements, "stride": stride}
    table, assignments = Engagement._meta.db_table, Assignment._meta.db_table
    columns, rest = columns_filled(
        assignments,
        ["id", "plan_id", "member_id", "organization_id", "contract_id", "rule", "authorized_on",
         "communication_due", "started_on", "ended_on", "created_at"],
    )  # fmt: skip
    # An engagement still open on LAST_DAY has no end; one that ended, ended with its assignment.
    ends = f"CASE WHEN s.targeted_on + s.days <= date '{LAST_DAY}' THEN s.targeted_on + s.days END"
    sql_run(
        f"""INSERT INTO {assignments} ({columns})
        SELECT s.e, %(plan)s, s.member_id, 1 + s.e %% {ORGANIZATIONS}, 1 + s.e %% {ORGANIZATIONS}, 'county_and_pof',
          s.targeted_on, s.targeted_on + interval '14 days', s.targeted_on, {ends}, s.targeted_on
          {", " + rest if rest else ""}
        FROM ({SPAN}) s WHERE s.assigned""",
        params,
    )
    sql_run(f"SELECT setval(pg_get_serial_sequence('{assignments}', 'id'), %s)", [engagements])
    columns, rest = columns_filled(
        table,
        ["id", "plan_id", "member_id", "kind", "organization_id", "assignment_id", "county_id", "targeted_on",
         "first_attempt_due", "state", "closed_at", "created_at"],
    )  # fmt: skip
    sql_run(
        f"""INSERT INTO {table} ({columns})
        SELECT s.e, %(plan)s, s.member_id, CASE WHEN s.assigned THEN 'assigned' ELSE 'identified' END,
          CASE WHEN s.assigned THEN 1 + s.e %% {ORGANIZATIONS} END, CASE WHEN s.assigned THEN s.e END,
          m.county_id, s.targeted_on, s.targeted_on + interval '14 days',
          CASE WHEN {ends} IS NULL THEN 'open'
               ELSE (ARRAY['enrolled', 'enrolled', 'declined', 'unreachable', 'ended'])[1 + s.e %% 5] END,
          ({ends}) + interval '17 hours', s.targeted_on
          {", " + rest if rest else ""}
        FROM ({SPAN}) s JOIN members_member m ON m.id = s.member_id""",
        params,
    )
    sql_run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [engagements])


def _determinations(plan, members: int, engagements: int, stride: int) -> None:
    from eligibility.models import Determination, PopulationOfFocus

    table = Determination._meta.db_table
    pofs = list(PopulationOfFocus.objects.order_by("pk").values_list("pk", flat=True)[:6])
    columns, rest = columns_filled(
        table, ["plan_id", "member_id", "pof_id", "source", "start_date", "end_date", "created_at", "updated_at"]
    )
    params = {"plan": plan.pk, "members": members, "engagements": engagements, "stride": stride, "pofs": pofs}
    pof = "(%(pofs)s::bigint[])[1 + (s.e + {shift}) %% cardinality(%(pofs)s::bigint[])]"
    sql_run(
        f"""INSERT INTO {table} ({columns})
        SELECT %(plan)s, s.member_id, {pof.format(shift=0)}, 'referral', s.targeted_on - 30,
          CASE WHEN s.e %% 10 = 0 THEN s.targeted_on - 5 END, now(), now() {", " + rest if rest else ""}
        FROM ({SPAN}) s""",
        params,
    )
    # (Two statements: a UNION would type the empty JSON of `rest` as text.)
    sql_run(
        f"""INSERT INTO {table} ({columns})
        SELECT %(plan)s, s.member_id, {pof.format(shift=1)}, 'attestation', s.targeted_on - 30, NULL, now(), now()
          {", " + rest if rest else ""}
        FROM ({SPAN}) s WHERE s.e %% 5 = 0""",
        params,
    )
    # Members never engaged, flagged by the scan: in the table the query reads, never in a figure.
    sql_run(
        f"""INSERT INTO {table} ({columns})
        SELECT %(plan)s, 1 + (e::bigint * %(stride)s) %% %(members)s, (%(pofs)s::bigint[])[1 + e %% 2], 'scan',
          date '2026-01-01', NULL, now(), now() {", " + rest if rest else ""}
        FROM generate_series(%(engagements)s + 1, %(last)s) e""",
        {**params, "last": min(members, engagements + UNENGAGED_DETERMINATIONS)},
    )


def _combinations() -> tuple[list, list[int]]:
    """Every (method, asks for a response, outcome) the rules allow, with its verdict, and a
    weighted draw list of their indexes (1-based, for SQL arrays)."""
    from outreach.models import Method, Outcome
    from outreach.rules import outcome_problem, verdict

    combinations, draws = [], []
    for method in Method:
        asks_choices = (True, False) if method in ("email", "text", "other_electronic") else (True,)
        allowed = [
            (asks, outcome) for asks in asks_choices for outcome in Outcome if not outcome_problem(method, outcome)
        ]
        for asks, outcome in allowed:
            judged = verdict(method, asks, outcome)
            combinations.append((method.value, asks, outcome.value, judged.counts, judged.successful, judged.reason))
            # The method's weight, spread over its combinations (at least one draw each).
            draws += [len(combinations)] * max(1, round(METHOD_WEIGHTS[method] * 20 / len(allowed)))
    return combinations, draws


def _attempts(plan, engagements: int, attempts: int, staff_id: int) -> None:
    from outreach.models import Attempt, Engagement

    table, engagement_table = Attempt._meta.db_table, Engagement._meta.db_table
    combinations, draws = _combinations()
    columns, rest = columns_filled(
        table,
        ["plan_id", "engagement_id", "member_id", "organization_id", "staff_id", "attempted_at", "method",
         "asks_for_response", "outcome", "minutes", "counts", "successful", "count_reason", "recorded_at",
         "recorded_by_id"],
    )  # fmt: skip
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(combinations))
    flat = [value for index, row in enumerate(combinations, 1) for value in (index, *row)]
    chunk = 500_000
    for first in range(1, attempts + 1, chunk):
        last = min(first + chunk - 1, attempts)
        # Dated inside the engagement's span (the day before it closed, LAST_DAY for one still open),
        # 08:00-18:00 local.
        sql_run(
            f"""WITH combination (n, method, asks, outcome, counts, successful, reason) AS (VALUES {values})
            INSERT INTO {table} ({columns})
            SELECT e.plan_id, e.id, e.member_id, e.organization_id, %s,
              at, c.method, c.asks, c.outcome, 1 + (a * 13) %% 45, c.counts, c.successful, c.reason, at, %s
              {", " + rest if rest else ""}
            FROM generate_series(%s, %s) a
            JOIN {engagement_table} e ON e.id = 1 + a %% %s
            CROSS JOIN LATERAL (SELECT
              ((e.targeted_on + ((a::bigint * 7919) %% (1 + COALESCE(e.closed_at::date - 1, date '{LAST_DAY}')
                 - e.targeted_on))::int)::timestamp + interval '15 hours' + interval '1 minute' * ((a * 17) %% 600))
                AT TIME ZONE 'UTC' AS at) t
            JOIN combination c ON c.n = (%s::int[])[1 + (a::bigint * 2654435761) %% cardinality(%s::int[])]""",
            [*flat, staff_id, staff_id, first, last, engagements, draws, draws],
        )
        print(f"  attempts {last:,} of {attempts:,}", flush=True)
