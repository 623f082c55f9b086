"""Benchmark of claims intake (issue 15): `load_claims` beside a raw COPY of the same rows.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/intake.py [--members N] [--rows N]

It creates its own database (DATABASE_URL's name + "_intake"), migrates it, generates a plan of N
members in SQL and a claims CSV of N rows in SQL (claims of random members, 85% ED visits). Then, in
the same run and in alternating rounds, it times (each in a fresh process, wall time and peak RSS):

- raw COPY: the same rows, members already resolved, COPY'd from a file into a table made
  `LIKE` the events table `INCLUDING ALL` (same columns, indexes and constraints; PostgreSQL refuses
  COPY FROM into the events table itself, which is under row-level security);
- load_claims: the management command on the CSV (every row validated, members resolved, upserted,
  the table analyzed).

Both tables are emptied before each round. It prints the medians and the ratio; the database is
dropped at the end unless --keep.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project importable
from benchmarks.common import (
    benchmark_plan,
    child_answer,
    database_url,
    own_database,
    peak_memory_mb,
    require_postgresql,
)

TARGET = "bench_raw_copy"
EVENT_COLUMNS = (
    "plan_id, claim_id, member_id, event_type, service_date, discharge_date, is_planned, is_avoidable, "
    "diagnosis_codes, adjudicated_on"
)
# One claim per generated row g, of a member spread over the plan; the same expressions feed the CSV
# (by CIN) and the raw COPY file (by member id).
CLAIMS_SQL = """
SELECT 'K' || g AS claim_id, m.id AS member_id, m.cin,
       CASE WHEN g %% 100 < 85 THEN 'ED' ELSE 'INPATIENT' END AS event_type,
       DATE '2025-10-01' + (g %% 365) AS service_date,
       CASE WHEN g %% 100 < 85 THEN NULL ELSE DATE '2025-10-03' + (g %% 365) END AS discharge_date,
       false AS planned, g %% 2 = 0 AS avoidable, 'R07.9 Z59.01' AS diagnosis_codes,
       DATE '2025-10-16' + (g %% 365) AS adjudication_date
FROM generate_series(1, %(rows)s) AS g
JOIN members_member m ON m.plan_id = %(plan)s AND m.cin = lpad((1 + (g::bigint * 7919) %% %(members)s)::text, 8, '0') || 'A'
"""


def generate_members(plan, members: int) -> float:
    """N members in one INSERT ... SELECT over generate_series (CIN = 8 digits of the number + A)."""
    from django.db import connection

    from members.models import Member

    values = {
        "id": "g",
        "plan_id": str(plan.pk),
        "cin": "lpad(g::text, 8, '0') || 'A'",
        "first_name": "'First'",
        "last_name": "'Last' || g",
        "birth_date": "DATE '1950-01-01' + (g %% 20000)",
        "county_id": str(plan.counties.first().pk),
        "created_at": "now()",
        "updated_at": "now()",
    }
    columns, expressions = [], []
    for field in Member._meta.concrete_fields:
        if getattr(field, "generated", False):  # computed by the database
            continue
        columns.append(field.column)
        if field.column in values:
            expressions.append(values[field.column])
        elif field.has_default():
            expressions.append("'" + str(field.get_default()).replace("'", "''") + "'")
        else:
            expressions.append("NULL" if field.null else "''")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Member._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM generate_series(1, %s) AS g",
            [members],
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Member._meta.db_table}', 'id'), %s)", [members])
        # As autovacuum leaves a settled table: statistics, and the visibility map that lets a CIN
        # lookup read the (plan, cin) index alone.
        cursor.execute(f"VACUUM ANALYZE {Member._meta.db_table}")
    return time.perf_counter() - started


def write_files(plan, members: int, rows: int, folder: Path) -> tuple[Path, Path]:
    """The claims CSV and the same rows as COPY text for the raw baseline, both written by COPY TO."""
    from django.db import connection

    csv_path, copy_path = folder / "claims.csv", folder / "claims.copy"
    params = {"rows": rows, "plan": plan.pk, "members": members}
    with connection.cursor() as cursor:
        claims = cursor.mogrify(CLAIMS_SQL, params).decode()
        csv_sql = (
            "COPY (SELECT claim_id, cin, event_type, service_date, discharge_date, planned, avoidable, "
            f"diagnosis_codes, adjudication_date FROM ({claims}) c ORDER BY claim_id) TO STDOUT WITH CSV HEADER"
        )
        raw_sql = (
            f"COPY (SELECT {plan.pk}, claim_id, member_id, event_type, service_date, discharge_date, planned, "
            f"avoidable, diagnosis_codes, adjudication_date FROM ({claims}) c ORDER BY claim_id) TO STDOUT"
        )
        for path, sql in ((csv_path, csv_sql), (copy_path, raw_sql)):
            with path.open("w") as handle:
                cursor.cursor.copy_expert(sql, handle)
        cursor.execute(f"CREATE TABLE {TARGET} (LIKE eligibility_utilizationevent INCLUDING ALL)")
    return csv_path, copy_path


def child(kind: str, plan_code: str, path: str) -> dict:
    """One measured operation in this fresh process."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()
    started = time.perf_counter()
    if kind == "copy":
        with connection.cursor() as cursor, open(path) as handle:
            cursor.cursor.copy_expert(f"COPY {TARGET} ({EVENT_COLUMNS}) FROM STDIN", handle)
    else:
        call_command("load_claims", "--plan", plan_code, path, stdout=sys.stderr)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_memory_mb()}


def measured(database: str, kind: str, plan_code: str, path: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    return child_answer([sys.executable, __file__, "--child", kind, plan_code, str(path)], env=env, what=kind)


def empty_targets() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TARGET}, eligibility_utilizationevent")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    require_postgresql()
    import django

    django.setup()
    from ecm_platform.tenancy.scoping import plan_scope

    with own_database("_intake", keep=args.keep) as database:
        plan = benchmark_plan("bench-intake")
        with tempfile.TemporaryDirectory() as folder, plan_scope(plan):
            seconds = generate_members(plan, args.members)
            print(f"generated {args.members:,} members in {seconds:.1f} s")
            csv_path, copy_path = write_files(plan, args.members, args.rows, Path(folder))
            print(f"claims file: {args.rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB")
            results = {"copy": [], "load": []}
            for round_number in range(args.rounds):
                for kind, path in (("copy", copy_path), ("load", csv_path)):
                    empty_targets()
                    result = measured(database, kind, plan.code, path)
                    results[kind].append(result)
                    print(f"round {round_number + 1} {kind}: {result['seconds']:.1f} s, {result['peak_rss_mb']:.0f} MB")
        report(args.rows, results)


def report(rows: int, results: dict) -> None:
    copy = statistics.median(r["seconds"] for r in results["copy"])
    load = statistics.median(r["seconds"] for r in results["load"])
    print(
        f"raw COPY of {rows:,} rows:   {copy:.1f} s, peak RSS {max(r['peak_rss_mb'] for r in results['copy']):.0f} MB"
    )
    print(
        f"load_claims of {rows:,} rows: {load:.1f} s, peak RSS {max(r['peak_rss_mb'] for r in results['load']):.0f} MB"
    )
    print(f"ratio load_claims / raw COPY: {load / copy:.2f}x (target <= 2x, peak RSS <= 200 MB)")


if __name__ == "__main__":
    main()
