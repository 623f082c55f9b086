"""Row-level security, the second tenancy wall on PostgreSQL (ARCHITECTURE.md, Tenancy).

The suite connects as the application role: NOSUPERUSER NOBYPASSRLS and owner of every table, so
only FORCE ROW LEVEL SECURITY stands between it and the rows; a test proves the connection is not
one that ignores every policy. The queries here are raw SQL: the first wall, the ORM's scoped
managers, takes no part.
"""

import itertools
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, connections, models, transaction

from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.row_security import EXEMPT_MODELS, POLICY_NAME, plan_owned_models, plan_owned_tables
from ecm_platform.tenancy.scoping import across_plans, plan_scope, plans_scope

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-level security is PostgreSQL's; SQLite has no second wall (ARCHITECTURE.md, Tenancy)",
)
TABLES = plan_owned_tables()
MODEL_OF_TABLE = {model._meta.db_table: model for model in plan_owned_models()}
EXEMPT_TABLES = {apps.get_model(label)._meta.db_table for label in EXEMPT_MODELS}


def quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quoted(table)}")  # noqa: S608 - a table name from the registry
        return cursor.fetchone()[0]


def plans_seen(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT plan_id FROM {quoted(table)}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def settings_in_session() -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.plan_ids', true), current_setting('app.rls_bypass', true)")
        return cursor.fetchone()


# One row of every plan-owned table for a plan, whatever the model: required fields get a plain
# value, foreign keys a parent of the same plan. A new plan-owned model is covered without edits.
_serial = itertools.count()


def _value(field, plan):
    if field.is_relation:
        related = field.related_model
        if related is HealthPlan:
            return plan
        if related is get_user_model():
            return get_user_model().objects.create(username=f"rls-{next(_serial)}")
        existing = related._base_manager.filter(plan=plan) if related in MODEL_OF_TABLE.values() else None
        if existing is None:
            existing = related._base_manager.all()
        return existing.first() or _make(related, plan)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.DateTimeField):
        return clocks.now()
    if isinstance(field, models.DateField):
        return date(2026, 1, 5)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.IntegerField | models.DecimalField):
        return 1
    if isinstance(field, models.BinaryField):
        return b"%PDF-1.4"
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.EmailField):
        return f"rls-{next(_serial)}@example.org"
    if isinstance(field, models.TextField):
        return "row-level security"
    return f"rls{next(_serial)}"[: field.max_length]


# Values a model's constraints need beyond the first choice of each field.
VALUES_OF_MODEL = {"outreach.Engagement": {"kind": "identified"}}  # an assigned one names its provider


def _make(model, plan):
    values = {
        field.name: _value(field, plan)
        for field in model._meta.concrete_fields
        if not (field.primary_key or field.null or field.has_default() or getattr(field, "auto_now_add", False))
    }
    return model._base_manager.create(**values | VALUES_OF_MODEL.get(model._meta.label, {}))


@pytest.fixture
def rows_of_two_plans(plan_a, plan_b):
    """Every plan-owned table holds rows of plan A and of plan B."""
    with across_plans(reason="test data of two plans"):
        for model, plan in itertools.product(MODEL_OF_TABLE.values(), (plan_a, plan_b)):
            if not model._base_manager.filter(plan=plan).exists():
                _make(model, plan)
        for table in TABLES:
            assert plans_seen(table) == {plan_a.pk, plan_b.pk}, table
    return plan_a, plan_b


def test_the_connection_is_the_table_owning_app_role_which_row_level_security_binds(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_class WHERE relname = ANY (%s) "
            "AND relowner = pg_roles.oid) FROM pg_roles WHERE rolname = current_user",
            [TABLES],
        )
        is_superuser, bypasses_rls, tables_owned = cursor.fetchone()
    assert (is_superuser, bypasses_rls) == (False, False), "a superuser or BYPASSRLS role proves nothing here"
    # An owner bypasses unforced RLS: the tests owning the tables is what makes FORCE matter.
    assert tables_owned == len(TABLES)


