"""Benchmark of the nightly high-utilizer scan (DOMAIN 3.3) on a synthetic plan in PostgreSQL.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/scan.py [--members N]

It creates its own database (DATABASE_URL's name + "_bench"), migrates it, generates a plan
with COPY (58% adults, twelve months of events at Medicaid rates, over-dispersed so that a few
percent of members make most visits, 10-15% of ED visits followed by an admission) and plants the
DOMAIN 3.3 edge cases. It then runs the real scan job in a fresh process (counting, evidence,
upsert, closing, run record) twice -- the first run opens the determinations, the second finds
nothing changed -- and reports wall time, events/s, flagged members and the job's peak memory.
The same counting query runs on DuckDB over the same rows, and the results must be identical.
Finally a claims CSV goes through the `load_claims` management command. The database is dropped at
the end unless --keep.
"""

import argparse
import csv
import io
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
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
CHUNK = 100_000
NULL = "\\N"  # COPY's text format


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class Generator:
    """Streams members, enrollment spans and events as COPY text, a chunk at a time."""

    def __init__(self, plan_id: int, county_ids: list[int], seed: int = 15):
        self.plan_id, self.county_ids = plan_id, county_ids
        self.rng = random.Random(seed)
        self.claim = 0
        self.days = (DATA_MONTH.replace(month=9, day=30) - YEAR_START).days + 1

    def chunk(self, first_id: int, count: int):
        rng, members, spans, events = self.rng, io.StringIO(), io.StringIO(), io.StringIO()
        now = "2026-10-01 00:00:00+00"
        for member_id in range(first_id, first_id + count):
            adult = rng.random() < ADULT_SHARE
            age = rng.randint(21, 90) if adult else rng.randint(0, 20)
            birth = date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            members.write(
                f"{member_id}\t{self.plan_id}\t{member_id:08d}A\tFirst\tLast{member_id}\t{birth}\tU\ten\t\t\t\t\t\t"
                f"{rng.choice(self.county_ids)}\tnone\t\t\t{now}\t{now}\n"
            )
            ended = rng.random() < 0.03
            spans.write(f"{member_id}\t{self.plan_id}\t{member_id}\t2020-01-01\t{'2026-06-30' if ended else NULL}\n")
            propensity = rng.gammavariate(DISPERSION, 1 / DISPERSION)
            for _ in range(poisson(rng, (ED_PER_ADULT_YEAR if adult else ED_PER_CHILD_YEAR) * propensity)):
                day = YEAR_START + timedelta(days=rng.randrange(self.days))
                self.event(events, member_id, "ED", day, planned=False, avoidable=rng.random() < 0.55)
                if rng.random() < ADMITTED_AFTER_ED:
                    admitted = day + timedelta(days=rng.randint(0, 1))
                    self.event(events, member_id, "INPATIENT", admitted, planned=False, avoidable=rng.random() < 0.5)
            for kind, rate in (("INPATIENT", INPATIENT_PER_YEAR), ("SNF_SHORT_TERM", SNF_PER_YEAR)):
                for _ in range(poisson(rng, rate * propensity)):
                    day = YEAR_START + timedelta(days=rng.randrange(self.days))
                    self.event(events, member_id, kind, day, planned=rng.random() < 0.3, avoidable=rng.random() < 0.45)
        return members, spans, events

    def event(self, out, member_id, kind, day, *, planned, avoidable):
        self.claim += 1
        discharge = NULL if kind == "ED" else day + timedelta(days=3)
        out.write(
            f"{self.plan_id}\tB{self.claim}\t{member_id}\t{kind}\t{day}\t{discharge}\t{planned}\t{avoidable}"
            f"\tR07.9\t{day + timedelta(days=20)}\n"
        )


def copy(cursor, table: str, columns: str, buffer: io.StringIO):
    """PostgreSQL refuses COPY FROM into a table under row-level security: the rows go through a
    temporary table and one INSERT ... SELECT, whose rows the policy checks."""
    buffer.seek(0)
    staging = f"staging_{table}"
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} AS SELECT {columns} FROM {table} WITH NO DATA")
    cursor.copy_expert(f"COPY {staging} ({columns}) FROM STDIN", buffer)
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}")
    cursor.execute(f"TRUNCATE {staging}")


