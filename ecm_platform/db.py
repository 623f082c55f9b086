"""The seam for SQL that differs between PostgreSQL and SQLite (ARCHITECTURE.md, Stack).

Code that writes raw SQL asks this module for the vendor-specific fragments, so both databases run
the same queries and the differences stay in one tested place.
"""

from contextlib import contextmanager

from django.db import connection


def next_day(column: str) -> str:
    """The day after a DATE column."""
    if connection.vendor == "postgresql":
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


@contextmanager
def parallel_workers(count: int):
    """Let PostgreSQL use `count` parallel workers for the statements in the block (measured to
    help the scan's aggregate on this machine); a no-op elsewhere."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = %s", [count])
    yield
