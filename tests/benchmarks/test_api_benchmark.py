"""benchmarks/api.py at a tiny size (issue 15, "What to build", first bullet): it builds its dataset,
serves the project and the bare DRF baseline with gunicorn, drives both with wrk and prints a row
for every endpoint the issue names, with the ratio where the baseline has the endpoint."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "ecm_platform.tenancy.postgresql",
        reason="the benchmark measures PostgreSQL",
    ),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"),
]


def test_the_benchmark_prints_every_row_at_a_tiny_size(tmp_path):
    # A database of its own (the script appends "_api_bench"), dropped at the end.
    base = os.environ["DATABASE_URL"].rsplit("/", 1)
    env = {**os.environ, "DATABASE_URL": f"{base[0]}/{base[1]}_smoke"}
    report = tmp_path / "api.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "api.py"), "--members", "2000", "--requests", "300",
         "--duration", "1", "--rounds", "1", "--warmup", "0", "--drop", "--json", str(report)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from benchmarks.api import ENDPOINTS

    rows = {row["key"]: row for row in json.loads(report.read_text())["rows"]}
    assert list(rows) == [key for key, *_ in ENDPOINTS]
    # At 1-second rounds on a loaded machine a slow page may finish no request: every answer was
    # checked to be 200 before the load (and its queries counted), and none during it was not.
    for key, label, _, baseline_path, _ in ENDPOINTS:
        assert f"| {label} |" in result.stdout
        project = rows[key]["project"]
        assert project["errors"] == 0 and project["queries"] > 0, (key, project)
        if baseline_path is None:
            assert rows[key]["baseline"] is None
        else:
            assert rows[key]["baseline"]["errors"] == 0 and rows[key]["baseline"]["queries"] > 0, key
