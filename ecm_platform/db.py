"""The seam for SQL that differs between PostgreSQL and SQLite (ARCHITECTURE.md, Stack).

Code that writes raw SQL asks this module for the vendor-specific fragments, so both databases run
the same queries and the differences stay in one tested place.
"""

import io
import itertools
from contextlib import contextmanager

from django.db import connection


def next_day(column: str) -> str:
    """The day after a DATE column."""
    if connection.vendor == "postgresql":
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


@contextmanager
def analytic_query(parallel_workers: int = 2):
    """Settings for one large set-based statement in the current transaction (PostgreSQL; a no-op
    elsewhere): two parallel workers (measured to help the scan's aggregate here) and no JIT
    (compiling cost a quarter of a second on a statement that runs in three)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = %s", [parallel_workers])
        cursor.execute("SET LOCAL jit = off")
    yield


COPY_CHUNK_ROWS = 50_000


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)


def copy_line(row) -> str:
    """A tuple as one line of COPY text."""
    return "\t".join(map(_copy_text, row)) + "\n"


def copy_chunks(rows, size: int = COPY_CHUNK_ROWS, line=copy_line):
    """Tuples as COPY text in UTF-8, `size` rows to a chunk, every row consumed. Memory stays
    bounded: each line is encoded as it is made (a chunk of text lines or a StringIO would take two
    to four times the bytes). `line` may be a faster formatter for rows whose values are known to
    need no escaping."""
    rows = iter(rows)
    while True:
        buffer = bytearray()
        for row in itertools.islice(rows, size):
            buffer += line(row).encode()
        if not buffer:
            return
        chunk = io.BytesIO(buffer)
        del buffer
        yield chunk


def copy_chunk(cursor, table: str, columns: list[str], chunk: io.BytesIO) -> None:
    """COPY one chunk of `copy_chunks` into a PostgreSQL table (`cursor` is a psycopg2 cursor)."""
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", chunk)


def json_type() -> str:
    return "jsonb" if connection.vendor == "postgresql" else "text"


def json_object(*pairs: tuple[str, str]) -> str:
    """A JSON object from (key, SQL expression) pairs."""
    arguments = ", ".join(f"'{key}', {expression}" for key, expression in pairs)
    return f"jsonb_build_object({arguments})" if connection.vendor == "postgresql" else f"json_object({arguments})"


def json_array(*expressions: str) -> str:
    arguments = ", ".join(expressions)
    return f"jsonb_build_array({arguments})" if connection.vendor == "postgresql" else f"json_array({arguments})"


def json_array_agg(expression: str, order_by: str) -> str:
    """Aggregate JSON values into an array in `order_by` order. (SQLite before 3.44 cannot order
    inside an aggregate: feed it rows already in that order.)"""
    if connection.vendor == "postgresql":
        return f"jsonb_agg({expression} ORDER BY {order_by})"
    return f"json_group_array(json({expression}))"


def as_json(expression: str) -> str:
    """JSON text from a subquery, as JSON again (SQLite loses the JSON subtype across subqueries)."""
    return expression if connection.vendor == "postgresql" else f"json({expression})"


def owner_function_install(cursor, *, signature: str, returns: str, body: str) -> None:
    """Create or replace a PL/pgSQL function that runs as its owner (SECURITY DEFINER), for work only
    a table's owner may do (DDL, ANALYZE) that the application role, which owns nothing, still needs
    done. Run it as the owner: from a migration. Its search_path is pinned to this schema, then
    pg_temp, so a caller's own objects are never found first; PUBLIC loses EXECUTE, which the
    deployment's default privileges give the application role (docker/postgres-init.sql)."""
    cursor.execute("SELECT current_schema()")
    (schema,) = cursor.fetchone()
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns} LANGUAGE plpgsql SECURITY DEFINER "
        f'SET search_path = "{schema}", pg_temp AS $body${body}$body$'
    )
    cursor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
