"""Benchmark of the nightly high-utilizer scan (DOMAIN 3.3) on a synthetic plan in PostgreSQL.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/scan.py [--members N]

It checks free disk first, creates its own database (DATABASE_URL's name + "_bench"), migrates
it, and has PostgreSQL generate a plan (INSERT ... SELECT over generate_series, hashed draws: 58% adults, twelve months of events at Medicaid rates, over-dispersed so that a few
percent of members make most visits, 10-15% of ED visits followed by an admission) and plants the
DOMAIN 3.3 edge cases. It then runs the real scan job in a fresh process (counting, evidence,
upsert, closing, run record) twice -- the first run opens the determinations, the second finds
nothing changed -- and reports wall time, events/s, flagged members and the job's peak memory.
The same counting query runs on DuckDB over the same rows, and the results must be identical.
Finally a claims CSV goes through the `load_claims` management command. The database is dropped at
the end unless --keep; --reuse scans a kept one again.
"""

import argparse
import csv
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecm_platform.settings")

DATA_MONTH = date(2026, 9, 1)  # window 2026-04-01 .. 2026-09-30
YEAR_START = date(2025, 10, 1)  # twelve months of events
RUN_AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # run date 2026-10-05
ADULT_SHARE = 0.58
ED_PER_ADULT_YEAR, ED_PER_CHILD_YEAR = 0.9, 0.5
INPATIENT_PER_YEAR, SNF_PER_YEAR = 0.12, 0.01
ADMITTED_AFTER_ED = 0.12
DISPERSION = 0.2  # gamma shape: small = a few members make most visits
CHUNK = 1_000_000  # members per generating statement