def test_every_table_with_a_plan_column_is_walled_unless_exempt(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s), c.relispartition
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'plan_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p')
            """,
            [POLICY_NAME],
        )
        rows = cursor.fetchall()
    catalogue = {table: (enabled, forced, has_policy) for table, enabled, forced, has_policy, _ in rows}
    unwalled = {table: state for table, state in catalogue.items() if state != (True, True, True)}
    assert set(unwalled) == EXEMPT_TABLES, "enabled, forced and the policy, or listed in row_security.EXEMPT_MODELS"
    # The models the policies are applied from are exactly the walled tables of the catalogue (with
    # the partitions of a partitioned one, which audit/partitions.py walls as it makes them).
    assert set(TABLES) == {table for table, *_, partition in rows if not partition} - EXEMPT_TABLES


@pytest.mark.parametrize("table", TABLES)
def test_outside_any_scope_a_raw_count_sees_no_row(rows_of_two_plans, table):
    assert count(table) == 0
    with across_plans(reason="the named bypass"):
        assert count(table) >= 2


@pytest.mark.parametrize("table", TABLES)
def test_inside_a_plans_scope_raw_sql_sees_only_its_rows(rows_of_two_plans, table):
    plan_a, plan_b = rows_of_two_plans
    with plan_scope(plan_a):
        assert plans_seen(table) == {plan_a.pk}
    with plans_scope([plan_a.pk, plan_b.pk]):  # a provider principal's contracting plans
        assert plans_seen(table) == {plan_a.pk, plan_b.pk}
    with plans_scope([]):
        assert count(table) == 0


@pytest.mark.parametrize("table", TABLES)
def test_inside_a_plans_scope_a_raw_insert_of_another_plans_row_fails(rows_of_two_plans, table):
    plan_a, plan_b = rows_of_two_plans
    model = MODEL_OF_TABLE[table]
    # A generated column (authorizations' due_sort) takes no value of its own.
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if not (field.primary_key or isinstance(field, models.GeneratedField))
    ]
    copied = ", ".join("%s" if column == "plan_id" else quoted(column) for column in columns)
    listed = ", ".join(quoted(column) for column in columns)
    with (
        plan_scope(plan_a),
        connection.cursor() as cursor,
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        cursor.execute(
            f"INSERT INTO {quoted(table)} ({listed}) SELECT {copied} FROM {quoted(table)} LIMIT 1",  # noqa: S608
            [plan_b.pk],
        )


def test_inside_a_plans_scope_another_plans_rows_cannot_be_changed_or_deleted(rows_of_two_plans):
    plan_a, plan_b = rows_of_two_plans
    with plan_scope(plan_a), connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute("UPDATE members_member SET plan_id = %s", [plan_b.pk])
        cursor.execute("UPDATE members_member SET first_name = 'Moved' WHERE plan_id = %s", [plan_b.pk])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM eligibility_utilizationevent WHERE plan_id = %s", [plan_b.pk])
        assert cursor.rowcount == 0
    with across_plans(reason="check"):
        assert plans_seen("eligibility_utilizationevent") == {plan_a.pk, plan_b.pk}


def test_the_session_follows_nested_scopes_and_is_restored_on_exit(plan_a, plan_b):
    assert settings_in_session() in {(None, None), ("", "off")}
    with plan_scope(plan_a):
        assert settings_in_session() == (str(plan_a.pk), "off")
        with plan_scope(plan_b):
            assert settings_in_session() == (str(plan_b.pk), "off")
            with across_plans(reason="nested bypass"):
                assert settings_in_session() == ("", "on")
            assert settings_in_session() == (str(plan_b.pk), "off")
        assert settings_in_session() == (str(plan_a.pk), "off")
    assert settings_in_session() == ("", "off")


def test_a_rolled_back_savepoint_does_not_leave_the_session_without_its_scope(plan_a):
    with plan_scope(plan_a):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert plans_seen("calendars_holiday") == {plan_a.pk}  # the value is set inside the savepoint
            raise ZeroDivisionError
        # The rollback reverted it; the next statement sets it again.
        assert plans_seen("calendars_holiday") == {plan_a.pk}


def test_a_failed_statement_inside_a_scope_surfaces_as_itself(plan_a, plan_b):
    with (
        plan_scope(plan_a),
        pytest.raises(DatabaseError, match="division by zero"),
        transaction.atomic(),
        plan_scope(plan_b),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    with plan_scope(plan_a):
        assert plans_seen("calendars_holiday") == {plan_a.pk}


def test_a_scope_costs_one_round_trip_not_one_per_query(plan_a, monkeypatch):
    applied = []
    wrapper = type(connections["default"])
    original = wrapper.scope_apply
    monkeypatch.setattr(wrapper, "scope_apply", lambda self, wanted: applied.append(wanted) or original(self, wanted))
    with plan_scope(plan_a):
        for _ in range(5):
            count("calendars_holiday")
    with plan_scope(plan_a):  # the same plan again: the session already holds it
        count("calendars_holiday")
    assert applied == [(str(plan_a.pk), "off")]


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_scope_holds_for_every_statement_and_survives_a_rollback(reference_data, plan_a, plan_b):
    assert connection.get_autocommit()
    with plan_scope(plan_a):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            # The scope's first statement: its value is set inside the transaction.
            assert plans_seen("calendars_holiday") == {plan_a.pk}
            raise ZeroDivisionError
        # The rollback reverted the value (to the fixtures' bypass); the next statement sets it again.
        # TRAPS.md: with SET LOCAL in autocommit the second statement would see nothing.
        assert plans_seen("calendars_holiday") == {plan_a.pk}
        assert plans_seen("calendars_holiday") == {plan_a.pk}
    assert plans_seen("calendars_holiday") == set()


def raw_count(table: str) -> int:
    """Straight to psycopg, past Django's statement wrappers (as a COPY goes)."""
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a table name of ours)
        return cursor.fetchone()[0]


