"""On PostgreSQL the API's growing lists are served by an index (issue 15: "every list ordering is
served by an index"; ARCHITECTURE.md, API): the plan of the very statement a request runs has no
Seq Scan and, for an ordered page, no Sort. Sequential scans (and sorts, for the ordered pages) are
priced out for the EXPLAIN (a few test rows would otherwise make a Seq Scan the cheapest plan), so
what remains is what no index can serve. Connected as the application role, row-level security on."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from authorizations.services import request_submit
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from members.models import Member
from tests.factories import enrolled_member

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")


def page_plan(client, path, table, *, sorts=False):
    """The EXPLAIN of the statement reading `table` for `path` (the page, not its prefetches)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    [sql] = [q["sql"] for q in captured if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'on' if sorts else 'off'}")
        cursor.execute(f"EXPLAIN {sql}")
        return response, "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def requests_a(plan_a, admin_a):
    with scopes_disabled():
        for days in range(1, 4):  # due on different days, so a page boundary is a due instant
            with clocks.frozen(clocks.now() - timedelta(days=days)):
                request_submit(plan=plan_a, actor=OPERATOR, member=enrolled_member(plan_a), source="self_referral")


@pytest.mark.parametrize("path", ["/api/v1/authorizations/?is_open=true", "/api/v1/authorizations/"])
def test_the_authorization_lists_pages_are_index_range_scans(path, requests_a, admin_a, make_api_client):
    """The open requests by due instant (DOMAIN 5.1) and the default order: both pages, the first
    and the next (from its keyset boundary), come from an index in order, without a sort."""
    client = make_api_client(admin_a)
    response, plan = page_plan(
        client, f"{path}{'&' if '?' in path else '?'}page_size=2", "authorizations_authorizationrequest"
    )
    assert "authreq_" in plan and "Seq Scan" not in plan and "Sort" not in plan, plan
    _, plan = page_plan(client, response.json()["next"], "authorizations_authorizationrequest")
    assert "authreq_" in plan and "Seq Scan" not in plan and "Sort" not in plan, plan
    # The boundary bounds the scan (an index condition, not a filter after the row-level security
    # check), so a deep page does not walk the index from the top.
    assert any("Index Cond" in line and "due_sort >" in line for line in plan.splitlines()), plan


@pytest.mark.parametrize("name", ["exam", "Member EXAMPLE"])
def test_name_search_by_prefix_is_served_by_the_name_indexes(name, plan_a, admin_a, make_api_client):
    """Name search (issue 15): each word a prefix of the first or the last name, any case, found
    through the name key indexes even under row-level security (starts_with is leakproof)."""
    with scopes_disabled():
        member = enrolled_member(plan_a)
        county = member.county
        Member.objects.bulk_create(
            Member(plan=plan_a, cin=f"{80000000 + n:08d}A", first_name=f"Ann{n}", last_name=f"Lee{n}",
                   birth_date=date(1970, 1, 1), county=county)
            for n in range(2000)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")  # the planner's view of a plan with many names
    client = make_api_client(admin_a)
    # The matches are sorted by id: a few rows, not the table.
    response, plan = page_plan(client, f"/api/v1/members/?name={name}", "members_member", sorts=True)
    assert [row["id"] for row in response.json()["results"]] == [member.pk]
    assert "Seq Scan" not in plan and "~>=~" in plan, plan
    assert "member_last_name_key" in plan and "member_first_name_key" in plan, plan