# Deterministic uniforms in [0, 1) from a hash of (row, stream): the same plan on every run, and no
# per-row Python. `hashint8extended` is PostgreSQL's own 64-bit hash; its low 53 bits fill a double.
FUNCTIONS_SQL = [
    """CREATE FUNCTION pg_temp.u(row_id bigint, stream bigint) RETURNS float8 IMMUTABLE LANGUAGE sql
    AS $$ SELECT (hashint8extended(row_id, stream) & 9007199254740991)::float8 / 9007199254740992 $$""",
    # A standard normal deviate (Box-Muller) from streams `stream` and `stream + 1`.
    """CREATE FUNCTION pg_temp.z(row_id bigint, stream bigint) RETURNS float8 IMMUTABLE LANGUAGE sql
    AS $$ SELECT sqrt(-2 * ln(1 - pg_temp.u(row_id, stream))) * cos(2 * pi() * pg_temp.u(row_id, stream + 1)) $$""",
    # A Poisson draw by inverse transform of one uniform (a normal approximation past a mean of 30).
    """CREATE FUNCTION pg_temp.poisson(mean float8, uniform float8, normal float8) RETURNS int IMMUTABLE
    LANGUAGE plpgsql AS $$
    DECLARE k int := 0; term float8 := exp(-mean); total float8 := exp(-mean);
    BEGIN
        IF mean > 30 THEN RETURN greatest(0, round(mean + sqrt(mean) * normal)); END IF;
        WHILE uniform > total AND k < 100 LOOP
            k := k + 1; term := term * mean / k; total := total + term;
        END LOOP;
        RETURN k;
    END $$""",
]
# One row per member id with what the tables derive from it (streams 1-12 of the id). The
# propensity is lognormal with mean 1 and variance 1 / DISPERSION, the moments of the gamma of a
# Poisson-gamma mixture: over-dispersed, a few percent of members make most visits.
MEMBERS_SQL = """
SELECT i, make_date(2026 - age, 1 + floor(pg_temp.u(i, 3) * 12)::int, 1 + floor(pg_temp.u(i, 4) * 28)::int) AS birth,
       (%(counties)s::bigint[])[1 + floor(pg_temp.u(i, 5) * cardinality(%(counties)s::bigint[]))::int] AS county,
       pg_temp.u(i, 6) < %(ended_share)s AS ended, ed_mean, inpatient_mean,
       ed_mean + inpatient_mean + %(snf_rate)s * propensity AS mean
FROM (
    SELECT i, CASE WHEN adult THEN 21 + floor(pg_temp.u(i, 2) * 70) ELSE floor(pg_temp.u(i, 2) * 21) END::int AS age,
           propensity, propensity * CASE WHEN adult THEN %(ed_adult)s ELSE %(ed_child)s END AS ed_mean,
           propensity * %(inpatient_rate)s AS inpatient_mean
    FROM (
        SELECT i, pg_temp.u(i, 1) < %(adult_share)s AS adult, exp(%(sigma)s * pg_temp.z(i, 7) - %(sigma)s ^ 2 / 2) AS propensity
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g (i)
        OFFSET 0  -- each member's draws computed once, not inlined into every use
    ) d
    OFFSET 0
) m
"""
INSERT_MEMBERS_SQL = """
INSERT INTO {members} (id, plan_id, cin, first_name, last_name, birth_date, sex, preferred_language, address_line,
    city, zip_code, phone, email, county_id, medicare_model, pcp_npi, behavioral_health_npi, created_at, updated_at)
SELECT i, %(plan)s, lpad(i::text, 8, '0') || 'A', 'First', 'Last' || i, birth, 'U', 'en', '', '', '', '', '', county,
       'none', '', '', %(now)s, %(now)s
FROM ({source}) m
"""
INSERT_SPANS_SQL = """
INSERT INTO {spans} (id, plan_id, member_id, start_date, end_date)
SELECT i, %(plan)s, i, DATE '2020-01-01', CASE WHEN ended THEN DATE '2026-06-30' END FROM ({source}) m
"""
# A member's n-th event uses streams 16 * n + 0..6 of its id: the kind in proportion to its rate,
# a day in the twelve months, the flags, and for some ED visits an admission the same or next day.
INSERT_EVENTS_SQL = """
INSERT INTO {events} (plan_id, claim_id, member_id, event_type, service_date, discharge_date, is_planned,
    is_avoidable, diagnosis_codes, adjudicated_on)
SELECT %(plan)s, 'B' || i || '-' || n || CASE WHEN admitted THEN 'A' ELSE '' END, i, type, day,
       CASE WHEN type <> 'ED' THEN day + 3 END, planned, avoidable, 'R07.9', day + 20
FROM (
    SELECT i, n, CASE WHEN admitted THEN 'INPATIENT' ELSE kind END AS type,
           visit_day + CASE WHEN admitted THEN floor(pg_temp.u(i, 16 * n + 5) * 2)::int ELSE 0 END AS day,
           NOT admitted AND kind <> 'ED' AND pg_temp.u(i, 16 * n + 3) < 0.3 AS planned,
           pg_temp.u(i, 16 * n + CASE WHEN admitted THEN 6 ELSE 2 END)
               < CASE WHEN admitted THEN 0.5 WHEN kind = 'ED' THEN 0.55 ELSE 0.45 END AS avoidable,
           admitted
    FROM (
        SELECT i, n, %(year_start)s::date + floor(pg_temp.u(i, 16 * n + 1) * %(days)s)::int AS visit_day,
               CASE WHEN pick < ed_mean / mean THEN 'ED'
                    WHEN pick < (ed_mean + inpatient_mean) / mean THEN 'INPATIENT'
                    ELSE 'SNF_SHORT_TERM' END AS kind
        FROM (
            SELECT m.i, s.n, m.ed_mean, m.inpatient_mean, m.mean, pg_temp.u(m.i, 16 * s.n) AS pick
            FROM ({source}) m
            CROSS JOIN LATERAL generate_series(1, pg_temp.poisson(m.mean, pg_temp.u(m.i, 9), pg_temp.z(m.i, 10))) AS s (n)
            WHERE pg_temp.u(m.i, 9) > exp(-m.mean)  -- most members have none: no function call for them
        ) p
    ) v
    CROSS JOIN LATERAL (VALUES (false), (true)) AS a (admitted)
    WHERE NOT admitted OR (kind = 'ED' AND pg_temp.u(i, 16 * n + 4) < %(admitted_after_ed)s)
) e
"""


