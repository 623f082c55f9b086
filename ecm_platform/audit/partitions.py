"""The PHI access log on PostgreSQL: monthly partitions, made ahead, and six years' retention.

- `audit_phiaccess` (the read events) and `audit_phiaccessmember` (who saw member X, filled by the
  `MEMBERS_FILL` trigger) are `PARTITION BY RANGE (at)`: one partition per calendar month in UTC
  (`audit_phiaccess_p2026_12`) and a DEFAULT partition (`audit_phiaccess_default`), so an insert
  never fails if the job has not run. Django sees `id` as the events' primary key; the table's is
  `(id, at)`, since a partitioned table's unique keys must hold the partition key.
- `partitions_ensure` makes this month and the next `MONTHS_AHEAD` of both (celery beat, daily, and
  `manage.py audit_partitions`). A month whose rows already landed in the DEFAULT partition is
  reported and left there (attaching it would fail); its rows stay readable through the parent.
- Every partition carries the parent's walls: the UPDATE/DELETE row triggers PostgreSQL clones to
  each partition, plus the TRUNCATE trigger and row-level security, which are not inherited (a
  statement naming a partition directly is checked against that partition's own policies and
  triggers), added here for each one.
- Retention: six years (HIPAA, 45 CFR 164.316(b)(2)(i)), counted in whole months. The audited
  `manage.py audit_partitions --retention [--dry-run]` detaches and drops every month partition
  that ended before the cutoff, recording in each plan which had rows in it an audit event naming
  the partition and its count; rows are never DELETEd. Detaching and dropping take the tables'
  owner: the deployment runs it as the migration role, not the application role.

SQLite (the quick start) has plain tables and none of this, but the same fill trigger
(`MEMBERS_FILL`): the commands say so and do nothing. A later migration that remakes
`audit_phiaccess` on SQLite (Django copies the table) must install the trigger again; the tests of
the log fail without it.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection
from pgtrigger import compiler

from ecm_platform import clocks
from ecm_platform.tenancy.row_security import row_security_wall
from ecm_platform.tenancy.scoping import across_plans

TABLE = "audit_phiaccess"
MEMBER_TABLE = "audit_phiaccessmember"
TABLES = (TABLE, MEMBER_TABLE)
MONTHS_AHEAD = 3
RETENTION_YEARS = 6

PARTITIONS_SQL = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = %s::regclass ORDER BY c.relname
"""

