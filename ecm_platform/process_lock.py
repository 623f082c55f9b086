"""A job's "running" marker that dies with its process (ARCHITECTURE "Beyond one machine": locks
live in the database, not in memory).

On PostgreSQL the marker is a session-level advisory lock the job's own database session holds
while it runs: a process that ends in any way (`kill -9` included) closes its session, the server
releases the lock, and the job is visibly no longer running, at once, with no timeout to wait for.
Checks read `pg_locks`, so they never take the lock themselves.

SQLite has no session locks: there the marker is the `host:pid` the job records (`runner_id`), and
the job counts as running while that process lives. A process of another host cannot be checked
and counts as running (the embedded default runs on one machine).

Known limits: a session lock needs the job's own server session for the whole run, so a
transaction-pooling proxy (PgBouncer in transaction mode) between the job and PostgreSQL breaks it;
connect directly or in session mode. A job on a host that vanished without closing its connection
counts as running until the server notices (TCP keepalive).
"""

import os
import socket
import time
import zlib
from contextlib import contextmanager

from django.db import connection

HELD_SQL = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::bigint = %s AND objid::bigint = %s
)
"""


def _keys(name: str, number: int) -> tuple[int, int]:
    """The advisory lock's two int4 keys: the job's name (hashed) and, e.g., the plan id."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF, number


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def held(name: str, number: int, *, wait_seconds: float = 0):
    """Hold the lock (`name`, `number`) for the block if it can be taken within `wait_seconds`;
    yields whether it was (always True on SQLite, where the marker is the recorded process)."""
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _keys(name, number))
            taken = cursor.fetchone()[0]
            if taken or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _keys(name, number))


def _process_alive(runner: str) -> bool:
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def is_running(name: str, number: int, runner: str) -> bool:
    """Whether the job that took (`name`, `number`), recorded as `runner`, is still alive."""
    if connection.vendor != "postgresql":
        return _process_alive(runner)
    with connection.cursor() as cursor:
        cursor.execute(HELD_SQL, _keys(name, number))
        return cursor.fetchone()[0]