@contextmanager
def bulk_load(cursor, tables: list[str]):
    """Secondary indexes and foreign keys dropped for the load and built again after it, the way
    pg_restore loads: one sort per index and one join per key instead of a lookup per row."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [tables],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [tables],
    )
    keys = cursor.fetchall()
    for table, name, _ in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def generate(plan, members: int) -> dict:
    """The plan's members, enrollment spans and events, generated by PostgreSQL a million members
    to a statement."""
    from django.db import connection

    from eligibility.models import UtilizationEvent
    from members.models import EnrollmentSpan, Member

    tables = {
        "members": Member._meta.db_table,
        "spans": EnrollmentSpan._meta.db_table,
        "events": UtilizationEvent._meta.db_table,
    }
    sigma = math.sqrt(math.log(1 + 1 / DISPERSION))
    params = {
        "plan": plan.pk,
        "counties": list(plan.counties.values_list("pk", flat=True)),
        "adult_share": ADULT_SHARE,
        "sigma": sigma,
        "ed_adult": ED_PER_ADULT_YEAR,
        "ed_child": ED_PER_CHILD_YEAR,
        "inpatient_rate": INPATIENT_PER_YEAR,
        "snf_rate": SNF_PER_YEAR,
        "ended_share": 0.03,
        "admitted_after_ed": ADMITTED_AFTER_ED,
        "year_start": YEAR_START,
        "days": (date(2026, 9, 30) - YEAR_START).days + 1,
        "now": datetime(2026, 10, 1, tzinfo=UTC),
    }
    statements = [
        sql.format(source=MEMBERS_SQL, **tables) for sql in (INSERT_MEMBERS_SQL, INSERT_SPANS_SQL, INSERT_EVENTS_SQL)
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # compiling these expressions took longer than running them
        for function in FUNCTIONS_SQL:
            cursor.execute(function)
        with bulk_load(cursor, list(tables.values())):
            for first in range(1, members + 1, CHUNK):
                chunk = {**params, "first": first, "last": min(members, first + CHUNK - 1)}
                for statement in statements:
                    cursor.execute(statement, chunk)
                print(f"  generated {chunk['last']:,} members ({time.perf_counter() - started:.0f} s)", flush=True)
            loaded = time.perf_counter() - started
        for model in (Member, EnrollmentSpan):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), %s)", [members])
        cursor.execute(f"SELECT COUNT(*) FROM {tables['events']}")
        events = cursor.fetchone()[0]
    plant_edge_cases(plan, members)
    with connection.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"seconds": time.perf_counter() - started, "load_seconds": loaded, "events": events}


# The DOMAIN 3.3 edge cases planted (members named so), each with the outcome the scan must reach.
PLANTED = {
    "window-edges": True,
    "outside-window": False,
    "ed-then-admission-across-window-end": False,
    "turns-21-after-window": False,
    "turns-21-on-window-end": True,
    "disenrolled-before-run": False,
    "one-planned-stay": False,
    "three-unplanned-avoidable-stays": True,
}


def plant_edge_cases(plan, members: int) -> None:
    from eligibility.models import EventType, UtilizationEvent
    from members.models import EnrollmentSpan, Member

    numbers = iter(range(members + 1, members + len(PLANTED) + 1))

    def member(name, birth=date(1970, 1, 1), enrolled_until=None):
        person = Member.objects.create(
            plan=plan, cin=f"{next(numbers):08d}Z", first_name="Edge", last_name=name,
            birth_date=birth, county_id=plan.counties.first().pk,
        )  # fmt: skip
        EnrollmentSpan.objects.create(plan=plan, member=person, start_date=date(2020, 1, 1), end_date=enrolled_until)
        return person

    def events(person, days, kind=EventType.ED, **flags):
        UtilizationEvent.objects.bulk_create(
            UtilizationEvent(
                plan=plan, claim_id=f"EDGE-{person.pk}-{kind}-{day}", member=person, event_type=kind,
                service_date=day, is_planned=flags.get("planned", False), is_avoidable=flags.get("avoidable", True),
                adjudicated_on=day + timedelta(days=10),
            )
            for day in days
        )  # fmt: skip

    edges = [date(2026, 4, 1), date(2026, 9, 30), date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)]
    events(member("window-edges"), edges)
    events(member("outside-window"), [date(2026, 3, 31), date(2026, 10, 1), *edges[2:]])
    events(absorbed := member("ed-then-admission-across-window-end"), [*edges[2:], date(2026, 5, 5), date(2026, 9, 30)])
    events(absorbed, [date(2026, 10, 1)], kind=EventType.INPATIENT)
    events(member("turns-21-after-window", birth=date(2005, 10, 1)), edges)
    events(member("turns-21-on-window-end", birth=date(2005, 9, 30)), edges)
    events(member("disenrolled-before-run", enrolled_until=date(2026, 10, 4)), edges)
    stays = [date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
    events(planned := member("one-planned-stay"), stays[:2], kind=EventType.INPATIENT)
    events(planned, stays[2:], kind=EventType.SNF_SHORT_TERM, planned=True)
    events(three := member("three-unplanned-avoidable-stays"), stays[:2], kind=EventType.INPATIENT)
    events(three, stays[2:], kind=EventType.SNF_SHORT_TERM)


def reset(plan) -> dict:
    """A kept plan as it was generated: no determinations, no claims from an earlier claims file."""
    from django.db import connection

    from eligibility.models import Determination, UtilizationEvent

    Determination.objects.filter(plan=plan).delete()
    UtilizationEvent.objects.filter(plan=plan, claim_id__startswith="F").delete()
    with connection.cursor() as cursor:  # the deleted rows' index entries and statistics gone too
        for model in (Determination, UtilizationEvent):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {"events": UtilizationEvent.objects.filter(plan=plan).count()}


# What the database needs per generated member (measured at 1M: 650 bytes of tables and indexes,
# plus room for the index builds' sorts and the write-ahead log) and what the temporary directory
# needs for the DuckDB export and the claims file.
DATABASE_BYTES_PER_MEMBER, DATABASE_BYTES_FIXED = 1_000, 3 * 2**30
EXPORT_BYTES_PER_MEMBER, CLAIMS_FILE_BYTES_PER_ROW = 120, 100
POSTGRESQL_DATA = "/var/lib/postgresql"


def check_disk(members: int, claims_rows: int) -> None:
    """Refuse to start when the disks cannot hold the run, and say how much it needs."""
    database = DATABASE_BYTES_PER_MEMBER * members + DATABASE_BYTES_FIXED
    export = EXPORT_BYTES_PER_MEMBER * members + CLAIMS_FILE_BYTES_PER_ROW * claims_rows
    needs = {POSTGRESQL_DATA: database, tempfile.gettempdir(): export}
    if os.stat(POSTGRESQL_DATA).st_dev == os.stat(tempfile.gettempdir()).st_dev:
        needs = {POSTGRESQL_DATA: database + export}
    for path, need in needs.items():
        free = shutil.disk_usage(path).free
        print(f"disk: {need / 2**30:.1f} GB needed on the filesystem of {path}, {free / 2**30:.1f} GB free")
        if free < need:
            raise SystemExit(f"Not enough free disk for {members:,} members on the filesystem of {path}.")


def job(plan_code: str) -> dict:
    """One scan in this process: what the nightly task does, measured."""
    import django

    django.setup()
    from django.db import connection

    from ecm_platform import clocks
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import HealthPlan
    from ecm_platform.tenancy.scoping import plan_scope
    from eligibility.scan import high_utilizer_scan

    plan = HealthPlan.objects.get(code=plan_code)
    connection.ensure_connection()
    baseline = peak_memory_mb()
    with plan_scope(plan), clocks.frozen(RUN_AT):
        started = time.perf_counter()
        run = high_utilizer_scan(plan=plan, data_month=DATA_MONTH, actor=OPERATOR)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "run": run.pk,
        "events_in_window": run.events_in_window,
        "qualified": run.qualified,
        "opened": run.opened,
        "unchanged": run.unchanged,
        "peak_rss_mb": peak_memory_mb(),
        "rss_before_job_mb": baseline,
    }


def machine_load() -> str:
    """How busy the machine is as the jobs start: the figures below scale with it."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT COUNT(*) FROM generate_series(1, 10000000)")
        reference = time.perf_counter() - started
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"machine: load average {load} on {os.cpu_count()} cores; 10M-row reference count {reference:.2f} s"


