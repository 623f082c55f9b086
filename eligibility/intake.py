"""Claims intake (DOMAIN 3.3 fields, DOMAIN 11): every row validated, every error of every row
reported in one pass with the true count, nothing applied when any row is bad, nothing stored
shortened, idempotent on the claim id, and a corrected claim (same id, new content) replaces the old
one."""

import itertools
import queue
import threading
from collections.abc import Iterable

import psycopg2.errors
from django.db import connection, transaction

from ecm_platform import db
from ecm_platform.audit.services import audit_record
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from eligibility.claim_rows import (
    COLUMNS,
    ERRORS_LISTED,
    REQUIRED,
    IntakeReport,
    RowError,
    repeated_claim,
    unknown_cin,
    validate_claims,
)
from eligibility.models import UtilizationEvent
from members.models import Member

# What callers of the intake use: the columns it reads and the report it gives.
__all__ = ["COLUMNS", "ERRORS_LISTED", "REQUEST_BYTES", "REQUEST_ROWS", "REQUIRED", "IntakeReport", "claims_load"]

# One request (the API, the upload page) carries at most this many rows in at most this many bytes:
# the largest valid 10,000 rows (every value at its longest) take 11.8 MB as JSON. load_claims takes
# a file of any size.
REQUEST_ROWS = 10_000
REQUEST_BYTES = 12 * 1024 * 1024
BATCH = 5000
STAGING_CHUNK_ROWS = 250_000  # PostgreSQL: rows a chunk, written while the next are validated (see CHUNK_SQL)
# PostgreSQL: a load that writes this many claims refreshes the table's statistics (measured: the
# scan over 369k never-analyzed events took 272-360 s, 1.9 s after ANALYZE), through the owner's
# function (migration 0009): ANALYZE takes the table's owner, and the application role owns nothing.
ANALYZE_AFTER_ROWS = 10_000
ANALYZE_FUNCTION = "eligibility_utilizationevent_analyze"
STORED_FIELDS = [
    "member_id", "event_type", "service_date", "discharge_date", "is_planned", "is_avoidable",
    "diagnosis_codes", "adjudicated_on",
]  # fmt: skip


def _stored(event: UtilizationEvent) -> tuple:
    return (event.claim_id, *(getattr(event, name) for name in STORED_FIELDS))


def _apply_portable(plan: HealthPlan, items: Iterable[tuple], report: IntakeReport) -> None:
    """Batches through the ORM (any database): each batch's CINs looked up in one query, repeated
    claim ids found in memory, new claims inserted and changed ones updated."""
    seen: dict[str, int] = {}
    items = iter(items)
    while batch := list(itertools.islice(items, BATCH)):
        cins = {item[3] for item in batch} - {None}
        members = dict(Member.objects.filter(plan=plan, cin__in=cins).values_list("cin", "id"))
        found, newly_bad, good = [], 0, []
        for number, line, claim_id, cin, row in batch:
            errors = []
            if claim_id is not None and seen.setdefault(claim_id, number) != number:
                errors.append(RowError(number, "claim_id", repeated_claim(claim_id, seen[claim_id]), line=line))
            if cin is not None and cin not in members:
                errors.append(RowError(number, "cin", unknown_cin(cin), line=line))
            found += errors
            newly_bad += bool(errors) and row is not None
            if row is not None and not errors:
                good.append((row[0], members[cin], *row[2:]))
        report.add_found(found, len(found), newly_bad)
        _apply_batch(plan, good, report)


def _apply_batch(plan, batch: list[tuple], report: IntakeReport) -> None:
    if not batch or report.error_count:
        return  # a bad row anywhere means nothing is applied: stop writing, keep validating
    existing = {
        event.claim_id: event
        for event in UtilizationEvent.objects.filter(plan=plan, claim_id__in=[row[0] for row in batch])
    }
    new, changed = [], []
    for row in batch:
        current = existing.get(row[0])
        if current is not None and _stored(current) == row:
            continue
        event = UtilizationEvent(plan=plan, claim_id=row[0], **dict(zip(STORED_FIELDS, row[1:], strict=True)))
        if current is None:
            new.append(event)
        else:
            event.pk = current.pk
            changed.append(event)
    UtilizationEvent.objects.bulk_create(new, batch_size=BATCH)
    UtilizationEvent.objects.bulk_update(changed, STORED_FIELDS, batch_size=BATCH)
    report.inserted += len(new)
    report.replaced += len(changed)
    report.unchanged += len(batch) - len(new) - len(changed)


