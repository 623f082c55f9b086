"""Benchmark of the quarterly outreach measures (issue 16: "measures for a 1M-member plan with 50k
targeted members and 2M attempts build in <= 10 s") on a synthetic plan in PostgreSQL.

    DATABASE_URL=postgres://ecm_app@127.0.0.1:5432/ecm .venv/bin/python benchmarks/outreach.py \
        [--members 1000000 --engagements 200000 --attempts 2000000] [--keep | --reuse] [--json out.json]

It checks free disk first, creates its own database (DATABASE_URL's name + "_outreach_bench"),
migrates it and has PostgreSQL generate the plan (benchmarks/outreach_dataset.py): engagements
spread over 23 months, so that about a quarter of them (~50k at the default sizes) are targeted in
the measured quarter, 2026 Q3, and their attempts over the same months. It then times
`measure_run_build` (the service: the query, the run row, the audit event) --repeat times and
reports the median and each run's query time, recounts the quarter's totals with plain ORM queries
(each measure on its own) and refuses to report figures that differ, and prints a summary of the
query's EXPLAIN (ANALYZE, BUFFERS): each scan, its index and rows, and the execution time. The
database is dropped at the end unless --keep; --reuse measures a kept one again.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project importable
from benchmarks.common import benchmark_plan, own_database, peak_memory_mb, require_postgresql
from benchmarks.outreach_dataset import PLAN_CODE, ensure

YEAR, QUARTER = 2026, 3
BUILT_AT = datetime(2026, 12, 1, 18, tzinfo=UTC)
BUDGET_SECONDS = 10.0
# What the database needs: api_dataset's members (~520 bytes each with their spans and indexes),
# ~450 bytes per attempt and ~600 per engagement with its assignment and determinations (tables
# and indexes), twice over for the index builds and the write-ahead log.
BYTES_PER_MEMBER, BYTES_PER_ENGAGEMENT, BYTES_PER_ATTEMPT = 520, 600, 450
POSTGRESQL_DATA = "/var/lib/postgresql"


def check_disk(members: int, engagements: int, attempts: int) -> None:
    need = 2 * (BYTES_PER_MEMBER * members + BYTES_PER_ENGAGEMENT * engagements + BYTES_PER_ATTEMPT * attempts)
    free = shutil.disk_usage(POSTGRESQL_DATA if Path(POSTGRESQL_DATA).exists() else "/").free
    print(f"disk: about {need / 2**30:.1f} GiB needed, {free / 2**30:.0f} GiB free")
    if free < need:
        raise SystemExit("Not enough free disk for the benchmark database.")


def timed_builds(plan, repeat: int) -> list[dict]:
    from ecm_platform import clocks
    from ecm_platform.tenancy.access import OPERATOR
    from outreach.measure_runs import measure_run_build

    builds = []
    for _ in range(repeat):
        with clocks.frozen(BUILT_AT):
            started = time.perf_counter()
            run = measure_run_build(plan=plan, actor=OPERATOR, year=YEAR, quarter=QUARTER)
            seconds = time.perf_counter() - started
        builds.append({"seconds": seconds, "query_ms": run.duration_ms, "run": run})
    return builds


def recount(plan) -> dict:
    """The quarter's totals by plain ORM queries, one measure at a time: an independent check."""
    from django.db.models import Q, Sum

    from ecm_platform import clocks
    from outreach.measures import Quarter
    from outreach.models import Attempt, Engagement

    quarter = Quarter(YEAR, QUARTER)
    start = clocks.start_of_day(quarter.first_day)
    end = clocks.start_of_day(quarter.last_day + timedelta(days=1))
    engagements = Engagement.objects.filter(plan=plan, targeted_on__lte=quarter.last_day).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )
    counting = Attempt.objects.filter(
        plan=plan, counts=True, attempted_at__gte=start, attempted_at__lt=end, engagement__in=engagements
    )
    return {
        "targeted": engagements.values("member_id").distinct().count(),
        "reached": counting.values("member_id").distinct().count(),
        "attempts": counting.count(),
        "successful": counting.filter(successful=True).count(),
        "minutes": counting.aggregate(minutes=Sum("minutes"))["minutes"] or 0,
    }


