"""The services the suite runs against: PostgreSQL as the application role, a real Celery worker."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from ecm_platform.calendars.models import HolidayCalendarYear
from ecm_platform.celery import app as celery_app

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="DATABASE_URL does not point at PostgreSQL"
)


def test_ci_runs_on_postgresql_and_redis():
    if os.environ.get("CI") != "true":
        pytest.skip("only CI must run on PostgreSQL and Redis")
    assert connection.vendor == "postgresql"
    assert settings.REDIS_URL


@on_postgresql
def test_the_suite_connects_as_a_role_that_cannot_bypass_row_security(db):
    # ARCHITECTURE.md, Tenancy: superusers and BYPASSRLS roles skip row-level security.
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@pytest.fixture
def real_worker():
    """A Celery worker in a thread, consuming this run's own queue on Redis."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: tasks run eagerly")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        celery_app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_redis_and_every_beat_entry_runs(reference_data, plan_a, real_worker):
    with scopes_disabled():
        HolidayCalendarYear.objects.filter(plan=plan_a).delete()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks
        result = celery_app.send_task(entry["task"], kwargs=entry.get("kwargs", {}))
        assert result.get(timeout=30) is not None
    # The beat job fans out one task per plan through the queue: wait for the plan's task.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with scopes_disabled():
            if HolidayCalendarYear.objects.filter(plan=plan_a).count() == 2:
                return
        time.sleep(0.1)
    pytest.fail("the per-plan task fanned out by the beat job never ran")
