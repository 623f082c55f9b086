"""Writing a file's encounters at once (DOMAIN 11: a 100,000-line invoice in seconds). On
PostgreSQL the rows are copied into a temporary table and inserted from it in one statement: COPY
is not allowed into a table under row-level security, and an INSERT ... SELECT is checked by the
policy like any other write. Elsewhere (SQLite) they are bulk-created in batches."""

import json

from django.db import connection

from ecm_platform import db
from encounters.models import Encounter

BATCH = 2000
STAGING = "encounter_staging"
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(row: tuple) -> str:
    """db.copy_line, inlined: a file's 100,000 rows of 27 values are formatted here."""
    return "\t".join("\\N" if v is None else v.translate(ESCAPES) if v.__class__ is str else str(v) for v in row) + "\n"


def encounters_insert(rows: list[dict]) -> None:
    """Insert encounters given as {attname: value} (a file's lines: no model instance per line)."""
    if connection.vendor != "postgresql":
        Encounter.objects.bulk_create([Encounter(**row) for row in rows], batch_size=BATCH)
        return
    fields = [field for field in Encounter._meta.concrete_fields if not field.primary_key]
    names = [field.column for field in fields]
    json_fields = {field.attname for field in fields if field.get_internal_type() == "JSONField"}
    attnames = [field.attname for field in fields]
    columns = ", ".join(connection.ops.quote_name(column) for column in names)
    table = connection.ops.quote_name(Encounter._meta.db_table)
    values = (tuple(json.dumps(row[a]) if a in json_fields else row[a] for a in attnames) for row in rows)
    with connection.cursor() as cursor:
        # Dropped first: inside an outer transaction, ON COMMIT DROP waits for the outermost commit.
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
        for chunk in db.copy_chunks(values, line=_copy_line):
            db.copy_chunk(cursor, STAGING, names, chunk)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING}")  # noqa: S608
        cursor.execute(f"DROP TABLE {STAGING}")