def generate(plan, members: int) -> dict:
    from django.db import connection

    from eligibility.models import UtilizationEvent
    from members.models import EnrollmentSpan, Member

    county_ids = list(plan.counties.values_list("pk", flat=True))
    generator = Generator(plan.pk, county_ids)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for first in range(1, members + 1, CHUNK):
            member_rows, span_rows, event_rows = generator.chunk(first, min(CHUNK, members + 1 - first))
            copy(
                raw,
                Member._meta.db_table,
                "id, plan_id, cin, first_name, last_name, birth_date, sex, preferred_language, address_line, city, "
                "zip_code, phone, email, county_id, medicare_model, pcp_npi, behavioral_health_npi, created_at, "
                "updated_at",
                member_rows,
            )
            copy(raw, EnrollmentSpan._meta.db_table, "id, plan_id, member_id, start_date, end_date", span_rows)
            copy(
                raw,
                UtilizationEvent._meta.db_table,
                "plan_id, claim_id, member_id, event_type, service_date, discharge_date, is_planned, is_avoidable, "
                "diagnosis_codes, adjudicated_on",
                event_rows,
            )
        for model in (Member, EnrollmentSpan):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), %s)", [members])
    planted = plant_edge_cases(plan, members)
    with connection.cursor() as cursor:
        for table in (Member._meta.db_table, EnrollmentSpan._meta.db_table, UtilizationEvent._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"seconds": time.perf_counter() - started, "events": generator.claim, "planted": planted}


def plant_edge_cases(plan, members: int) -> dict:
    """The DOMAIN 3.3 edge cases, each with the outcome the scan must reach."""
    from eligibility.models import EventType, UtilizationEvent
    from members.models import EnrollmentSpan, Member

    expected = {}

    def member(name, birth=date(1970, 1, 1), enrolled_until=None):
        person = Member.objects.create(
            plan=plan, cin=f"{members + len(expected) + 1:08d}Z", first_name="Edge", last_name=name,
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
    events(edge := member("window-edges"), edges)
    expected[edge.pk] = True
    events(outside := member("outside-window"), [date(2026, 3, 31), date(2026, 10, 1), *edges[2:]])
    expected[outside.pk] = False
    events(absorbed := member("ed-then-admission-across-window-end"), [*edges[2:], date(2026, 5, 5), date(2026, 9, 30)])
    events(absorbed, [date(2026, 10, 1)], kind=EventType.INPATIENT)
    expected[absorbed.pk] = False
    events(young := member("turns-21-after-window", birth=date(2005, 10, 1)), edges)
    expected[young.pk] = False
    events(adult := member("turns-21-on-window-end", birth=date(2005, 9, 30)), edges)
    expected[adult.pk] = True
    events(gone := member("disenrolled-before-run", enrolled_until=date(2026, 10, 4)), edges)
    expected[gone.pk] = False
    stays = [date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
    events(planned := member("one-planned-stay"), stays[:2], kind=EventType.INPATIENT)
    events(planned, stays[2:], kind=EventType.SNF_SHORT_TERM, planned=True)
    expected[planned.pk] = False
    events(three := member("three-unplanned-avoidable-stays"), stays[:2], kind=EventType.INPATIENT)
    events(three, stays[2:], kind=EventType.SNF_SHORT_TERM)
    expected[three.pk] = True
    return expected


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
    from eligibility.scan import QUALIFYING_SQL, scan_parameters, scan_sql
    from eligibility.selectors import scan_criteria_for

    criteria = scan_criteria_for(DATA_MONTH)
    window = lookback_window(DATA_MONTH, criteria.lookback_months)
    sql = scan_sql(QUALIFYING_SQL, db.next_day("w.service_date"))
    params = scan_parameters(plan, criteria, *window, RUN_AT.date())
    times, rows = [], set()
    for _ in range(repeat):
        with db_transaction(), db.analytic_query(), connection.cursor() as cursor:
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
    from ecm_platform.tenancy.scoping import across_plans, plan_scope
    from ecm_platform.tenancy.services import plan_create

    # Its own database, apart from the test suite's.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_bench"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with across_plans(reason="the benchmark creates its plan"):
            plan = plan_create(
                code=f"bench-{args.members}",
                name="Benchmark plan",
                county_codes=["01", "10", "19"],
                member_services_phone="1-800-555-0199",
                appeals_address="Appeals\nPO Box 199\nSacramento, CA 95814",
                actor=OPERATOR,
            )
        with plan_scope(plan):
            generated = generate(plan, args.members)
        print(f"generated {args.members:,} members and {generated['events']:,} events in {generated['seconds']:.1f} s")
        first = run_job_process(database, plan.code)
        second = run_job_process(database, plan.code)
        with plan_scope(plan):
            check_planted(plan, generated["planted"])
            pg_seconds, pg_rows = counting_query_postgres(plan, args.repeat)
            duck_seconds, duck_rows, duck_load = counting_query_duckdb(plan, args.repeat)
            claims = claims_file_load(plan, args.claims_rows) if args.claims_rows else None
        report(args.members, generated, first, second, pg_seconds, pg_rows, duck_seconds, duck_rows, duck_load, claims)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(database, verbosity=0)


def check_planted(plan, expected: dict):
    from eligibility.models import Determination

    flagged = set(Determination.objects.filter(plan=plan, end_date__isnull=True).values_list("member_id", flat=True))
    wrong = {member: want for member, want in expected.items() if (member in flagged) != want}
    if wrong:
        raise SystemExit(f"planted DOMAIN 3.3 edge cases went wrong: {wrong}")
    print(f"planted DOMAIN 3.3 edge cases: {len(expected)} correct")


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
