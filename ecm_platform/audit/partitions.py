"""The PHI access log on PostgreSQL: monthly partitions, made ahead, and six years' retention.

- `audit_phiaccess` (the read events) and `audit_phiaccessmember` (who saw member X, filled by the
  `MEMBERS_FILL` trigger) are `PARTITION BY RANGE (at)`: one partition per calendar month in UTC
  (`audit_phiaccess_p2026_12`) and a DEFAULT partition (`audit_phiaccess_default`), so an insert
  never fails if the job has not run. Django sees `id` as the events' primary key; the table's is
  `(id, at)`, since a partitioned table's unique keys must hold the partition key.
- Making or dropping a partition takes the tables' owner, and the application role (web, worker,
  beat) owns nothing (docker/postgres-init.sql). So the owner's migration installs two SECURITY
  DEFINER functions (`functions_install`, `ecm_platform.db.owner_function_install`) that the
  application role calls, and makes the next twelve months:
  - `ENSURE_FUNCTION` makes the months asked for (`partitions_ensure`: celery beat, daily, this
    month and the next `MONTHS_AHEAD`, and `manage.py audit_partitions`). A month whose rows already
    landed in the DEFAULT partition (the job had not run) cannot simply be attached, and rows of
    the log are never deleted: DEFAULT is detached, its rows copied into the new months and a new
    DEFAULT, counted, and the old DEFAULT dropped. Every earlier month DEFAULT holds rows of gets
    its partition the same way, so DEFAULT only ever holds months beyond the horizon and retention
    reaches every row. It reads every plan's rows (the bypass is a setting of the function).
  - Every partition carries the parent's walls: the UPDATE/DELETE row triggers PostgreSQL clones to
    each partition, plus the TRUNCATE trigger and row-level security, which are not inherited (a
    statement naming a partition directly is checked against that partition's own policies and
    triggers); the function copies them from the parent onto each partition that lacks them, and
    the parent's are the ones `row_security_apply` keeps after every migrate.
- Retention: six years (HIPAA, 45 CFR 164.316(b)(2)(i)), counted in whole months. The daily
  `phi-access-retention` job and `manage.py audit_partitions --retention [--dry-run]` detach and
  drop every month partition that ended before the cutoff, recording in each plan which had rows in
  it an audit event naming the partition and its count; rows are never DELETEd. `DROP_FUNCTION`
  refuses a month inside the retention (by the database's clock), whoever calls it.

SQLite (the quick start) has plain tables and none of this, but the same fill trigger
(`MEMBERS_FILL`): the commands say so and do nothing. A later migration that remakes
`audit_phiaccess` on SQLite (Django copies the table) must install the trigger again; the tests of
the log fail without it.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date

from django.db import connection, transaction
from pgtrigger import compiler

from ecm_platform import clocks, db
from ecm_platform.tenancy.row_security import BYPASS_SETTING

TABLE = "audit_phiaccess"
MEMBER_TABLE = "audit_phiaccessmember"
TABLES = (TABLE, MEMBER_TABLE)
MONTHS_AHEAD = 3
MONTHS_AHEAD_AT_MIGRATE = 12
RETENTION_YEARS = 6
ENSURE_FUNCTION = "audit_phiaccess_months_ensure"
DROP_FUNCTION = "audit_phiaccess_month_drop"

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

_TABLES_ARRAY = "ARRAY[{}]".format(", ".join(f"'{table}'" for table in TABLES))
_MONTH_START = "(%s::timestamp AT TIME ZONE 'UTC')"  # a month's first instant in UTC

# The months of `parent` from `first_month` to `last_month`, and every earlier one DEFAULT holds
# rows of, each with the rows it took from DEFAULT; then the parent's walls on every partition.
ENSURE_BODY = f"""
DECLARE
    default_table text := parent || '_default';
    old_default text := parent || '_default_old';
    held date[];
    month date;
    month_table text;
    low timestamptz;
    high timestamptz;
    copied bigint := 0;
    total bigint;
    part record;
    wall_policy record;
    truncate_trigger record;
    bypass_before text := current_setting('{BYPASS_SETTING}', true);
