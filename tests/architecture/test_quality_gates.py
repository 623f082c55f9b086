"""Ratchets over memory: lint, formatting, migrations, deployment checks, the schema."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args, env=None):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_ruff_lint_is_clean():
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/me/" in (tmp_path / "schema.yml").read_text()


def production_env(**overrides):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ecm.example.org",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.update(overrides)
    return env


def test_check_deploy_is_clean_in_production():
    result = run(
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": ""}, "needs its own SECRET_KEY"),
        ({"DEBUG": "true"}, "refuses to run with DEBUG on"),
    ],
)
def test_production_refuses_the_development_key_and_debug(overrides, message):
    env = production_env(**overrides)
    if not overrides.get("SECRET_KEY", True):
        env.pop("SECRET_KEY")
    result = run(sys.executable, "manage.py", "check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_logs_json_lines():
    code = "import logging; logging.getLogger('ecm').warning('hello', extra={'plan': 'a'})"
    result = run(sys.executable, "manage.py", "shell", "-v0", "-c", code, env=production_env())
    line = result.stderr.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "hello"
    assert record["level"] == "WARNING"
    assert record["plan"] == "a"
