"""On PostgreSQL the appeal and grievance lists (open first, then by resolution due; DOMAIN 5.4) are
served by their open-first index (issue 15: "every list and worklist ordering is served by an
index"): the plan of the page's statement, first page and next, has no Seq Scan and no Sort.
Sequential scans and sorts are priced out for the EXPLAIN (a few test rows would otherwise make a
Seq Scan the cheapest plan), so what remains is what no index can serve. Connected as the
application role, row-level security on."""

import json
from base64 import urlsafe_b64encode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from authorizations.models import Appeal, Grievance
from ecm_platform.tenancy.models import Role
from tests.isolation.test_page_query_counts import grow_authorizations
from tests.isolation.test_query_counts import grow

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")


def page_plan(client, path, table):
    """The EXPLAIN of the keyset page's statement on `table` for `path`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    [sql] = [q["sql"] for q in captured if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def before(case) -> str:
    """The pager's value for the page below `case` (its keys: resolved or not, due, id)."""
    keys = [case.resolved_at is not None, case.resolution_due.isoformat(), case.pk]
    return urlsafe_b64encode(json.dumps(keys, separators=(",", ":")).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "model", "index"),
    [("/appeals/", Appeal, "appeal_open_first"), ("/grievances/", Grievance, "grievance_open_first")],
)
def test_the_open_first_case_lists_are_index_scans(path, model, index, client, plan_a, admin_a, make_membership):
    """Issue 15 (DOMAIN 5.4 lists): the first page and the page after a boundary row come from
    the open-first index in order, bounded by the plan, without a sort over the plan's cases."""
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
    reviewer = make_membership(plan_a, Role.REVIEWER)
    with scopes_disabled():
        grow(plan_a, admin_a, 9)
        grow_authorizations(plan_a, coordinator, reviewer, 3)
        boundary = model.objects.filter(plan=plan_a).order_by("resolution_due", "id").first()
    client.force_login(admin_a.user)
    table = model._meta.db_table
    for page in (path, f"{path}?before={before(boundary)}"):
        plan = page_plan(client, page, table)
        assert index in plan and "Seq Scan" not in plan and "Sort" not in plan, plan
        assert any("Index Cond" in line and "plan_id" in line for line in plan.splitlines()), plan