BEGIN
    -- The copy out of DEFAULT must see every plan's rows (a function's own SET of a custom setting
    -- takes a superuser): set for this transaction, restored at the end.
    PERFORM set_config('{BYPASS_SETTING}', 'on', true);
    IF parent <> ALL ({_TABLES_ARRAY}) THEN
        RAISE EXCEPTION 'not a partitioned table of the PHI access log: %', parent;
    END IF;
    EXECUTE format(
        'SELECT coalesce(array_agg(DISTINCT date_trunc(''month'', at AT TIME ZONE ''UTC'')::date), ARRAY[]::date[]) '
        'FROM %I WHERE at < $1', default_table
    ) INTO held USING {_MONTH_START % "(last_month + interval '1 month')"};
    FOR month IN
        SELECT m::date FROM generate_series(first_month, last_month, interval '1 month') AS m
        EXCEPT SELECT unnest(held) ORDER BY 1
    LOOP
        month_table := format('%s_p%s', parent, to_char(month, 'YYYY_MM'));
        CONTINUE WHEN to_regclass(month_table) IS NOT NULL;
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', month_table, parent,
            {_MONTH_START % "month"}, {_MONTH_START % "(month + interval '1 month')"}
        );
        created := month_table;
        rows_moved := 0;
        RETURN NEXT;
    END LOOP;
    IF cardinality(held) > 0 THEN
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, default_table);
        EXECUTE format('ALTER TABLE %I RENAME TO %I', default_table, old_default);
        FOREACH month IN ARRAY held LOOP
            month_table := format('%s_p%s', parent, to_char(month, 'YYYY_MM'));
            low := {_MONTH_START % "month"};
            high := {_MONTH_START % "(month + interval '1 month')"};
            -- A table of its own until attached: no trigger fires for the copy (the events' fill
            -- trigger would write their member rows twice).
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', month_table, parent);
            EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE at >= $1 AND at < $2', month_table, old_default)
                USING low, high;
            GET DIAGNOSTICS rows_moved = ROW_COUNT;
            EXECUTE format(
                'ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, month_table, low, high
            );
            copied := copied + rows_moved;
            created := month_table;
            RETURN NEXT;
        END LOOP;
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', default_table, parent);
        EXECUTE format(
            'INSERT INTO %I SELECT * FROM %I WHERE date_trunc(''month'', at AT TIME ZONE ''UTC'')::date <> ALL ($1)',
            default_table, old_default
        ) USING held;
        GET DIAGNOSTICS total = ROW_COUNT;
        copied := copied + total;
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I DEFAULT', parent, default_table);
        EXECUTE format('SELECT count(*) FROM %I', old_default) INTO total;
        IF total <> copied THEN  -- never drop a row that was not copied
            RAISE EXCEPTION '% holds % rows, % were copied', old_default, total, copied;
        END IF;
        EXECUTE format('DROP TABLE %I', old_default);
    END IF;
    FOR part IN
        SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity, p.relrowsecurity AS parent_enabled,
               p.relforcerowsecurity AS parent_forced
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE i.inhparent = parent::regclass
    LOOP
        IF part.parent_enabled AND NOT part.relrowsecurity THEN
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part.relname);
        END IF;
        IF part.parent_forced AND NOT part.relforcerowsecurity THEN
            EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part.relname);
        END IF;
        FOR wall_policy IN
            SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = part.relname
            EXCEPT SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = parent
        LOOP
            EXECUTE format('DROP POLICY %I ON %I', wall_policy.policyname, part.relname);
        END LOOP;
        FOR wall_policy IN
            SELECT * FROM pg_policies p WHERE p.schemaname = current_schema() AND p.tablename = parent
            AND NOT EXISTS (
                SELECT 1 FROM pg_policies x
                WHERE x.schemaname = current_schema() AND x.tablename = part.relname AND x.policyname = p.policyname
            )
        LOOP
            EXECUTE format(
                'CREATE POLICY %I ON %I AS %s FOR %s TO %s', wall_policy.policyname, part.relname, wall_policy.permissive,
                wall_policy.cmd, (SELECT string_agg(CASE WHEN r = 'public' THEN 'public' ELSE quote_ident(r) END, ', ')
                             FROM unnest(wall_policy.roles) AS r)
            ) || CASE WHEN wall_policy.qual IS NULL THEN '' ELSE format(' USING (%s)', wall_policy.qual) END
              || CASE WHEN wall_policy.with_check IS NULL THEN '' ELSE format(' WITH CHECK (%s)', wall_policy.with_check) END;
        END LOOP;
        -- Statement triggers are not cloned to partitions: the parent's BEFORE TRUNCATE ones (tgtype 34).
        FOR truncate_trigger IN
            SELECT t.tgname, t.tgfoid::regproc AS function FROM pg_trigger t
            WHERE t.tgrelid = parent::regclass AND NOT t.tgisinternal AND t.tgtype = 34
            AND NOT EXISTS (SELECT 1 FROM pg_trigger x WHERE x.tgrelid = part.oid AND x.tgname = t.tgname)
        LOOP
            EXECUTE format(
                'CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                truncate_trigger.tgname, part.relname, truncate_trigger.function
            );
        END LOOP;
    END LOOP;
    PERFORM set_config('{BYPASS_SETTING}', coalesce(bypass_before, ''), true);
