"""benchmarks/invoices.py at a tiny size (issue 18: an invoice file of 100k lines validated and
applied in <= 10 s): it builds its plan, generates a valid file, imports it through the job's work,
imports it again (every line unchanged) and writes the numbers as JSON; it exits non-zero when the
file does not import as generated."""

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


def test_the_benchmark_imports_a_generated_file_twice_at_a_tiny_size(tmp_path):
    base = os.environ["DATABASE_URL"].rsplit("/", 1)
    env = {**os.environ, "DATABASE_URL": f"{base[0]}/{base[1]}_smoke"}  # the script appends its own suffix
    report = tmp_path / "invoices.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "invoices.py"), "--lines", "500", "--json", str(report)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    numbers = json.loads(report.read_text())
    assert (numbers["lines"], numbers["first"]["created"], numbers["first"]["errors"]) == (500, 500, [])
    assert (numbers["again"]["created"], numbers["again"]["unchanged"]) == (0, 500)
    assert numbers["first"]["seconds"] > 0 and numbers["budget_seconds"] == 10.0