def explain(plan) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the measures' statement: its scans and its times."""
    from django.db import connection, transaction

    from ecm_platform import db
    from outreach.measures import Quarter, measures_query

    sql, params = measures_query(plan=plan, quarter=Quarter(YEAR, QUARTER))
    with transaction.atomic(), db.analytic_query(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        (document,) = cursor.fetchone()
    plan_json = document[0] if isinstance(document, list) else json.loads(document)[0]
    scans = []

    def walk(node):
        if "Scan" in node["Node Type"] and ("Relation Name" in node or "Index Name" in node):
            scans.append(
                {
                    "node": node["Node Type"],
                    "relation": node.get("Relation Name", ""),
                    "index": node.get("Index Name", ""),
                    "rows": node["Actual Rows"] * node["Actual Loops"],
                    "ms": round(node["Actual Total Time"] * node["Actual Loops"], 1),
                    "shared_read": node.get("Shared Read Blocks", 0),
                }
            )
        for child in node.get("Plans", []):
            walk(child)

    walk(plan_json["Plan"])
    return {
        "execution_ms": round(plan_json["Execution Time"], 1),
        "planning_ms": round(plan_json["Planning Time"], 1),
        "scans": scans,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--engagements", type=int, default=200_000)
    parser.add_argument("--attempts", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep again (kept)")
    parser.add_argument("--json", type=Path, help="write the numbers as JSON here")
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per crossed scope
    require_postgresql()
    import django

    django.setup()
    from ecm_platform.tenancy.scoping import plan_scope

    if not args.reuse:
        check_disk(args.members, args.engagements, args.attempts)
    with own_database("_outreach_bench", keep=args.keep or args.reuse, reuse=args.reuse) as database:
        plan = benchmark_plan(PLAN_CODE, reuse=args.reuse)
        dataset = ensure(
            plan=plan, members=args.members, engagements=args.engagements, attempts=args.attempts, reuse=args.reuse
        )
        verb = f"built in {dataset['seconds']:.0f} s" if dataset["built"] else "reused"
        print(
            f"database {database}: {args.members:,} members, {args.engagements:,} engagements, "
            f"{args.attempts:,} attempts, {verb}",
            flush=True,
        )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: load average {load} on {os.cpu_count()} cores")
        with plan_scope(plan):
            builds = timed_builds(plan, args.repeat)
            recounted = recount(plan)
            plan_summary = explain(plan)
        result = summary(args, dataset, builds, recounted, plan_summary, load)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if result["figures_differ"]:
        raise SystemExit(f"the measures and the recount differ: {result['figures_differ']}")


def summary(args, dataset, builds, recounted, plan_summary, load) -> dict:
    run = builds[-1]["run"]
    total = run.figures["total"]
    differ = {key: (total[key], value) for key, value in recounted.items() if total[key] != value}
    seconds = [round(build["seconds"], 3) for build in builds]
    return {
        "sizes": {"members": args.members, "engagements": args.engagements, "attempts": args.attempts},
        "dataset": dataset,
        "machine_load": load,
        "quarter": f"{YEAR} Q{QUARTER}",
        "total": total,
        "strata": {name: len(run.figures[name]) for name in ("by_county", "by_pof", "by_provider")},
        "engagements_considered": run.inputs["engagements_considered"],
        "attempts_considered": run.inputs["attempts_considered"],
        "build_seconds": seconds,
        "median_seconds": statistics.median(seconds),
        "query_ms": [build["query_ms"] for build in builds],
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": statistics.median(seconds) <= BUDGET_SECONDS,
        "figures_differ": differ,
        "explain": plan_summary,
        "peak_rss_mb": round(peak_memory_mb()),
    }


def report(result: dict) -> None:
    total = result["total"]
    print(
        f"{result['quarter']}: targeted {total['targeted']:,}, reached {total['reached']:,}, "
        f"attempts {total['attempts']:,}, successful {total['successful']:,}, hours {total['hours']:,}; "
        f"strata {result['strata']}; considered {result['engagements_considered']:,} engagements and "
        f"{result['attempts_considered']:,} attempts"
    )
    print(
        f"measure_run_build: median {result['median_seconds']:.3f} s of {result['build_seconds']} "
        f"(query {result['query_ms']} ms); budget {result['budget_seconds']:.0f} s: "
        f"{'within' if result['within_budget'] else 'OVER'}; recount {'differs' if result['figures_differ'] else 'agrees'}"
    )
    plan = result["explain"]
    print(f"EXPLAIN ANALYZE: execution {plan['execution_ms']} ms, planning {plan['planning_ms']} ms")
    for scan in plan["scans"]:
        index = f" using {scan['index']}" if scan["index"] else ""
        relation = f" on {scan['relation']}" if scan["relation"] else ""
        print(
            f"  {scan['node']}{relation}{index}: {scan['rows']:,} rows, {scan['ms']} ms, "
            f"{scan['shared_read']:,} blocks read"
        )


if __name__ == "__main__":
    main()
