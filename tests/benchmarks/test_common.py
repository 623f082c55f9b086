"""benchmarks/common.py: the helpers the benchmark scripts and tests/redis_server.py share, each
defined once there (issue 15 review, F9), and the scripts kept under the project's ~500 lines."""

import ast
import socket
from pathlib import Path

import pytest

from benchmarks import common
from tests import redis_server

ROOT = Path(__file__).resolve().parents[2]
SHARED = {"database_url", "free_port", "peak_memory_mb", "require_postgresql", "own_database", "benchmark_plan"}


def defined_functions(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}


def test_each_shared_helper_is_defined_only_in_common():
    found = {path.name: defined_functions(path) & SHARED for path in (ROOT / "benchmarks").glob("*.py")}
    assert {name: helpers for name, helpers in found.items() if helpers and name != "common.py"} == {}
    # tests/redis_server.py keeps `free_port` for the test modules: common's, on its worker's range.
    helper = ROOT / "tests" / "redis_server.py"
    assert defined_functions(helper) & SHARED == {"free_port"}
    assert "return common.free_port(PORTS)" in helper.read_text()


def test_benchmark_modules_stay_under_500_lines():
    lengths = {path.name: len(path.read_text().splitlines()) for path in (ROOT / "benchmarks").glob("*.py")}
    assert {name: length for name, length in lengths.items() if length >= 500} == {}


def test_free_port_skips_a_taken_port_and_returns_the_next_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        spare = common.free_port()
        assert spare != busy
        assert common.free_port([busy, spare]) == spare


def test_free_port_with_no_candidate_free_raises():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        with pytest.raises(OSError, match="none of the candidate ports is free"):
            common.free_port([taken.getsockname()[1]])


def test_the_redis_servers_port_comes_from_this_workers_range():
    first = redis_server.free_port()
    base = 20000 + 200 * redis_server.WORKER_NUMBER
    assert first >= base  # ports of its own, below the kernel's ephemeral ones
    assert redis_server.free_port() > first  # the range is consumed, never handed out twice


def test_database_url_names_another_database_on_the_same_server(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://ecm_app@127.0.0.1:5432/ecm_x")
    assert common.database_url("ecm_x_bench") == "postgres://ecm_app@127.0.0.1:5432/ecm_x_bench"