def test_the_bypass_does_not_outlive_its_block_even_for_a_raw_cursor(rows_of_two_plans):
    plan_a, _ = rows_of_two_plans
    with across_plans(reason="test: a bypass that ends"):
        assert count("calendars_holiday") > 0
    assert raw_count("calendars_holiday") == 0
    with plan_scope(plan_a):
        assert raw_count("calendars_holiday") == count("calendars_holiday")


def test_an_identity_lookup_sets_no_bypass_and_admits_no_more_than_the_session_held(rows_of_two_plans):
    """The key and membership lookups read only exempt tables: they keep the plan the session holds
    (a persistent connection's last request's) or admit nothing, and never see every plan."""
    plan_a, _ = rows_of_two_plans
    with across_plans(reason="test: a key lookup", exempt_tables_only=True):
        assert plans_seen("calendars_holiday") == set()
    with plan_scope(plan_a):
        count("calendars_holiday")
    with across_plans(reason="test: a key lookup", exempt_tables_only=True):
        assert plans_seen("calendars_holiday") == {plan_a.pk}
    assert count("calendars_holiday") == 0  # outside any scope, the next statement admits no plan again
    with across_plans(reason="test: a bypass"), across_plans(reason="test: a key lookup", exempt_tables_only=True):
        assert plans_seen("calendars_holiday") == set()  # a bypass held gives way to no plan


def test_a_request_for_the_plan_of_the_one_before_pays_no_round_trip(plan_a, monkeypatch):
    """An API request: the key lookup, then the plan's scope. Only the first request on the
    connection sets the plan (issue 15: per-request overhead)."""
    applied = []
    wrapper = type(connections["default"])
    original = wrapper.scope_apply
    monkeypatch.setattr(wrapper, "scope_apply", lambda self, wanted: applied.append(wanted) or original(self, wanted))
    for _ in range(3):
        with across_plans(reason="test: a key lookup", exempt_tables_only=True):
            count("tenancy_planapikey")
        with plan_scope(plan_a):
            count("calendars_holiday")
    assert applied == [(str(plan_a.pk), "off")]
