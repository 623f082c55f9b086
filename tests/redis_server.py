"""A throwaway Redis for tests of background work when the broker goes away and comes back."""

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from benchmarks import common
from ecm_platform.celery import app as celery_app

# The queue the app publishes to by default: on a Redis of the test's own, no other worker reads it.
QUEUE = celery_app.conf.task_default_queue


# Each pytest-xdist worker takes ports from a range of its own, below the kernel's ephemeral ports
# (32768 and up, which bind(0) and outgoing connections take): a port a test's server gives up while
# it is stopped, or one a test keeps silent, is never handed to another worker's server meanwhile.
WORKER_NUMBER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
PORTS = itertools.count(20000 + 200 * WORKER_NUMBER)


def free_port() -> int:
    return common.free_port(PORTS)


@contextmanager
def broker_at(port: int):
    """The Celery app publishes to Redis on `port` (nothing need listen there), non-eagerly."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reconnect():
        celery_app._pool = None  # the producer pool keeps the broker it was made for
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    reconnect()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        reconnect()


class RedisServer:
    """A throwaway redis-server on a fixed port, without persistence, that the test stops and starts."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> list[dict]:
        """The task messages waiting in the test's queue, decoded (kombu's Redis format)."""
        messages = []
        for raw in redis.Redis(port=self.port).lrange(QUEUE, 0, -1):
            envelope = json.loads(raw)
            _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            messages.append({"task": envelope["headers"]["task"], "kwargs": kwargs})
        return messages


def running_redis():
    """A fixture's body: each test module that needs it declares
    `pytest.fixture(running_redis, name="redis_server")`."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH (it is in CI)")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()