def database_url(name: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def peak_memory_mb() -> float:
    """This process's peak resident memory. (getrusage's ru_maxrss would also count the pages the
    process had right after fork, before exec: the parent's.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_job_process(database: str, plan_code: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    output = subprocess.run(
        [sys.executable, __file__, "--job", plan_code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def counting_query_postgres(plan, repeat: int) -> tuple[float, set]:
    from django.db import connection

    from ecm_platform import db
    from eligibility.rules import lookback_window
    from eligibility.scan import QUALIFYING_SQL, SCAN_PARALLEL_WORKERS, scan_parameters, scan_sql
    from eligibility.selectors import scan_criteria_for

    criteria = scan_criteria_for(DATA_MONTH)
    window = lookback_window(DATA_MONTH, criteria.lookback_months)
    sql = scan_sql(QUALIFYING_SQL, db.next_day("w.service_date"))
    params = scan_parameters(plan, criteria, *window, RUN_AT.date())
    times, rows = [], set()
    for _ in range(repeat):
        with db_transaction(), db.analytic_query(SCAN_PARALLEL_WORKERS), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = {tuple(int(v) for v in row) for row in cursor.fetchall()}
            times.append(time.perf_counter() - started)
    return min(times), rows


def db_transaction():
    from django.db import transaction

    return transaction.atomic()


def counting_query_duckdb(plan, repeat: int) -> tuple[float, set, float]:
    """The same statement on DuckDB, over the same rows exported from PostgreSQL."""
    import duckdb
    from django.db import connection

    from eligibility.models import UtilizationEvent
    from eligibility.rules import lookback_window
    from eligibility.scan import QUALIFYING_SQL, scan_parameters, scan_sql
    from eligibility.selectors import scan_criteria_for
    from members.models import EnrollmentSpan, Member

    criteria = scan_criteria_for(DATA_MONTH)
    window = lookback_window(DATA_MONTH, criteria.lookback_months)
    params = scan_parameters(plan, criteria, *window, RUN_AT.date())
    started = time.perf_counter()
    duck = duckdb.connect()
    exports = {
        UtilizationEvent._meta.db_table: "plan_id, member_id, id, claim_id, event_type, service_date, is_planned, is_avoidable",
        Member._meta.db_table: "id, birth_date",
        EnrollmentSpan._meta.db_table: "member_id, start_date, end_date",
    }
    with tempfile.TemporaryDirectory() as folder, connection.cursor() as cursor:
        for table, columns in exports.items():
            path = Path(folder) / f"{table}.csv"
            with path.open("w") as handle:
                cursor.cursor.copy_expert(f"COPY (SELECT {columns} FROM {table}) TO STDOUT WITH CSV HEADER", handle)
            duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{path}')")
    load_seconds = time.perf_counter() - started
    sql = scan_sql(QUALIFYING_SQL, "(w.service_date + 1)")
    literal = {key: (f"DATE '{value}'" if isinstance(value, date) else str(value)) for key, value in params.items()}
    sql = sql % literal
    times, rows = [], set()
    for _ in range(repeat):
        started = time.perf_counter()
        rows = {tuple(int(v) for v in row) for row in duck.execute(sql).fetchall()}
        times.append(time.perf_counter() - started)
    return min(times), rows, load_seconds


def claims_file_load(plan, rows: int) -> dict:
    """A claims CSV of `rows` new claims through the management command, every row validated."""
    from members.models import Member

    rng = random.Random(7)
    cins = list(Member.objects.filter(plan=plan).order_by("?").values_list("cin", flat=True)[:200_000])
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["claim_id", "cin", "event_type", "service_date", "discharge_date", "planned", "avoidable",
             "diagnosis_codes", "adjudication_date"]
        )  # fmt: skip
        for number in range(rows):
            day = YEAR_START + timedelta(days=rng.randrange(365))
            kind = "ED" if rng.random() < 0.85 else "INPATIENT"
            writer.writerow(
                [f"F{number}", rng.choice(cins), kind, day, "" if kind == "ED" else day + timedelta(days=2),
                 "false", "true" if rng.random() < 0.5 else "false", "R07.9 Z59.01", day + timedelta(days=15)]
            )  # fmt: skip
        path = handle.name
    env = {**os.environ, "DATABASE_URL": database_url(plan_database_name())}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "load_claims", "--plan", plan.code, path],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    os.unlink(path)
    if result.returncode != 0:
        raise SystemExit(f"load_claims failed: {result.stderr[-2000:]}")
    return {"rows": rows, "seconds": seconds, "output": result.stdout.strip()}


def plan_database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims-rows", type=int, default=1_000_000, help="0 skips the claims file load")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse", action="store_true", help="scan a database kept by --keep again (migrated, determinations cleared)"
    )
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(job(args.job)))
        return

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to PostgreSQL: the benchmark measures the production database.")
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import HealthPlan
    from ecm_platform.tenancy.scoping import across_plans, plan_scope
    from ecm_platform.tenancy.services import plan_create

    # Its own database, apart from the test suite's.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_bench"
    if not args.reuse:
        check_disk(args.members, args.claims_rows)
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse)
    try:
        with across_plans(reason="the benchmark creates its plan"):
            plan = HealthPlan.objects.filter(code=f"bench-{args.members}").first() if args.reuse else None
            plan = plan or plan_create(
                code=f"bench-{args.members}",
                name="Benchmark plan",
                county_codes=["01", "10", "19"],
                member_services_phone="1-800-555-0199",
                appeals_address="Appeals\nPO Box 199\nSacramento, CA 95814",
                actor=OPERATOR,
            )
        with plan_scope(plan):
            generated = reset(plan) if args.reuse else generate(plan, args.members)
        if args.reuse:
            print(f"reused {args.members:,} members and {generated['events']:,} events")
        else:
            print(
                f"generated {args.members:,} members and {generated['events']:,} events in {generated['seconds']:.1f} s "
                f"(rows {generated['load_seconds']:.1f} s, then indexes, keys and statistics)"
            )
        print(machine_load())
        first = run_job_process(database, plan.code)
        second = run_job_process(database, plan.code)
        with plan_scope(plan):
            check_planted(plan)
            pg_seconds, pg_rows = counting_query_postgres(plan, args.repeat)
            duck_seconds, duck_rows, duck_load = counting_query_duckdb(plan, args.repeat)
            claims = claims_file_load(plan, args.claims_rows) if args.claims_rows else None
        report(args.members, generated, first, second, pg_seconds, pg_rows, duck_seconds, duck_rows, duck_load, claims)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database, verbosity=0)


def check_planted(plan):
    from eligibility.models import Determination

    flagged = set(
        Determination.objects.filter(plan=plan, end_date__isnull=True, member__first_name="Edge").values_list(
            "member__last_name", flat=True
        )
    )
    wrong = {name: want for name, want in PLANTED.items() if (name in flagged) != want}
    if wrong:
        raise SystemExit(f"planted DOMAIN 3.3 edge cases went wrong: {wrong}")
    print(f"planted DOMAIN 3.3 edge cases: {len(PLANTED)} correct")


def report(members, generated, first, second, pg_seconds, pg_rows, duck_seconds, duck_rows, duck_load, claims):
    identical = pg_rows == duck_rows
    ratio = pg_seconds / duck_seconds if duck_seconds else float("inf")
    print(f"members: {members:,}   events in the window: {first['events_in_window']:,}")
    for label, result in (("first run (opens)", first), ("second run (unchanged)", second)):
        print(
            f"{label}: {result['seconds']:.3f} s, {result['events_in_window'] / result['seconds']:,.0f} events/s, "
            f"{result['qualified']:,} flagged ({result['qualified'] / members:.2%}), "
            f"opened {result['opened']:,}, unchanged {result['unchanged']:,}, "
            f"peak memory {result['peak_rss_mb']:.0f} MB (after setup {result['rss_before_job_mb']:.0f} MB)"
        )
    print(
        f"counting query: PostgreSQL {pg_seconds:.3f} s, DuckDB {duck_seconds:.3f} s "
        f"(+{duck_load:.1f} s to load), ratio {ratio:.1f}x, results identical: {identical} ({len(pg_rows):,} members)"
    )
    if claims:
        print(
            f"claims file: {claims['rows']:,} rows through load_claims in {claims['seconds']:.1f} s ({claims['output']})"
        )
    if not identical:
        raise SystemExit("PostgreSQL and DuckDB disagree")


if __name__ == "__main__":
    main()
