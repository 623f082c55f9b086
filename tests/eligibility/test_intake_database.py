"""Claims intake resolves members in the database (issue 15, claims intake): unknown CINs and
repeated claim ids are found set-based, a small call does not grow with the plan, and a large load
refreshes the table's statistics."""

from contextlib import nullcontext

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform.tenancy.access import OPERATOR
from eligibility import intake
from eligibility.models import UtilizationEvent
from members.models import Member
from tests.factories import enrolled_member
from tests.runtime_role import as_runtime_role

pytestmark = pytest.mark.usefixtures("in_plan_a")
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL statistics")


def row(number: int, cin: str = "91234567A", **overrides) -> dict:
    return {
        "claim_id": f"C{number}",
        "cin": cin,
        "event_type": "ED",
        "service_date": "2026-09-01",
        "planned": "false",
        "avoidable": "true",
        "diagnosis_codes": "Z59.01",
        "adjudication_date": "2026-09-20",
    } | overrides


def load(plan, rows):
    return intake.claims_load(plan=plan, rows=rows, actor=OPERATOR, source="test")


def add_members(like: Member, count: int) -> None:
    Member.objects.bulk_create(
        Member(
            plan=like.plan,
            county=like.county,
            cin=f"{80000000 + n:08d}B",
            first_name="M",
            last_name=str(n),
            birth_date=like.birth_date,
        )
        for n in range(count)
    )


def test_unknown_cins_and_repeats_are_row_errors_beside_the_rows_own(plan_a):
    """Issue 15: an unknown CIN is one more error of its row, in column order with the row's other
    errors, counted with the rest; a good row with an unknown CIN makes one more bad row."""
    enrolled_member(plan_a, cin="91234567A")
    rows = [
        row(1),
        row(2, cin="00000001Z"),  # otherwise good
        row(3, cin="00000002Z", event_type="URGENT"),  # bad already
        row(1, cin="00000003Z"),  # repeats row 1 and its CIN is unknown
        row(5, cin="not a cin"),  # never a member's CIN: no lookup needed
    ]
    report = load(plan_a, rows)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        (2, "cin", "No member of this plan has CIN 00000001Z."),
        (3, "cin", "No member of this plan has CIN 00000002Z."),
        (3, "event_type", "Use one of ED, INPATIENT, SNF_SHORT_TERM."),
        (4, "claim_id", "Claim C1 is also in row 1."),
        (4, "cin", "No member of this plan has CIN 00000003Z."),
        (5, "cin", "No member of this plan has CIN NOT A CIN."),
    ]
    assert (report.error_count, report.rows_with_errors, report.rows) == (6, 4, 5)
    assert UtilizationEvent.objects.count() == 0


def test_a_ten_row_call_costs_the_same_queries_in_a_large_plan(plan_a):
    """Issue 15: a 10-row call took 1.6-2 s at 1M members (every CIN of the plan read into Python);
    now its queries neither grow in number nor read the plan's members."""
    member = enrolled_member(plan_a, cin="91234567A")
    rows = [row(n) for n in range(10)]
    with CaptureQueriesContext(connection) as small:
        load(plan_a, rows)
    add_members(member, 2000)
    with CaptureQueriesContext(connection) as large:
        report = load(plan_a, [row(n, adjudication_date="2026-09-21") for n in range(10)])
    assert report.replaced == 10
    assert len(large) == len(small)
    member_reads = [q["sql"] for q in large.captured_queries if 'FROM "members_member"' in q["sql"]]
    assert all("IN (" in sql or "m.cin = s.cin" in sql for sql in member_reads)


@postgresql_only
@pytest.mark.parametrize("role", [nullcontext, as_runtime_role], ids=["table owner", "runtime role"])
def test_a_large_load_analyzes_the_events_table(plan_a, monkeypatch, role):
    """Issue 15: statistics are refreshed after a load (the scan over never-analyzed events took
    272-360 s, 1.9 s after ANALYZE): the planner's row estimate is set only by a load this large.
    Review finding F4: also as a role that owns nothing, like the deployment's (tests/runtime_role.py),
    where a plain ANALYZE is skipped with only a warning: the owner's function runs it."""
    enrolled_member(plan_a, cin="91234567A")
    monkeypatch.setattr(intake, "ANALYZE_AFTER_ROWS", 20)
    # pg_class.reltuples is updated in place, so a row estimate of 40 may outlive an earlier test's
    # rollback: the table's ANALYZE count tells whether this test's load analyzed. (pg_stats hides a
    # table under row-level security.)
    sql = (
        "SELECT pg_stat_clear_snapshot(), reltuples, pg_stat_get_analyze_count(oid) FROM pg_class "
        "WHERE oid = %s::regclass"
    )
    table = UtilizationEvent._meta.db_table
    with role(), connection.cursor() as cursor:
        cursor.execute(sql, [table])
        (_, before, analyzed) = cursor.fetchone()
        load(plan_a, [row(n) for n in range(19)])
        cursor.execute(sql, [table])
        assert cursor.fetchone()[1:] == (before, analyzed)
        load(plan_a, [row(n) for n in range(19, 40)])
        cursor.execute(sql, [table])
        assert cursor.fetchone()[1:] == (40, analyzed + 1)


@postgresql_only
def test_the_analyze_function_runs_as_the_tables_owner_and_only_for_those_granted_it():
    """F4 (migration 0009): SECURITY DEFINER, owned by the table's owner, its search_path fixed,
    not callable by PUBLIC (the deployment grants the application role EXECUTE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosecdef, p.proconfig, p.proowner = (SELECT relowner FROM pg_class WHERE relname = %s), "
            "EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) FROM pg_proc p WHERE p.proname = %s",
            [UtilizationEvent._meta.db_table, intake.ANALYZE_FUNCTION],
        )
        assert cursor.fetchall() == [(True, ["search_path=public, pg_temp"], True, False)]
