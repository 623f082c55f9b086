"""Benchmark of the nightly high-utilizer scan (DOMAIN 3.3) on a synthetic plan in PostgreSQL.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/scan.py [--members N]

It checks free disk first, creates its own database (DATABASE_URL's name + "_bench"), migrates
it, and has PostgreSQL generate a plan (benchmarks/scan_dataset.py: INSERT ... SELECT over
generate_series, hashed draws: 58% adults, twelve months of events at Medicaid rates,
over-dispersed so that a few percent of members make most visits, 10-15% of ED visits followed by
an admission) and plants the DOMAIN 3.3 edge cases. It then runs the real scan job in a fresh
process (counting, evidence, upsert, closing, run record) twice -- the first run opens the
determinations, the second finds nothing changed -- and reports wall time, events/s, flagged
members and the job's peak memory.
The same counting query runs on DuckDB over the same rows, and the results must be identical.
Finally a claims CSV goes through the `load_claims` management command. The database is dropped at
the end unless --keep; --reuse scans a kept one again.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project importable
from benchmarks.common import (
    ROOT,
    benchmark_plan,
    child_answer,
    database_url,
    own_database,
    peak_memory_mb,
    require_postgresql,
)
from benchmarks.scan_dataset import DATA_MONTH, RUN_AT, YEAR_START, check_planted, generate, reset

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


def run_job_process(database: str, plan_code: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    return child_answer([sys.executable, __file__, "--job", plan_code], env=env, what="the scan job")


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


def claims_file_load(plan, rows: int, database: str) -> dict:
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
    env = {**os.environ, "DATABASE_URL": database_url(database)}
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

    require_postgresql()
    import django

    django.setup()
    from ecm_platform.tenancy.scoping import plan_scope

    if not args.reuse:
        check_disk(args.members, args.claims_rows)
    with own_database("_bench", keep=args.keep, reuse=args.reuse) as database:
        plan = benchmark_plan(f"bench-{args.members}", reuse=args.reuse)
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
            claims = claims_file_load(plan, args.claims_rows, database) if args.claims_rows else None
        report(args.members, generated, first, second, pg_seconds, pg_rows, duck_seconds, duck_rows, duck_load, claims)


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