STAGING_COLUMNS = ["row_number", "line", "valid", "claim_id", "cin", *STORED_FIELDS[1:]]
NULL = "\\N"
BAD_ROW_TAIL = "\t".join([NULL] * (len(STORED_FIELDS) - 1)) + "\n"


def _staging_line(item: tuple) -> str:
    """A row as a line of COPY text, formatted in one step: every text value passed a pattern that
    admits no tab, newline or backslash (claim id, CIN, event type, ICD-10 codes), so none needs
    escaping. One million rows: about 1 s, against 8 s through the generic formatter."""
    number, line, claim_id, cin, row = item
    head = f"{number}\t{NULL if line is None else line}\t"
    if row is None:
        return f"{head}f\t{claim_id or NULL}\t{cin or NULL}\t{BAD_ROW_TAIL}"
    _, _, event_type, service_date, discharge_date, is_planned, is_avoidable, codes, adjudicated = row
    discharge = discharge_date if discharge_date is not None else NULL
    return (
        f"{head}t\t{claim_id}\t{cin}\t{event_type}\t{service_date}\t{discharge}\t{is_planned}\t{is_avoidable}\t"
        f"{codes}\t{adjudicated}\n"
    )


STAGING_SQL = [
    # Dropped first: inside an outer transaction, ON COMMIT DROP waits for the outermost commit.
    "DROP TABLE IF EXISTS claims_chunk, claims_seen",
    "CREATE TEMP TABLE claims_chunk (row_number integer, line integer, valid boolean, claim_id text, cin text, "
    "event_type text, service_date date, discharge_date date, is_planned boolean, is_avoidable boolean, "
    "diagnosis_codes text, adjudicated_on date) ON COMMIT DROP",
    # Every row of the file in a few bytes: what the checks across chunks need.
    "CREATE TEMP TABLE claims_seen (row_number integer, line integer, valid boolean, claim_id text, cin text, "
    "unknown boolean) ON COMMIT DROP",
]
# Repeated claim ids and unknown CINs across the file: the first rows in order, and how many in all.
FOUND_SQL = """
WITH repeated AS (
    SELECT claim_id, MIN(row_number) AS first_row FROM claims_seen
    WHERE claim_id IS NOT NULL GROUP BY claim_id HAVING COUNT(*) > 1
), found AS (
    SELECT s.row_number, s.line, s.valid, s.claim_id, s.cin, r.first_row, s.unknown
    FROM claims_seen s LEFT JOIN repeated r ON r.claim_id = s.claim_id AND s.row_number > r.first_row
)
SELECT row_number, line, claim_id, cin, first_row, unknown,
       COUNT(first_row) OVER () + COUNT(*) FILTER (WHERE unknown) OVER (),
       COUNT(*) FILTER (WHERE valid) OVER ()
FROM found WHERE first_row IS NOT NULL OR unknown
ORDER BY row_number LIMIT %(listed)s
"""
# One statement a chunk, each CIN looked up once by the (plan, cin) index: every row noted in
# claims_seen (for the checks across chunks), and, while no row is bad (`write`), the chunk's claims
# upserted. Returns the chunk's unknown CINs, inserted and replaced claims.
CHUNK_SQL = """
WITH resolved AS MATERIALIZED (
    SELECT s.*, m.id AS member_id FROM claims_chunk s
    LEFT JOIN members_member m ON m.plan_id = %(plan)s AND m.cin = s.cin
), seen AS (
    INSERT INTO claims_seen
    SELECT row_number, line, valid, claim_id, cin, cin IS NOT NULL AND member_id IS NULL FROM resolved
    RETURNING unknown
), upserted AS (
    INSERT INTO {table} (plan_id, {columns})
    SELECT %(plan)s, {columns} FROM resolved
    WHERE %(write)s AND valid AND member_id IS NOT NULL
    -- In index order: the member index is the one a random file would scatter (measured: a fifth faster).
    ORDER BY member_id, service_date
    ON CONFLICT (plan_id, claim_id) DO UPDATE SET {assignments}
    WHERE ({current}) IS DISTINCT FROM ({incoming})
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT COUNT(*) FILTER (WHERE unknown) FROM seen),
       (SELECT COUNT(*) FILTER (WHERE inserted) FROM upserted),
       (SELECT COUNT(*) FILTER (WHERE NOT inserted) FROM upserted)
"""


def _chunk_sql() -> str:
    table = UtilizationEvent._meta.db_table
    return CHUNK_SQL.format(
        table=table,
        columns=", ".join(["claim_id", *STORED_FIELDS]),
        assignments=", ".join(f"{name} = EXCLUDED.{name}" for name in STORED_FIELDS),
        current=", ".join(f"{table}.{name}" for name in STORED_FIELDS),
        incoming=", ".join(f"EXCLUDED.{name}" for name in STORED_FIELDS),
    )


