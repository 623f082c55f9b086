"""The control for the outreach rows of the isolation harness (tests/isolation/test_isolation.py runs
specs_outreach_api and specs_outreach_pages for every plan role of plan B against plan A; DOMAIN 8,
ARCHITECTURE.md, Tenancy): in that same world, plan A's own staff see and change what the harness
says plan B's never do, so a leak would be caught."""

from ecm_platform.tenancy.models import Role
from tests.conftest import module_row_copies
from tests.isolation import specs_outreach_api, test_isolation
from tests.isolation.test_isolation import MARKER

# Plan A with one object of every kind (test_isolation's world, built once for this module too).
module_rows = test_isolation.module_rows
plan_a, admin_a, plan_a_world = module_row_copies("plan_a", "admin_a", "plan_a_world")


def test_plan_as_staff_reach_what_the_harness_refuses_plan_b(
    plan_a, admin_a, plan_a_world, make_membership, make_api_client
):
    coordinator_login = make_membership(plan_a, Role.CARE_COORDINATOR)
    coordinator = make_api_client(coordinator_login)
    listed = coordinator.get("/api/v1/outreach/engagements/").json()["results"]
    assert [row["id"] for row in listed] == [plan_a_world["engagement"]]
    attempts = coordinator.get(f"/api/v1/outreach/attempts/?engagement={plan_a_world['engagement']}")
    assert [row["id"] for row in attempts.json()["results"]] == [plan_a_world["attempt"]]
    assert MARKER.encode() in attempts.content
    page = test_isolation.browser_of(coordinator_login, plan_a).get(
        f"/outreach/engagements/{plan_a_world['engagement']}/"
    )
    assert MARKER.encode() in page.content
    analyst = make_api_client(make_membership(plan_a, Role.REPORTING_ANALYST))
    assert analyst.get(f"/api/v1/outreach/measure-runs/{plan_a_world['measure_run']}/").status_code == 200
    before = specs_outreach_api.outreach_snapshot(plan_a)
    changed = make_api_client(admin_a).put("/api/v1/settings/outreach/", specs_outreach_api.SETTINGS, format="json")
    assert changed.status_code == 200
    assert specs_outreach_api.outreach_snapshot(plan_a) != before
