"""Background work survives its broker (issue 14, "Faults"): a committed change records its work in
the same transaction (the outbox), answers at once while the broker is down, and the sweeper
delivers the work when the broker is back."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from ecm_platform import clocks
from ecm_platform.celery import app as celery_app
from ecm_platform.outbox.delivery import outbox_deliver, outbox_forget_delivered
from ecm_platform.outbox.models import OutboxMessage
from ecm_platform.tasking import enqueue_on_commit
from tests.redis_server import broker_at, free_port, running_redis

pytestmark = pytest.mark.usefixtures("in_plan_a")
redis_server_fixture = pytest.fixture(running_redis, name="redis_server")


def test_a_task_enqueued_while_the_broker_is_down_waits_in_the_outbox(db, django_capture_on_commit_callbacks):
    with broker_at(free_port()), django_capture_on_commit_callbacks(execute=True):
        started = time.perf_counter()
        with transaction.atomic():
            enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")
        elapsed = time.perf_counter() - started

    message = OutboxMessage.objects.get()
    assert elapsed < 1, "a dead broker must fail fast"
    assert (message.task_name, message.delivered_at, message.attempts) == (
        "ecm_platform.outbox.tasks.outbox_sweep",
        None,
        1,
    )
    assert "Connection refused" in message.last_error


def test_a_rolled_back_change_records_no_work(db):
    with broker_at(free_port()), pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")
        raise RuntimeError("the change fails")

    assert not OutboxMessage.objects.exists()


def test_eager_tasks_run_in_process_and_leave_no_outbox_row(db, django_capture_on_commit_callbacks):
    # Without REDIS_URL (the embedded default) the work runs right after the commit, as before.
    assert celery_app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")

    assert len(callbacks) == 1
    assert not OutboxMessage.objects.exists()


def test_the_sweeper_delivers_each_row_once(db, redis_server, django_capture_on_commit_callbacks):
    with broker_at(redis_server.port):
        redis_server.stop()
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")
        redis_server.start()
        assert outbox_deliver() == 1
        assert outbox_deliver() == 0

    assert [m["task"] for m in redis_server.queued()] == ["ecm_platform.outbox.tasks.outbox_sweep"]


def test_the_command_delivers_what_waits_and_says_what_is_left(db, redis_server, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with broker_at(redis_server.port):
        redis_server.stop()
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")
        call_command("outbox_deliver", stdout=out)
        redis_server.start()
        call_command("outbox_deliver", stdout=out)

    assert out.getvalue().splitlines() == ["Delivered 0; 1 still pending.", "Delivered 1; 0 still pending."]


def test_the_sweeper_forgets_rows_delivered_more_than_a_week_ago(db):
    now = clocks.now()
    old = OutboxMessage.objects.create(task_name="t", created_at=now, delivered_at=now - timedelta(days=8))
    recent = OutboxMessage.objects.create(task_name="t", created_at=now, delivered_at=now - timedelta(days=6))
    pending = OutboxMessage.objects.create(task_name="t", created_at=now - timedelta(days=30))

    assert outbox_forget_delivered() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_with_the_broker_up_the_work_is_published_at_the_commit(db, redis_server, django_capture_on_commit_callbacks):
    with broker_at(redis_server.port), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit("ecm_platform.outbox.tasks.outbox_sweep")
        assert redis_server.queued() == []  # not before the commit

    message = OutboxMessage.objects.get()
    assert (message.delivered_at is not None, message.attempts, message.last_error) == (True, 1, "")
    assert redis_server.queued() == [{"task": "ecm_platform.outbox.tasks.outbox_sweep", "kwargs": {}}]
