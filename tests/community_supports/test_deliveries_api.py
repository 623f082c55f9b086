"""The deliveries API (DOMAIN 9): the plan's /api/v1/community-supports/deliveries/ and the
provider's /api/v1/provider/community-supports/deliveries/, recording through the same checks
(authorized period and quantity, the service's limits again) and answering them at their fields;
another provider's placement is no such placement; every read is in the PHI access log."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from community_supports.models import Delivery
from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccessMember
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import ProviderRole, Role
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.community_supports.test_deliveries import LATER, active_request, cs_contract, cs_world
from tests.conftest import api_client_of, membership_of
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("in_plan_a")
PLAN_URL = "/api/v1/community-supports/deliveries/"
PROVIDER_URL = "/api/v1/provider/community-supports/deliveries/"


@pytest.fixture
def world(plan_a, make_membership):
    world = cs_world(plan_a, make_membership)
    world.respite = active_request(
        world, "respite", service_from=date(2026, 11, 16), service_to=date(2027, 3, 31), quantity=Decimal("400"),
        override="Caregiver hospitalized.",
    )  # fmt: skip
    return world


def provider_api(organization, role=ProviderRole.CARE_MANAGER) -> APIClient:
    login = provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)
    _, raw_key = provider_api_key_issue(actor=OPERATOR, provider_membership=login, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def body(request, first, last, quantity, **fields):
    return {"request": request.pk, "delivered_from": first, "delivered_to": last, "quantity": quantity, **fields}


def post(client, url, data):
    with clocks.frozen(LATER):
        return client.post(url, data, format="json")


def get(client, url):
    with clocks.frozen(LATER):
        return client.get(url)


def errors_of(response) -> set:
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def test_a_coordinator_records_and_lists_deliveries(world, plan_a):
    """DOMAIN 9: recorded under the authorization, listed with its service and provider."""
    coordinator = membership_of(plan_a, Role.CARE_COORDINATOR)
    api = api_client_of(coordinator)
    created = post(api, PLAN_URL, body(world.respite, "2026-11-20", "2026-11-22", "24.5", notes="Weekend"))
    assert created.status_code == 201, created.json()
    assert created.json() | {"id": 0, "recorded_at": ""} == {
        "id": 0, "request": world.respite.pk, "member": world.member.pk, "service": "respite",
        "organization": world.bayside.pk, "delivered_from": "2026-11-20", "delivered_to": "2026-11-22",
        "quantity": "24.50", "limit_override_reason": "", "notes": "Weekend", "recorded_by": coordinator.user.username,
        "recorded_at": "",
    }  # fmt: skip
    listed = get(api, f"{PLAN_URL}?member={world.member.pk}")
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]
    assert PhiAccessMember.objects.filter(member_id=world.member.pk).exists()


def test_the_plan_api_answers_each_refusal_at_its_field(world, plan_a):
    """DOMAIN 9: outside the period; above the 336 respite hours of 2026 without a reason."""
    api = api_client_of(membership_of(plan_a, Role.CARE_COORDINATOR))
    early = post(api, PLAN_URL, body(world.respite, "2026-11-15", "2026-11-15", "4"))
    assert early.status_code == 400 and errors_of(early) == {("delivered_from", "outside_period")}
    assert post(api, PLAN_URL, body(world.respite, "2026-11-16", "2026-12-31", "336")).status_code == 201
    over = post(api, PLAN_URL, body(world.respite, "2026-12-31", "2026-12-31", "1"))
    assert over.status_code == 400 and errors_of(over) == {("limit_override_reason", "limit_override_reason_required")}
    passed = post(api, PLAN_URL, body(world.respite, "2026-12-31", "2026-12-31", "1", limit_override_reason="Crisis"))
    assert passed.status_code == 201 and passed.json()["limit_override_reason"] == "Crisis"


def test_a_reviewer_may_read_but_not_record(world, plan_a):
    api = api_client_of(membership_of(plan_a, Role.REVIEWER))
    assert get(api, PLAN_URL).status_code == 200
    assert post(api, PLAN_URL, body(world.respite, "2026-11-20", "2026-11-20", "4")).status_code == 403
    assert not Delivery.objects.exists()


def test_another_plans_request_does_not_exist_for_the_plan_api(world, plan_b):
    api = api_client_of(membership_of(plan_b, Role.CARE_COORDINATOR))
    refused = post(api, PLAN_URL, body(world.respite, "2026-11-20", "2026-11-20", "4"))
    assert refused.status_code == 400 and ("request", "does_not_exist") in errors_of(refused)
    assert get(api, PLAN_URL).json()["results"] == []


def test_the_placed_provider_records_through_its_api_and_another_provider_cannot(world):
    """DOMAIN 9: the provider the member is placed with records; another contracted provider's
    staff find no such placement, and see none of its deliveries."""
    bayside = provider_api(world.bayside)
    created = post(bayside, PROVIDER_URL, body(world.respite, "2026-11-20", "2026-11-20", "8"))
    assert created.status_code == 201, created.json()
    assert created.json()["plan"] == {"code": "plan-a", "name": "Alpha Health Plan"}
    assert [row["id"] for row in get(bayside, PROVIDER_URL).json()["results"]] == [created.json()["id"]]
    cs_contract(world.plan, world.harbor, {"respite": 5})
    harbor = provider_api(world.harbor)
    refused = post(harbor, PROVIDER_URL, body(world.respite, "2026-11-21", "2026-11-21", "8"))
    assert refused.status_code == 400 and errors_of(refused) == {("request", "not_found")}
    assert get(harbor, PROVIDER_URL).json()["results"] == []
    assert Delivery.objects.count() == 1


def test_provider_outreach_staff_may_not_record(world):
    outreach = provider_api(world.bayside, ProviderRole.OUTREACH_STAFF)
    assert post(outreach, PROVIDER_URL, body(world.respite, "2026-11-20", "2026-11-20", "8")).status_code == 403


def test_the_provider_api_answers_the_quantity_above_the_authorization(world):
    """DOMAIN 9: 400 hours authorized: 401 at once is above it."""
    refused = post(provider_api(world.bayside), PROVIDER_URL, body(world.respite, "2027-01-04", "2027-03-01", "401"))
    assert refused.status_code == 400 and errors_of(refused) == {("quantity", "above_authorized")}