def _write_chunk(cursor, sql: str, params: dict, *, write: bool) -> tuple[int, int, int]:
    """CHUNK_SQL on the staged chunk. A claim id twice in the chunk makes the upsert touch a row
    twice, which PostgreSQL refuses: the chunk is then only noted (the repeat is reported at the end)."""
    if not write:
        cursor.execute(sql, {**params, "write": False})
        return cursor.fetchone()
    cursor.execute("SAVEPOINT claims_chunk")
    try:
        cursor.execute(sql, {**params, "write": True})
    except psycopg2.errors.CardinalityViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT claims_chunk")
        return _write_chunk(cursor, sql, params, write=False)
    counts = cursor.fetchone()
    cursor.execute("RELEASE SAVEPOINT claims_chunk")
    return counts


def _apply_postgresql(plan: HealthPlan, items: Iterable[tuple], report: IntakeReport) -> None:
    """A chunk at a time, on a second thread over the same connection and transaction (so the
    database takes one chunk while this thread validates the next): COPY it into a temporary table,
    note its rows and unknown CINs, and upsert its claims, members resolved by a join. Repeated
    claim ids are found across the file at the end; once any row is bad nothing more is written
    (the caller rolls back) but every row is still checked. Memory stays flat: no CIN map, no set
    of claim ids."""
    with connection.cursor() as cursor:
        for sql in STAGING_SQL:
            cursor.execute(sql)
    chunk_sql, params = _chunk_sql(), {"plan": plan.pk, "listed": ERRORS_LISTED}
    chunks: queue.Queue = queue.Queue(maxsize=1)  # one chunk waits while one is written
    failures: list[BaseException] = []
    unknown = [0]

    def write(raw_connection) -> None:
        with raw_connection.cursor() as cursor:
            while (chunk := chunks.get()) is not None:
                if failures:
                    continue
                try:
                    db.copy_chunk(cursor, "claims_chunk", STAGING_COLUMNS, chunk)
                    chunk_unknown, inserted, replaced = _write_chunk(
                        cursor, chunk_sql, params, write=not (report.error_count or unknown[0])
                    )
                    unknown[0] += chunk_unknown
                    report.inserted += inserted
                    report.replaced += replaced
                    cursor.execute("TRUNCATE claims_chunk")
                except Exception as error:  # handed to the validating thread, which raises it
                    failures.append(error)

    writer = threading.Thread(target=write, args=(connection.connection,), name="claims-writer")
    writer.start()
    try:
        for chunk in db.copy_chunks(items, size=STAGING_CHUNK_ROWS, line=_staging_line):
            chunks.put(chunk)
    finally:
        chunks.put(None)
        writer.join()
    if failures:
        raise failures[0]
    with connection.cursor() as cursor:
        cursor.execute(FOUND_SQL, params)
        found = cursor.fetchall()
        if found:
            errors = []
            for number, line, claim_id, cin, first_row, is_unknown, *_ in found:
                if first_row is not None:
                    errors.append(RowError(number, "claim_id", repeated_claim(claim_id, first_row), line=line))
                if is_unknown:
                    errors.append(RowError(number, "cin", unknown_cin(cin), line=line))
            report.add_found(errors, found[0][6], found[0][7])
        if report.error_count:
            return
        report.unchanged = report.rows - report.inserted - report.replaced
        if report.inserted + report.replaced >= ANALYZE_AFTER_ROWS:
            cursor.execute(f"SELECT {ANALYZE_FUNCTION}()")


@transaction.atomic
def claims_load(*, plan: HealthPlan, rows: Iterable, actor, source: str) -> IntakeReport:
    """Validate every row, then apply all of them in one transaction, or none. Rows are mappings of
    the COLUMNS (JSON objects, or `ecm_platform.csv_reader` rows); a value of the wrong type is one
    more row error, reported with the rest."""
    require(actor, Capability.UTILIZATION_FEED, plan=plan)
    items, report = validate_claims(rows)
    apply = _apply_postgresql if connection.vendor == "postgresql" else _apply_portable
    apply(plan, items, report)
    if report.error_count:
        transaction.set_rollback(True)
        report.inserted = report.replaced = report.unchanged = 0
        return report
    audit_record(
        code="eligibility.claims.loaded",
        plan=plan,
        actor=actor,
        payload={
            "source": source,
            "rows": report.rows,
            "inserted": report.inserted,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
        },
    )
    return report
