"""A decision while Redis is down (issue 14, "Faults"): it used to be committed and then answer
500 after 19 s, so the reviewer retried and got 409. Now it answers at once, its letter waits in
the outbox ("Letter pending" on the request page) and is rendered once Redis is back."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from authorizations.models import Notice
from ecm_platform.celery import app as celery_app
from ecm_platform.outbox.delivery import outbox_deliver
from ecm_platform.outbox.models import OutboxMessage
from tests.authorizations.api_helpers import post
from tests.redis_server import QUEUE, broker_at, running_redis

pytestmark = pytest.mark.usefixtures("in_plan_a")
redis_server_fixture = pytest.fixture(running_redis, name="redis_server")


def test_a_denial_answers_at_once_while_redis_is_down_and_its_letter_renders_when_it_is_back(
    plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request, make_api_client, redis_server,
    django_capture_on_commit_callbacks, client,
):  # fmt: skip
    # Issue 14, "Faults": the denial used to be committed and then answer 500 after 19 s.
    request = make_request(plan_a, coordinator_a.user, eligible_member_a)
    post(make_api_client(coordinator_a), f"/api/v1/authorizations/{request.pk}/start-review/")
    with broker_at(redis_server.port):
        redis_server.stop()
        with django_capture_on_commit_callbacks(execute=True):
            started = time.perf_counter()
            denial = post(
                make_api_client(reviewer_a),
                f"/api/v1/authorizations/{request.pk}/deny/",
                {"reason": "no_pof", "explanation": "No POF applies."},
            )
            elapsed = time.perf_counter() - started
        assert denial.status_code == 200, denial.json()
        assert elapsed < 2
        notice = Notice.objects.get(request=request)
        assert notice.sha256 == ""
        pending = OutboxMessage.objects.get(task_name="authorizations.tasks.notice_render_task")
        assert pending.delivered_at is None
        assert pending.kwargs == {"plan_id": plan_a.pk, "notice_id": notice.pk}
        client.force_login(reviewer_a.user)
        assert "Letter pending" in client.get(f"/authorizations/{request.pk}/").content.decode()

        redis_server.start()
        assert outbox_deliver() >= 1

    pending.refresh_from_db()
    assert pending.delivered_at is not None
    queued = [m for m in redis_server.queued() if m["task"] == "authorizations.tasks.notice_render_task"]
    assert queued == [{"task": "authorizations.tasks.notice_render_task", "kwargs": pending.kwargs}]
    # No worker here: run what was delivered, as a worker would.
    celery_app.tasks[queued[0]["task"]].apply(kwargs=queued[0]["kwargs"])
    notice = Notice.objects.get(pk=notice.pk)
    assert bytes(notice.pdf).startswith(b"%PDF")
    assert "Letter pending" not in client.get(f"/authorizations/{request.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_letter_renders_by_itself_once_redis_is_back(
    plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request, make_api_client, redis_server
):
    # Real commits (no captured callbacks) and a real worker on the test's own Redis and queue.
    request = make_request(plan_a, coordinator_a.user, eligible_member_a)
    with broker_at(redis_server.port):
        post(make_api_client(coordinator_a), f"/api/v1/authorizations/{request.pk}/start-review/")
        redis_server.stop()
        started = time.perf_counter()
        denial = post(
            make_api_client(reviewer_a),
            f"/api/v1/authorizations/{request.pk}/deny/",
            {"reason": "no_pof", "explanation": "No POF applies."},
        )
        assert (denial.status_code, time.perf_counter() - started < 2) == (200, True)
        notice = Notice.objects.get(request=request)
        assert notice.sha256 == ""

        redis_server.start()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[QUEUE], shutdown_timeout=30):
            outbox_deliver()
            deadline = time.monotonic() + 30
            while not Notice.objects.filter(pk=notice.pk, sha256__gt="").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
    assert bytes(Notice.objects.get(pk=notice.pk).pdf).startswith(b"%PDF")
