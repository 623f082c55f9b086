"""GET /api/v1/column-maps/ and PUT /api/v1/column-maps/{kind}/ (DOMAIN 11), and the settings page."""

import pytest

from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.exchange.test_column_maps import TODAY

pytestmark = pytest.mark.usefixtures("in_plan_a")
URL = "/api/v1/column-maps/invoice/"
OVERLAY = {"effective_from": "2026-11-30", "renamed": {"member_cin": "Subscriber ID"}, "extra_required": ["amount"]}


def test_every_role_reads_the_map_and_only_the_administrator_sets_the_overlay(plan_a, make_membership, make_api_client):
    coordinator = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    admin = make_api_client(make_membership(plan_a, Role.PLAN_ADMINISTRATOR))
    listed = coordinator.get("/api/v1/column-maps/").json()
    assert [row["kind"] for row in listed] == ["invoice"]
    with clocks.frozen(TODAY):
        assert coordinator.put(URL, OVERLAY, format="json").status_code == 403
        response = admin.put(URL, OVERLAY, format="json")
    assert response.status_code == 200, response.json()
    with clocks.frozen(TODAY):
        columns = coordinator.get(URL).json()["columns"]
    cin = next(column for column in columns if column["field"] == "member_cin")
    assert (cin["header"], cin["renamed_from"]) == ("Subscriber ID", "Member CIN")
    assert coordinator.get(f"{URL}?on=2026-11-29").json()["overlay_from"] is None
    assert coordinator.get("/api/v1/column-maps/mif/").status_code == 404


def test_a_bad_overlay_is_400_on_its_field(plan_a, make_membership, make_api_client):
    admin = make_api_client(make_membership(plan_a, Role.PLAN_ADMINISTRATOR))
    with clocks.frozen(TODAY):
        response = admin.put(URL, OVERLAY | {"renamed": {"nope": "X"}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "renamed"


def test_the_page_shows_the_map_and_the_administrator_sets_an_overlay(plan_a, make_membership, client):
    admin = make_membership(plan_a, Role.PLAN_ADMINISTRATOR)
    from tests.isolation.test_isolation import browser_of

    browser = browser_of(admin, plan_a)
    page = browser.get("/settings/column-maps/invoice/")
    assert page.status_code == 200 and b"Modifier 4" in page.content and b"Save the overlay" in page.content
    with clocks.frozen(TODAY):
        posted = browser.post(
            "/settings/column-maps/invoice/",
            {
                "effective_from": "2026-11-30",
                "renamed": "member_cin = Subscriber ID",
                "extra_columns": "region | Region | required",
            },
        )
    assert posted.status_code == 302
    with clocks.frozen(TODAY):
        assert b"Subscriber ID" in browser.get("/settings/column-maps/invoice/").content
    analyst = browser_of(make_membership(plan_a, Role.REPORTING_ANALYST), plan_a)
    assert b"Save the overlay" not in analyst.get("/settings/column-maps/invoice/").content
    assert analyst.post("/settings/column-maps/invoice/", {"effective_from": "2026-11-30"}).status_code == 403
