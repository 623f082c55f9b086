"""The audit trail and the PHI access log are append-only on every path (issue 13): the models, the
statement guard (SQLite and PostgreSQL) and, on PostgreSQL, triggers that hold for every role."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import DatabaseError, connection, transaction
from django.db.models.query import QuerySet
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.audit.models import (
    AppendOnlyError,
    AppendOnlyModel,
    AuditEvent,
    PhiAccess,
    PhiAccessMember,
    PhiPurpose,
)
from ecm_platform.audit.services import audit_record, phi_access_record
from ecm_platform.tenancy.scoping import plan_scope
from tests.append_only_flush import REFUSING_FLUSH, guard_lifted, truncate_triggers

pytestmark = pytest.mark.django_db
MODELS = [AuditEvent, PhiAccess]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers exist on PostgreSQL only")


@pytest.fixture
def rows(plan_a, admin_a):
    """One row of each table, by model."""
    with plan_scope(plan_a):
        return {
            AuditEvent: audit_record(code="test.thing.done", plan=plan_a, actor=admin_a.user),
            PhiAccess: phi_access_record(plan=plan_a, user=admin_a.user, purpose=PhiPurpose.EXPORT),
        }


def unchanged(row) -> bool:
    with scopes_disabled():
        return type(row)._base_manager.filter(pk=row.pk, at=row.at).exists()


def refused(attempt, row, *, by=AppendOnlyError):
    """`attempt(row)` raises `by` in a savepoint (the test's transaction stays usable) and the row
    is still there as it was. The database's refusals are the triggers' own."""
    with pytest.raises(by, match=None if by is AppendOnlyError else "append-only: "), transaction.atomic():
        attempt(row)
    return unchanged(row)


# Each path that reaches SQL without the models' own methods seeing it.
SQL_PATHS = {
    "base manager update": lambda row: type(row)._base_manager.filter(pk=row.pk).update(at=clocks.now()),
    "base manager delete": lambda row: type(row)._base_manager.filter(pk=row.pk).delete(),
    "bare QuerySet update": lambda row: QuerySet(type(row)).filter(pk=row.pk).update(at=clocks.now()),
    "bare QuerySet delete": lambda row: QuerySet(type(row)).filter(pk=row.pk).delete(),
    "bare QuerySet bulk_update": lambda row: QuerySet(type(row)).bulk_update([row], ["at"]),
    "_raw_delete": lambda row: QuerySet(type(row)).filter(pk=row.pk)._raw_delete(using="default"),
    "save_base(force_update=True)": lambda row: row.save_base(force_update=True),
    "bulk_create upsert": lambda row: type(row).objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["id"], update_fields=["at"]
    ),
}


@pytest.mark.parametrize("path", SQL_PATHS)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_python_path_is_refused_by_the_statement_guard(rows, plan_a, model, path):
    with plan_scope(plan_a):
        assert refused(SQL_PATHS[path], rows[model])


# The models' own methods refuse before any SQL.
MODEL_PATHS = {
    "save": lambda row: row.save(),
    "save(update_fields)": lambda row: row.save(update_fields=["at"]),
    "delete": lambda row: row.delete(),
    "objects update": lambda row: type(row).objects.filter(pk=row.pk).update(at=clocks.now()),
    "objects delete": lambda row: type(row).objects.filter(pk=row.pk).delete(),
    "objects bulk_update": lambda row: type(row).objects.bulk_update([row], ["at"]),
}


@pytest.mark.parametrize("path", MODEL_PATHS)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_model_path_is_refused(rows, plan_a, model, path):
    with plan_scope(plan_a):
        assert refused(MODEL_PATHS[path], rows[model])


RAW_SQL = {
    "UPDATE": "UPDATE {table} SET at = at",
    "DELETE": "DELETE FROM {table}",
    "TRUNCATE": "TRUNCATE {table}",
}


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_raw_sql_on_a_django_cursor_is_refused(rows, plan_a, model, statement):
    def run(row):
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL[statement].format(table=f'"{model._meta.db_table}"'))

    with plan_scope(plan_a):
        assert refused(run, rows[model])


def test_the_flush_command_is_refused_outside_the_test_suites_bypass(rows):
    statements = sql_flush(no_style(), connection, allow_cascade=False)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        REFUSING_FLUSH(connection.ops, statements)
    assert all(unchanged(row) for row in rows.values())


def test_other_tables_are_not_caught_by_the_guard(rows, plan_a, admin_a):
    admin_a.user.first_name = "Changed"
    admin_a.user.save(update_fields=["first_name"])
    with plan_scope(plan_a), connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET last_name = %s WHERE id IN (SELECT user_id FROM audit_phiaccess)", ["X"])
    admin_a.user.refresh_from_db()
    assert (admin_a.user.first_name, admin_a.user.last_name) == ("Changed", "X")


# --- PostgreSQL: the triggers, as the application role -------------------------------------------


def raw_execute(sql, params=()):
    """Straight to psycopg: past Django's execute wrappers, so only the database decides. Deferred
    foreign-key checks are run first: TRUNCATE refuses a table with pending ones before any trigger
    could (the rows were inserted in this test's transaction)."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@postgresql_only
def test_the_suite_runs_as_a_plain_role_that_owns_the_audit_tables():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_get_userbyid(c.relowner) = current_user FROM pg_roles, pg_class c"
            " WHERE rolname = current_user AND c.oid = %s::regclass",
            [AuditEvent._meta.db_table],
        )
        assert cursor.fetchone() == (False, False, True)  # not even the owner gets past the triggers


@postgresql_only
@pytest.mark.parametrize("statement", RAW_SQL)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_raw_update_delete_and_truncate_fail_in_the_database(rows, plan_a, model, statement):
    def run(row):
        raw_execute(RAW_SQL[statement].format(table=f'"{model._meta.db_table}"'))

    with plan_scope(plan_a):
        assert refused(run, rows[model], by=connection.Database.Error)


@postgresql_only
def test_truncating_a_parent_with_cascade_fails_too(rows, plan_a):
    with plan_scope(plan_a):
        assert refused(
            lambda row: raw_execute('TRUNCATE "tenancy_healthplan" CASCADE'),
            rows[AuditEvent],
            by=connection.Database.Error,
        )


@postgresql_only
def test_pgtriggers_ignore_setting_does_not_open_the_wall(rows, plan_a):
    def run(row):
        names = "{" + ",".join(installed_triggers()) + "}"
        raw_execute("SELECT set_config('pgtrigger.ignore', %s, true)", [names])
        raw_execute('UPDATE "audit_auditevent" SET at = at')

    with plan_scope(plan_a):
        assert refused(run, rows[AuditEvent], by=connection.Database.Error)


@postgresql_only
@pytest.mark.parametrize("path", SQL_PATHS)
def test_with_the_guard_lifted_every_python_path_meets_the_trigger(rows, plan_a, path):
    with plan_scope(plan_a), guard_lifted(connection):
        assert refused(SQL_PATHS[path], rows[AuditEvent], by=DatabaseError)


def installed_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE 'pgtrigger_append_only%'")
        return dict(cursor.fetchall())


@postgresql_only
def test_every_append_only_table_has_both_triggers_enabled():
    append_only = [model for model in apps.get_models() if issubclass(model, AppendOnlyModel)]
    assert {*MODELS, PhiAccessMember} < set(append_only)  # and the apps' own (the outreach measure runs)
    expected = {}
    for model in append_only:
        for trigger in model._meta.triggers:
            expected[trigger.compile(model).sql.pgid] = "O"
            assert trigger.get_installation_status(model) == ("INSTALLED", True)
    assert len(expected) == 2 * len(append_only)
    assert installed_triggers() == expected


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_empties_the_audit_tables_and_leaves_the_walls_up(reference_data, rows):
    call_command("flush", interactive=False, verbosity=0)
    with scopes_disabled():
        assert not AuditEvent.objects.exists()
        assert not PhiAccess.objects.exists()
    if connection.vendor == "postgresql":
        assert set(installed_triggers().values()) == {"O"}
        assert {trigger.sql.pgid for trigger in truncate_triggers()} <= set(installed_triggers())
    with pytest.raises(AppendOnlyError), connection.cursor() as cursor:
        cursor.execute('DELETE FROM "audit_auditevent"')
