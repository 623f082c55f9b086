"""The Community Supports pages (DOMAIN 9): "Community Supports of <member>" with the member's
requests, deliveries and the remaining allowance per service (with empty states), one
authorization's page with the delivery form for whoever may record, and the provider's own
placements; another provider's placement is missing (404)."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community_supports.models import Delivery
from ecm_platform import clocks
from ecm_platform.tenancy.models import ProviderRole, Role
from tests.community_supports.test_deliveries import LA, active_request, cs_contract, cs_world, record, staff_of
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")
# The pages are read in December 2026: the respite authorized in November counts to 2026 (DOMAIN 9).
DECEMBER = datetime(2026, 12, 15, 10, tzinfo=LA)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def get(client, url):
    with clocks.frozen(DECEMBER):
        return client.get(url)


def post(client, url, data):
    with clocks.frozen(DECEMBER):
        return client.post(url, data)


@pytest.fixture
def world(plan_a, make_membership):
    """A member with two Community Supports and no ECM: 200 hours of respite (60 delivered) and
    medically tailored meals, 2 a day."""
    world = cs_world(plan_a, make_membership)
    world.respite = active_request(
        world, "respite", service_from=date(2026, 11, 16), service_to=date(2027, 3, 31), quantity=Decimal("200")
    )
    world.meals = active_request(
        world, "medically-tailored-meals", service_from=date(2026, 11, 16), service_to=date(2027, 1, 31),
        quantity=Decimal("2"),
    )  # fmt: skip
    record(world, world.respite, date(2026, 11, 20), date(2026, 11, 30), "60", notes="Evenings")
    return world


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_members_page_shows_requests_deliveries_and_the_remaining_allowance(client, world):
    """DOMAIN 9: the remaining allowance is shown on the member: respite 336 hours in 2026, the
    200 authorized counted, 136 left; each request with what was delivered under it."""
    page = text_of(get(signed_in(client, world.coordinator), f"/community-supports/members/{world.member.pk}/"))
    assert f"Community Supports of {world.member.full_name}" in page
    assert f'<a href="/community-supports/requests/{world.respite.pk}/">Respite Services</a>' in page
    assert f'<a href="/community-supports/requests/{world.meals.pk}/">Medically Tailored Meals' in page
    respite_row = page[page.index('<th scope="row" rowspan="1">Respite Services</th>') :][:400]
    assert "<td>336 hours</td> <td>200 hours</td> <td>136 hours</td>" in respite_row
    assert "<td>200.00</td> <td>60.00</td>" in page  # authorized, delivered
    assert "Evenings" in page and "No Community Supports request for this member." not in page


def test_a_member_without_community_supports_sees_the_empty_states(client, world, plan_a):
    """DOMAIN 9: a member need not have any; the limits still show their whole allowance."""
    member = enrolled_member(plan_a)
    page = text_of(get(signed_in(client, world.coordinator), f"/community-supports/members/{member.pk}/"))
    assert "No Community Supports request for this member." in page
    assert "Nothing recorded as delivered to this member yet." in page
    respite_row = page[page.index('<th scope="row" rowspan="1">Respite Services</th>') :][:400]
    assert "<td>336 hours</td> <td>0 hours</td> <td>336 hours</td>" in respite_row


def test_another_plans_member_is_missing(client, world, plan_b, make_membership):
    other = signed_in(client, make_membership(plan_b, Role.CARE_COORDINATOR).user)
    assert get(other, f"/community-supports/members/{world.member.pk}/").status_code == 404
    assert get(other, f"/community-supports/requests/{world.respite.pk}/").status_code == 404


def test_a_coordinator_records_a_delivery_on_the_request_page(client, world):
    """DOMAIN 9: the form records through the service; what is left of the authorization follows."""
    coordinator = signed_in(client, world.coordinator)
    url = f"/community-supports/requests/{world.respite.pk}/"
    page = text_of(get(coordinator, url))
    assert "Record a delivery" in page and "<dd>60.00 hours</dd>" in page and "<dd>140.00 hours</dd>" in page
    done = post(coordinator, url, {"delivered_from": "2026-12-01", "delivered_to": "2026-12-02", "quantity": "10"})
    assert done.status_code == 302 and Delivery.objects.filter(request=world.respite).count() == 2
    assert "<dd>130.00 hours</dd>" in text_of(get(coordinator, url))


def test_the_request_page_shows_a_refusal_beside_its_field(client, world):
    """DOMAIN 9: a delivery outside the authorized period is refused, the form kept."""
    url = f"/community-supports/requests/{world.respite.pk}/"
    refused = post(
        signed_in(client, world.coordinator), url,
        {"delivered_from": "2026-11-01", "delivered_to": "2026-11-02", "quantity": "4"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "The authorization covers services from 2026-11-16: the delivery starts earlier." in text_of(refused)
    assert Delivery.objects.count() == 1


def test_a_reviewer_reads_the_request_page_without_the_form_and_may_not_post(client, world):
    reviewer = signed_in(client, world.reviewer)
    url = f"/community-supports/requests/{world.respite.pk}/"
    assert "Record a delivery" not in text_of(get(reviewer, url))
    assert (
        post(reviewer, url, {"delivered_from": "2026-12-01", "delivered_to": "2026-12-01", "quantity": "1"}).status_code
        == 403
    )
    assert Delivery.objects.count() == 1


def test_the_plans_deliveries_page_lists_them_and_says_when_there_are_none(client, world, plan_b, make_membership):
    page = text_of(get(signed_in(client, world.coordinator), "/community-supports/deliveries/"))
    assert world.member.full_name in page and "Evenings" in page
    client.logout()
    other = signed_in(client, make_membership(plan_b, Role.CARE_COORDINATOR).user)
    assert "No Community Support has been recorded as delivered yet." in text_of(
        get(other, "/community-supports/deliveries/")
    )


def test_the_provider_sees_and_records_its_own_placements_only(client, world):
    """DOMAIN 9: a Community Supports provider sees only its own authorizations."""
    bayside = signed_in(client, staff_of(world.plan, world.bayside).user)
    page = text_of(get(bayside, "/provider/community-supports/"))
    assert f'href="/provider/community-supports/{world.respite.pk}/"' in page
    assert f'href="/provider/community-supports/{world.meals.pk}/"' in page
    url = f"/provider/community-supports/{world.meals.pk}/"
    assert "Record a delivery" in text_of(get(bayside, url))
    done = post(bayside, url, {"delivered_from": "2026-11-16", "delivered_to": "2026-11-22", "quantity": "2"})
    assert done.status_code == 302 and Delivery.objects.get(request=world.meals).organization == world.bayside
    client.logout()
    cs_contract(world.plan, world.harbor, {"respite": 5})
    harbor = signed_in(client, staff_of(world.plan, world.harbor).user)
    assert "No member is placed with your organization" in text_of(get(harbor, "/provider/community-supports/"))
    assert get(harbor, url).status_code == 404
    assert (
        post(harbor, url, {"delivered_from": "2026-11-23", "delivered_to": "2026-11-23", "quantity": "2"}).status_code
        == 404
    )


def test_provider_outreach_staff_read_but_get_no_form(client, world):
    outreach = signed_in(client, staff_of(world.plan, world.bayside, ProviderRole.OUTREACH_STAFF).user)
    assert "Record a delivery" not in text_of(get(outreach, f"/provider/community-supports/{world.respite.pk}/"))


def test_plan_staff_cannot_open_the_provider_pages(client, world):
    assert get(signed_in(client, world.coordinator), "/provider/community-supports/").status_code == 403


@pytest.mark.parametrize(
    "url_of",
    [
        lambda world: f"/community-supports/members/{world.member.pk}/",
        lambda world: f"/community-supports/requests/{world.respite.pk}/",
        lambda world: "/community-supports/deliveries/",
    ],
    ids=["member", "request", "deliveries"],
)
def test_the_plan_pages_cost_the_same_queries_whatever_the_deliveries(client, world, url_of):
    """A page of deliveries is a fixed number of queries (at most 12, the pages' budget), not one
    per row."""
    coordinator = signed_in(client, world.coordinator)
    get(coordinator, url_of(world))  # the session's first request settles it
    with CaptureQueriesContext(connection) as one:
        assert get(coordinator, url_of(world)).status_code == 200
    for day in (1, 2, 3):
        record(world, world.respite, date(2026, 12, day), date(2026, 12, day), "4")
    with CaptureQueriesContext(connection) as four:
        assert get(coordinator, url_of(world)).status_code == 200
    assert len(four) == len(one) <= 12, [query["sql"][:120] for query in four]


def test_the_provider_pages_cost_the_same_queries_whatever_the_rows(client, world):
    staff = signed_in(client, staff_of(world.plan, world.bayside).user)
    for url in ("/provider/community-supports/", f"/provider/community-supports/{world.respite.pk}/"):
        get(staff, url)
        with CaptureQueriesContext(connection) as before:
            get(staff, url)
        record(world, world.respite, date(2026, 12, 1), date(2026, 12, 1), "1")
        with CaptureQueriesContext(connection) as after:
            get(staff, url)
        assert len(after) == len(before) <= 12, [query["sql"][:120] for query in after]
