"""benchmarks/outreach.py at a tiny size (issue 16: the measures of a 1M-member plan build in <= 10 s):
it builds its dataset, times measure_run_build, recounts the totals with plain ORM queries (and
fails when they differ), EXPLAINs the statement and writes the numbers as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "ecm_platform.tenancy.postgresql",
    reason="the benchmark measures PostgreSQL",
)


def test_the_benchmark_builds_times_recounts_and_explains_at_a_tiny_size(tmp_path):
    """DOMAIN 8: the five measures of 2026 Q3 on a generated plan, as the service builds them."""
    # A database of its own (the script appends "_outreach_bench"), dropped at the end.
    base = os.environ["DATABASE_URL"].rsplit("/", 1)
    env = {**os.environ, "DATABASE_URL": f"{base[0]}/{base[1]}_smoke"}
    report = tmp_path / "outreach.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "outreach.py"), "--members", "3000", "--engagements", "600",
         "--attempts", "6000", "--repeat", "2", "--json", str(report)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    numbers = json.loads(report.read_text())
    assert numbers["sizes"] == {"members": 3000, "engagements": 600, "attempts": 6000}
    assert numbers["figures_differ"] == {}
    total = numbers["total"]
    # Some engagements span the quarter and not all members are reached; uncounted attempts exist.
    assert 0 < total["reached"] < total["targeted"] <= numbers["engagements_considered"] < 600
    assert 0 < total["successful"] < total["attempts"] < numbers["attempts_considered"] < 6000
    assert len(numbers["build_seconds"]) == 2 and numbers["within_budget"]
    assert {scan["relation"] for scan in numbers["explain"]["scans"]} >= {"outreach_engagement", "outreach_attempt"}
    assert "measure_run_build: median" in result.stdout and "recount agrees" in result.stdout
