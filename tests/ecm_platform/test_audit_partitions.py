"""The PHI access log stays cheap and bounded (issue 15, third bullet; ecm_platform/audit/partitions.py):
monthly partitions on PostgreSQL with a DEFAULT partition, the walls on every partition, six years'
retention by audited partition drops, and the member seam on both databases.

Database-level claims are checked with raw SQL as the application role (NOSUPERUSER NOBYPASSRLS),
and the jobs run as the deployment's runtime role too, which owns nothing (tests/runtime_role.py;
review finding F1: the owner's work goes through the owner's SECURITY DEFINER functions).
"""

import io
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ecm_platform import clocks
from ecm_platform.audit import partitions
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiAccessMember, PhiPurpose
from ecm_platform.audit.partitions import MEMBER_TABLE, TABLE
from ecm_platform.audit.services import phi_access_record, phi_access_retention_apply
from ecm_platform.audit.tasks import phi_access_partitions, phi_access_retention
from ecm_platform.celery import app
from ecm_platform.tenancy.scoping import across_plans, plan_scope
from tests.runtime_role import as_runtime_role

pytestmark = pytest.mark.django_db
MODELS = [PhiAccess, PhiAccessMember]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def raw(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def record(plan, user, *, at: datetime | None = None, member_id: int = 7) -> PhiAccess:
    """A one-member read now (the service), or at a past or future instant (as it would have been)."""
    with plan_scope(plan):
        if at is None:
            return phi_access_record(plan=plan, user=user, purpose=PhiPurpose.CARE_COORDINATION, member_id=member_id)
        return PhiAccess.objects.create(
            plan=plan,
            user=user,
            purpose=PhiPurpose.CARE_COORDINATION,
            member_ids=[member_id],
            member_labels=["X"],
            at=at,
        )


def partition_of(access: PhiAccess) -> str:
    with across_plans(reason="test: where the row landed"):
        return raw("SELECT tableoid::regclass::text FROM audit_phiaccess WHERE id = %s", [access.pk])[0][0]


def test_the_fill_trigger_writes_who_saw_member_x_on_either_database(plan_a, admin_a):
    """partitions.MEMBERS_FILL: `unnest` on PostgreSQL, `json_each` on SQLite, in the insert itself."""
    access = record(plan_a, admin_a.user, member_id=12)
    with plan_scope(plan_a):
        assert PhiAccess.objects.get(pk=access.pk).member_ids == [12]
        (seen,) = PhiAccessMember.objects.filter(member_id=12)
    assert (seen.access_id, seen.plan_id, seen.at) == (access.pk, plan_a.pk, access.at)


@postgresql_only
def test_who_saw_member_x_is_served_by_the_member_key_under_row_level_security(plan_a, admin_a):
    """A GIN index on member_ids would never be used here: the array operators are not leakproof,
    and under row-level security PostgreSQL uses an index only for leakproof ones (models.py)."""
    record(plan_a, admin_a.user, member_id=12)
    with plan_scope(plan_a):  # as the application role, its plan's policy in force
        raw("SET LOCAL enable_seqscan = off")  # a few rows: the planner would rather scan them
        plan = PhiAccessMember.objects.filter(member_id=12).order_by("-access_id").explain()
    assert "audit_phiaccessmember_p" in plan and "_pkey" in plan and "Seq Scan" not in plan, plan
    assert "Index Cond: (member_id = 12)" in plan, plan


@postgresql_only
def test_the_table_is_partitioned_by_month_with_a_default_and_orm_rows_land_in_their_month(plan_a, admin_a):
    (kind,) = raw("SELECT relkind FROM pg_class WHERE relname = 'audit_phiaccess'")[0]
    key = raw("SELECT pg_get_partkeydef('audit_phiaccess'::regclass)")[0][0]
    primary = raw("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'audit_phiaccess_pkey'")[0][0]
    assert (kind, key, primary) == ("p", "RANGE (at)", "PRIMARY KEY (id, at)")
    now = record(plan_a, admin_a.user)
    assert partition_of(now) == partitions.partition_name(now.at.astimezone(UTC).date().replace(day=1))
    # Past the months made ahead (or before any): the DEFAULT partition takes it, the insert succeeds.
    far = record(plan_a, admin_a.user, at=datetime(2040, 5, 1, tzinfo=UTC))
    assert partition_of(far) == partitions.default_partition(partitions.TABLE)
    with plan_scope(plan_a):  # the ORM reads back through the parent, `id` as its key
        assert {a.pk for a in PhiAccess.objects.filter(plan=plan_a)} == {now.pk, far.pk}
        assert PhiAccess.objects.get(pk=far.pk).at == far.at


@postgresql_only
@pytest.mark.parametrize("table", partitions.TABLES)
def test_every_partition_refuses_update_delete_and_truncate_and_hides_other_plans(plan_a, plan_b, admin_a, table):
    with across_plans(reason="test: list the partitions"), connection.cursor() as cursor:
        names = partitions.partitions_of(cursor, table)
        months = partitions.month_partitions(cursor, table)
    assert partitions.default_partition(table) in names
    assert len(months) == len(names) - 1 >= 1 + partitions.MONTHS_AHEAD
    # A row in every partition: row triggers fire only for the rows a statement touches.
    for _, month in months:
        record(plan_a, admin_a.user, at=datetime(month.year, month.month, 2, tzinfo=UTC))
    record(plan_a, admin_a.user, at=datetime(2040, 5, 1, tzinfo=UTC))
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # else TRUNCATE meets the deferred foreign-key checks first
    for name in [table, *names]:
        for statement in ("UPDATE {} SET at = at", "DELETE FROM {}", "TRUNCATE {}"):
            with (
                plan_scope(plan_a),
                pytest.raises(connection.Database.Error, match="append-only: "),  # the driver's own error
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                # Under the guard (guard.py) the parent is refused in Python first: go round it.
                cursor.cursor.execute(statement.format(f'"{name}"'))
        with plan_scope(plan_a):
            assert raw(f'SELECT count(*) FROM "{name}"')[0][0] >= 1  # noqa: S608 - names from the catalogue
        with plan_scope(plan_b):
            assert raw(f'SELECT count(*) FROM "{name}"')[0][0] == 0  # noqa: S608
    with plan_scope(plan_a):
        assert raw(f'SELECT count(*) FROM "{table}"')[0][0] == len(names)  # noqa: S608
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            columns, values, params = (
                ("plan_id, member_id, access_id, at", "%s, 1, 1, now()", [plan_b.pk])
                if table == partitions.MEMBER_TABLE
                else (
                    "plan_id, user_id, member_ids, member_labels, label, purpose, path, row_count, at",
                    "%s, %s, '{}', '[]', '', 'export', '', 0, now()",
                    [plan_b.pk, admin_a.user_id],
                )
            )
            default = partitions.default_partition(table)
            raw(f'INSERT INTO "{default}" ({columns}) VALUES ({values})', params)  # noqa: S608
    walls = raw(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) FROM pg_class c WHERE c.relname = ANY (%s)",
        [names],
    )
    assert {row[1:] for row in walls} == {(True, True, True)} and len(walls) == len(names)


def walls(names: list[str]) -> set[tuple]:
    """Row-level security (enabled, forced, a policy) and a TRUNCATE trigger, per partition."""
    return set(
        raw(
            "SELECT c.relrowsecurity, c.relforcerowsecurity, EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid), "
            "EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgtype = 34 AND NOT t.tgisinternal) "
            "FROM pg_class c WHERE c.relname = ANY (%s)",
            [names],
        )
    )


@postgresql_only
@pytest.mark.parametrize("function", [partitions.ENSURE_FUNCTION, partitions.DROP_FUNCTION])
def test_the_owners_functions_run_as_the_owner_with_a_fixed_search_path_and_no_public_execute(function):
    """F1: the application role owns nothing, so the owner's migration leaves it these functions."""
    ((definer, config, same_owner, public),) = raw(
        "SELECT p.prosecdef, p.proconfig, p.proowner = (SELECT relowner FROM pg_class WHERE relname = %s), "
        "EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) FROM pg_proc p WHERE p.proname = %s",
        [partitions.TABLE, function],
    )
    assert (definer, config, same_owner, public) == (True, ["search_path=public, pg_temp"], True, False)
    with pytest.raises(DatabaseError, match="not a partitioned table of the PHI access log"), transaction.atomic():
        raw(f"SELECT * FROM {partitions.ENSURE_FUNCTION}('auth_user', '2041-01-01', '2041-01-01')")  # noqa: S608


@postgresql_only
def test_the_daily_job_as_the_runtime_role_makes_the_months_and_moves_those_already_in_default(
    plan_a, plan_b, admin_a, admin_b
):
    """F1: run as a role that owns nothing, like the deployment's worker, the job makes the coming
    months, and a month whose rows landed in DEFAULT (every plan's) moves into its own partition,
    so none is stuck there for retention never to reach. Before, CREATE TABLE ... PARTITION OF
    failed: it takes the parent's owner."""
    with as_runtime_role():
        held = [record(plan, admin.user, at=datetime(2041, 2, 3, tzinfo=UTC)) for plan, admin in
                ((plan_a, admin_a), (plan_b, admin_b))]  # fmt: skip
        earlier = record(plan_a, admin_a.user, at=datetime(2025, 6, 30, 23, 59, tzinfo=UTC))  # before any month
        assert {partition_of(access) for access in [*held, earlier]} == {partitions.default_partition(TABLE)}
        with clocks.frozen(datetime(2041, 1, 10, tzinfo=UTC)):
            created = phi_access_partitions.delay().get()
            again = phi_access_partitions.delay().get()
        moved = partitions.partitions_ensure(MODELS, today=date(2041, 1, 10))  # nothing left to move
    months = ["2025_06", "2041_01", "2041_02", "2041_03", "2041_04"]
    assert sorted(created) == sorted(f"{table}_p{month}" for table in partitions.TABLES for month in months)
    assert again == [] and moved.created == [] and moved.moved_from_default == {}
    assert {partition_of(access) for access in held} == {partitions.partition_name(date(2041, 2, 1))}
    assert partition_of(earlier) == partitions.partition_name(date(2025, 6, 1))
    with across_plans(reason="test: every plan's rows moved, each once, its member row once"):
        assert raw(f'SELECT count(*) FROM "{partitions.default_partition(TABLE)}"')[0][0] == 0  # noqa: S608
        assert raw(f'SELECT count(*) FROM "{partitions.default_partition(MEMBER_TABLE)}"')[0][0] == 0  # noqa: S608
        assert sorted(PhiAccessMember.objects.values_list("access_id", flat=True)) == sorted(
            access.pk for access in [*held, earlier]
        )
    assert walls(created) == {(True, True, True, True)}


@postgresql_only
def test_the_job_moves_a_month_out_of_default_and_reports_it(plan_a, admin_a):
    """The month 2041-02 already has a row in DEFAULT when its partition is made."""
    assert settings.CELERY_BEAT_SCHEDULE["phi-access-partitions"]["task"] in app.tasks
    today = date(2041, 1, 10)
    access = record(plan_a, admin_a.user, at=datetime(2041, 2, 3, tzinfo=UTC))  # lands in DEFAULT: no partition yet
    first = partitions.partitions_ensure(MODELS, today=today)
    assert first.created == [f"{t}_p2041_{m}" for t in partitions.TABLES for m in ("01", "03", "04", "02")]
    assert first.moved_from_default == {f"{t}_p2041_02": 1 for t in partitions.TABLES}
    assert partition_of(access) == partitions.partition_name(date(2041, 2, 1))
    again = partitions.partitions_ensure(MODELS, today=today)
    assert again.created == [] and again.moved_from_default == {}
    with plan_scope(plan_a):
        assert PhiAccess.objects.filter(at__year=2041).count() == 1
        assert PhiAccessMember.objects.get(access_id=access.pk).at == access.at
    out = io.StringIO()
    call_command("audit_partitions", stdout=out)  # this month and the next three exist already
    assert "Created 0 partitions" in out.getvalue()


@postgresql_only
def test_retention_as_the_runtime_role_drops_past_months_and_never_a_kept_one(plan_a, admin_a):
    """F1: the daily retention job runs as a role that owns nothing; the owner's function refuses
    to drop a month inside the six years, whoever calls it."""
    old_month = partitions.add_months(partitions.retention_cutoff(), -1)
    with as_runtime_role():
        partitions.partitions_ensure(MODELS, first=old_month, ahead=0, today=old_month)
        record(plan_a, admin_a.user, at=datetime(old_month.year, old_month.month, 5, tzinfo=UTC))
        assert phi_access_retention.delay().get() == [partitions.partition_name(old_month)]
        for kept in (partitions.retention_cutoff(), partitions.add_months(partitions.retention_cutoff(), 1)):
            with pytest.raises(DatabaseError, match="keeps every month from"), transaction.atomic():
                partitions.month_drop(kept)
    assert settings.CELERY_BEAT_SCHEDULE["phi-access-retention"]["task"] in app.tasks
    for table in partitions.TABLES:
        assert raw("SELECT to_regclass(%s)", [partitions.partition_name(old_month, table)])[0][0] is None
    with plan_scope(plan_a):
        assert AuditEvent.objects.get(code="audit.phi_access.retention_dropped").payload["rows"] == 1


@postgresql_only
def test_retention_drops_whole_months_past_six_years_audited_and_a_dry_run_drops_nothing(plan_a, admin_a):
    """Six years (HIPAA, 45 CFR 164.316(b)(2)(i)): detach and drop, never DELETE."""
    old_month = partitions.add_months(partitions.retention_cutoff(), -2)
    partitions.partitions_ensure(MODELS, first=old_month, ahead=0, today=old_month)
    expired_row = record(plan_a, admin_a.user, at=datetime(old_month.year, old_month.month, 5, tzinfo=UTC))
    kept = record(plan_a, admin_a.user)
    name = partitions.partition_name(old_month)
    assert partition_of(expired_row) == name

    dry = phi_access_retention_apply(dry_run=True)
    assert [(e.partition, e.rows_by_plan) for e in dry] == [(name, {plan_a.pk: 1})]
    call_command("audit_partitions", "--retention", "--dry-run")
    assert raw("SELECT to_regclass(%s)", [name])[0][0] == name

    phi_access_retention_apply(dry_run=False)
    for table in partitions.TABLES:
        assert raw("SELECT to_regclass(%s)", [partitions.partition_name(old_month, table)])[0][0] is None
    with plan_scope(plan_a):
        assert list(PhiAccess.objects.filter(plan=plan_a)) == [kept]
        assert list(PhiAccessMember.objects.values_list("access_id", flat=True)) == [kept.pk]
        (event,) = AuditEvent.objects.filter(code="audit.phi_access.retention_dropped")
    assert event.payload == {"partition": name, "month": old_month.isoformat(), "rows": 1, "retention_years": 6}
    assert event.actor is None


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite quick start's answer")
def test_on_sqlite_the_command_says_there_is_nothing_to_partition(capsys):
    call_command("audit_partitions", "--retention", "--dry-run")
    assert "without partitions" in capsys.readouterr().out