END
"""  # noqa: S608 - the constants above, no values

# Detach and drop one whole month of both tables, only if it ended before the retention's cutoff.
DROP_BODY = f"""
DECLARE
    cutoff date := (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '{RETENTION_YEARS} years')::date;
    parent text;
    month_table text;
BEGIN
    IF month >= cutoff OR month <> date_trunc('month', month)::date THEN
        RAISE EXCEPTION 'the PHI access log keeps every month from %: % is not a month before it', cutoff, month;
    END IF;
    FOREACH parent IN ARRAY {_TABLES_ARRAY} LOOP
        month_table := format('%s_p%s', parent, to_char(month, 'YYYY_MM'));
        IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(month_table) AND inhparent = parent::regclass)
        THEN
            EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, month_table);
            EXECUTE format('DROP TABLE %I', month_table);
            RETURN NEXT month_table;
        END IF;
    END LOOP;
END
"""  # noqa: S608 - the constants above, no values


def functions_install(cursor) -> None:
    """Install the owner's functions that make and drop the log's months (PostgreSQL): a migration
    runs this, as the tables' owner."""
    db.owner_function_install(
        cursor,
        signature=f"{ENSURE_FUNCTION}(parent text, first_month date, last_month date)",
        returns="TABLE (created text, rows_moved bigint)",
        body=ENSURE_BODY,
    )
    db.owner_function_install(cursor, signature=f"{DROP_FUNCTION}(month date)", returns="SETOF text", body=DROP_BODY)


def default_partition(table: str) -> str:
    return f"{table}_default"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date, table: str = TABLE) -> str:
    return f"{table}_p{month:%Y_%m}"


def _this_month(today: date | None) -> date:
    today = today or clocks.now().astimezone(UTC).date()
    return today.replace(day=1)


def compiled_triggers(model) -> list[compiler.Trigger]:
    """The model's append-only triggers, compiled (a migration's historical model holds them so)."""
    return [t if isinstance(t, compiler.Trigger) else t.compile(model) for t in model._meta.triggers]


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


@dataclass
class Ensured:
    created: list[str]
    moved_from_default: dict[str, int]  # of those, the months whose rows were in DEFAULT: rows moved


def partitions_ensure(models, *, first: date | None = None, ahead: int = MONTHS_AHEAD, today=None) -> Ensured:
    """Create the month partitions of the models' tables from `first` (default: this month) to
    `ahead` months on, and any earlier month the DEFAULT partition holds rows of, with the walls on
    every partition (ENSURE_FUNCTION). Idempotent; both tables in one transaction; any role the
    deployment grants the function to."""
    result = Ensured(created=[], moved_from_default={})
    if connection.vendor != "postgresql":
        return result
    this_month = _this_month(today)
    first, last = (first or this_month).replace(day=1), add_months(this_month, ahead)
    with transaction.atomic(), connection.cursor() as cursor:
        # DETACH refuses a table with deferred foreign-key checks still pending in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models:
            cursor.execute(
                f"SELECT created, rows_moved FROM {ENSURE_FUNCTION}(%s, %s, %s)",  # noqa: S608 - a constant
                [model._meta.db_table, first, last],
            )
            for name, moved in cursor.fetchall():
                result.created.append(name)
                if moved:
                    result.moved_from_default[name] = moved
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
    """Detach, then drop, one whole month of both tables (never DELETE; DROP_FUNCTION)."""
    with connection.cursor() as cursor:
        # A table with deferred foreign-key checks still pending in this transaction cannot drop.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SELECT {DROP_FUNCTION}(%s)", [month])


def partitions_of(cursor, table: str) -> list[str]:
    """The partitions of `table` (none for a plain table), e.g. for the test suite's flush."""
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
    if cursor.fetchone()[0] != "p":
        return []
    cursor.execute(PARTITIONS_SQL, [table])
    return [name for (name,) in cursor.fetchall()]
