"""The PHI access log stays cheap and bounded (issue 15, third bullet; ecm_platform/audit/partitions.py):
monthly partitions on PostgreSQL with a DEFAULT partition, the walls on every partition, six years'
retention by audited partition drops, and the member seam on both databases.

Database-level claims are checked with raw SQL as the application role (NOSUPERUSER NOBYPASSRLS).
"""

from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ecm_platform.audit import partitions
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiAccessMember, PhiPurpose
from ecm_platform.audit.services import phi_access_record, phi_access_retention_apply
from ecm_platform.celery import app
from ecm_platform.tenancy.scoping import across_plans, plan_scope

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


@postgresql_only
def test_the_job_makes_the_coming_months_once_and_leaves_a_month_already_in_default(plan_a, admin_a):
    assert settings.CELERY_BEAT_SCHEDULE["phi-access-partitions"]["task"] in app.tasks
    today = date(2041, 1, 10)
    record(plan_a, admin_a.user, at=datetime(2041, 2, 3, tzinfo=UTC))  # lands in DEFAULT: no partition yet
    first = partitions.partitions_ensure(MODELS, today=today)
    assert first.created == [f"{t}_p2041_{m}" for t in partitions.TABLES for m in ("01", "03", "04")]
    assert first.stuck_in_default == [f"{t}_p2041_02" for t in partitions.TABLES]
    again = partitions.partitions_ensure(MODELS, today=today)
    assert again.created == [] and again.stuck_in_default == first.stuck_in_default
    with plan_scope(plan_a):
        assert PhiAccess.objects.filter(at__year=2041).count() == 1


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