# Each member a read event names, as a row of the member table, in the insert's own statement.
MEMBERS_FILL = {
    "postgresql": [
        """
        CREATE FUNCTION audit_phiaccess_members_fill() RETURNS trigger AS $$
        BEGIN
            INSERT INTO audit_phiaccessmember (plan_id, member_id, access_id, at)
            SELECT DISTINCT NEW.plan_id, member_id, NEW.id, NEW.at FROM unnest(NEW.member_ids) AS member_id;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER audit_phiaccess_members_fill AFTER INSERT ON audit_phiaccess FOR EACH ROW "
        "EXECUTE FUNCTION audit_phiaccess_members_fill()",
    ],
    "sqlite": [
        """
        CREATE TRIGGER audit_phiaccess_members_fill AFTER INSERT ON audit_phiaccess BEGIN
            INSERT INTO audit_phiaccessmember (plan_id, member_id, access_id, at)
            SELECT DISTINCT NEW.plan_id, value, NEW.id, NEW.at FROM json_each(NEW.member_ids);
        END
        """
    ],
}


def default_partition(table: str) -> str:
    return f"{table}_default"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date, table: str = TABLE) -> str:
    return f"{table}_p{month:%Y_%m}"


def _instant(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _this_month(today: date | None) -> date:
    today = today or clocks.now().astimezone(UTC).date()
    return today.replace(day=1)


def compiled_triggers(model) -> list[compiler.Trigger]:
    """The model's append-only triggers, compiled (a migration's historical model holds them so)."""
    return [t if isinstance(t, compiler.Trigger) else t.compile(model) for t in model._meta.triggers]


def _truncate_trigger(model) -> str:
    """The pgid of the model's TRUNCATE trigger, whose function the partitions' triggers call."""
    (trigger,) = [trigger for trigger in compiled_triggers(model) if trigger.name == "append_only_truncate"]
    return trigger.sql.kwargs["pgid"]


def _walls(cursor, model, tables: list[str]) -> None:
    pgid = _truncate_trigger(model)
    for table in tables:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s", [table, pgid])
        if cursor.fetchone() is None:
            cursor.execute(
                f'CREATE TRIGGER {pgid} BEFORE TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE PROCEDURE {pgid}()'
            )
    row_security_wall(cursor, tables)


def create_partitioned_table(schema_editor, model) -> None:
    """Create the model's table as a partitioned parent (the migration's PostgreSQL path): the
    columns, foreign keys and indexes Django would make, a key that holds `at`, and the DEFAULT
    partition. The append-only triggers are installed by the caller."""
    table = model._meta.db_table
    sql, params = schema_editor.table_sql(model)
    assert sql.endswith(")"), sql  # noqa: S101 - Django's CREATE TABLE shape
    if model._meta.pk.name == "id":  # the events: Django's key is `id`, the table's (id, at)
        sql = f'{sql.replace(" PRIMARY KEY", "", 1)[:-1]}, PRIMARY KEY ("id", "at"))'
    schema_editor.execute(f'{sql} PARTITION BY RANGE ("at")', params or None)
    schema_editor.deferred_sql.extend(schema_editor._model_indexes_sql(model))
    schema_editor.execute(f'CREATE TABLE "{default_partition(table)}" PARTITION OF "{table}" DEFAULT')


def _month_holds_default_rows(cursor, table: str, month: date) -> bool:
    cursor.execute(
        f'SELECT EXISTS (SELECT 1 FROM "{default_partition(table)}" WHERE at >= %s AND at < %s)',  # noqa: S608
        [_instant(month), _instant(add_months(month, 1))],
    )
    return cursor.fetchone()[0]


@dataclass
class Ensured:
    created: list[str]
    stuck_in_default: list[str]  # months whose rows are in the DEFAULT partition


def partitions_ensure(models, *, first: date | None = None, ahead: int = MONTHS_AHEAD, today=None) -> Ensured:
    """Create the month partitions of the models' tables from `first` (default: this month) to
    `ahead` months on, and make sure every partition has its walls. Idempotent; an operator's job,
    across plans."""
    result = Ensured(created=[], stuck_in_default=[])
    if connection.vendor != "postgresql":
        return result
    this_month = _this_month(today)
    last = add_months(this_month, ahead)
    # Whether a month's rows are in the DEFAULT partition is a question about every plan's rows.
    with across_plans(reason="the PHI access log's partitions serve every plan"), connection.cursor() as cursor:
        for model in models:
            table, month = model._meta.db_table, (first or this_month).replace(day=1)
            existing = set(partitions_of(cursor, table))
            while month <= last:
                name = partition_name(month, table)
                if name not in existing:
                    if _month_holds_default_rows(cursor, table, month):
                        result.stuck_in_default.append(name)
                    else:
                        cursor.execute(
                            f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
                            [_instant(month), _instant(add_months(month, 1))],
                        )
                        result.created.append(name)
                month = add_months(month, 1)
            _walls(cursor, model, [table, *partitions_of(cursor, table)])
    return result


@dataclass
class Expired:
    partition: str
    month: date
    rows_by_plan: dict[int, int]


def month_partitions(cursor, table: str = TABLE) -> list[tuple[str, date]]:
    pattern = re.compile(rf"^{table}_p(\d{{4}})_(\d{{2}})$")
    months = [(name, pattern.match(name)) for name in partitions_of(cursor, table)]
    return [(name, date(int(match[1]), int(match[2]), 1)) for name, match in months if match]


def retention_cutoff(today: date | None = None) -> date:
    """The first month kept: partitions of months before it are past six years."""
    return add_months(_this_month(today), -12 * RETENTION_YEARS)


def partitions_expired(*, today: date | None = None) -> list[Expired]:
    """The month partitions of the events wholly older than the retention, with their rows per
    plan (each drops with the member table's partition of the month). The caller holds the plans'
    bypass (`across_plans`): the counts cross plans."""
    if connection.vendor != "postgresql":
        return []
    cutoff = retention_cutoff(today)
    expired = []
    with connection.cursor() as cursor:
        for name, month in month_partitions(cursor):
            if month < cutoff:
                cursor.execute(f'SELECT plan_id, count(*) FROM "{name}" GROUP BY plan_id')  # noqa: S608
                expired.append(Expired(partition=name, month=month, rows_by_plan=dict(cursor.fetchall())))
    return expired


def month_drop(month: date) -> None:
    """Detach, then drop, one whole month of both tables (never DELETE)."""
    with connection.cursor() as cursor:
        # A table with deferred foreign-key checks still pending in this transaction cannot drop.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in TABLES:
            name = partition_name(month, table)
            if name in partitions_of(cursor, table):
                cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
                cursor.execute(f'DROP TABLE "{name}"')


def partitions_of(cursor, table: str) -> list[str]:
    """The partitions of `table` (none for a plain table), e.g. for the test suite's flush."""
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
    if cursor.fetchone()[0] != "p":
        return []
    cursor.execute(PARTITIONS_SQL, [table])
    return [name for (name,) in cursor.fetchall()]
