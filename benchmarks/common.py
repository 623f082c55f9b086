"""What the benchmark scripts share: the project configured, databases named after DATABASE_URL's,
the benchmark's own database and plan, a child process's answer, a free port and peak memory.

A script run as `python benchmarks/x.py` puts the project root on sys.path and imports this first.
"""

import json
import os
import resource
import socket
import subprocess
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecm_platform.settings")


def database_url(name: str) -> str:
    """DATABASE_URL naming the database `name` instead (same server, same role)."""
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def require_postgresql() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to PostgreSQL: the benchmark measures the production database.")


@contextmanager
def own_database(suffix: str, *, keep: bool, reuse: bool = False):
    """A database apart from the test suite's (DATABASE_URL's name + `suffix`), created and migrated
    by Django's test-database machinery (or, with `reuse`, a kept one migrated forward), dropped at
    the end unless `keep`; yields its name. Django's connection uses it meanwhile."""
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}{suffix}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=reuse)
    try:
        yield database
    finally:
        if not keep:
            connection.creation.destroy_test_db(database, verbosity=0)


def benchmark_plan(code: str, *, reuse: bool = False):
    """The benchmark's plan of three counties, made by the plan service (with `reuse`, the one an
    earlier run made, when there is one)."""
    from ecm_platform.tenancy.access import OPERATOR
    from ecm_platform.tenancy.models import HealthPlan
    from ecm_platform.tenancy.scoping import across_plans
    from ecm_platform.tenancy.services import plan_create

    with across_plans(reason="the benchmark creates its plan"):
        plan = HealthPlan.objects.filter(code=code).first() if reuse else None
        return plan or plan_create(
            code=code,
            name="Benchmark plan",
            county_codes=["01", "10", "19"],
            member_services_phone="1-800-555-0199",
            appeals_address="Appeals\nPO Box 199\nSacramento, CA 95814",
            actor=OPERATOR,
        )


def child_answer(command: list[str], *, env: dict, what: str, stdin: str | None = None) -> dict:
    """Run `command` (one of our scripts, measured in a fresh process) and read the JSON line it
    prints last; a failure exits with the end of its stderr."""
    result = subprocess.run(command, input=stdin, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{what} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port(candidates: Iterable[int] = (0,)) -> int:
    """The first of `candidates` free on 127.0.0.1, found by binding it (0: a port the kernel picks).
    The port is free when probed: bind it before looking for another."""
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken by something else on the machine
            return probe.getsockname()[1]
    raise OSError("none of the candidate ports is free")


def peak_memory_mb() -> float:
    """This process's peak resident memory. (getrusage's ru_maxrss would also count the pages the
    process had right after fork, before exec: the parent's.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
