"""Community Supports awaiting a provider (DOMAIN 9: approval assigns, or refers to, a contracted
provider of the service): an approval made while no line had room stands, and the member waits on
the "Awaiting a provider" worklist (and the API's `awaiting_provider` filter) until placed, from the
worklist's button or the request. Placed requests, ECM and other plans' requests are never listed."""

import re

import pytest

from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.community_supports.test_cs_approval import TUESDAY, approve, reviewed
from tests.community_supports.test_cs_requests import build_world, cs_contract, elect
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
PAGE = "/authorizations/awaiting-provider/"


@pytest.fixture
def world(plan_a, make_membership):
    """Recuperative care approved with no provider of it under contract; respite approved and
    placed with Bayside."""
    world = build_world(plan_a, make_membership)
    elect(world.plan, "recuperative-care")
    world.waiting = approve(world, reviewed(world, "recuperative-care"))
    world.placed = approve(world, reviewed(world, "respite"))
    return world


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_worklist_lists_the_approval_without_a_provider_only(client, world):
    assert world.waiting.service_assignment is None and world.placed.service_assignment is not None
    page = signed_in(client, world.coordinator).get(PAGE)
    assert page.status_code == 200
    text = text_of(page)
    assert f"Request {world.waiting.pk}" in text and "Recuperative Care" in text
    assert f"Request {world.placed.pk}" not in text
    assert "Place with most room" in text


def test_placing_from_the_worklist_takes_the_line_with_room_and_empties_the_list(client, world):
    """Harbor signs a recuperative care line: the coordinator's button places the member there."""
    harbor = organization(world.plan, 1)
    cs_contract(world.plan, harbor, {"recuperative-care": 2})
    browser = signed_in(client, world.coordinator)
    with clocks.frozen(TUESDAY):
        placed = browser.post(
            f"/authorizations/{world.waiting.pk}/assign_service_provider/",
            {"expected_status": "approved", "next": PAGE},
        )
        after = browser.get(PAGE)
    assert (placed.status_code, placed["Location"]) == (302, PAGE)
    world.waiting.refresh_from_db()
    assert world.waiting.service_assignment.organization == harbor
    assert "No Community Supports are waiting for a provider." in text_of(after)


def test_placing_with_no_room_yet_says_why_and_keeps_the_row(client, world):
    browser = signed_in(client, world.coordinator)
    with clocks.frozen(TUESDAY):
        refused = browser.post(
            f"/authorizations/{world.waiting.pk}/assign_service_provider/", {"expected_status": "approved"}
        )
    assert refused.status_code == 400
    assert "room" in text_of(refused).lower()
    world.waiting.refresh_from_db()
    assert world.waiting.service_assignment is None


def test_a_reviewer_reads_the_list_without_the_button(client, world, make_membership):
    text = text_of(signed_in(client, make_membership(world.plan, Role.REPORTING_ANALYST).user).get(PAGE))
    assert f"Request {world.waiting.pk}" in text and "Place with most room" not in text


def test_the_api_filter_answers_the_same_rows(world, make_membership, make_api_client):
    api = make_api_client(make_membership(world.plan, Role.INTEGRATOR))
    waiting = api.get("/api/v1/authorizations/?awaiting_provider=true").json()["results"]
    assert [row["id"] for row in waiting] == [world.waiting.pk]
    others = {row["id"] for row in api.get("/api/v1/authorizations/?awaiting_provider=false").json()["results"]}
    assert world.placed.pk in others and world.waiting.pk not in others


def test_another_plans_coordinator_sees_none_of_them(client, world, plan_b, make_membership):
    text = text_of(signed_in(client, make_membership(plan_b, Role.CARE_COORDINATOR).user).get(PAGE))
    assert "No Community Supports are waiting for a provider." in text
