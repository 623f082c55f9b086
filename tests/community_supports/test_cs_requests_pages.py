"""Community Supports requests in the browser and the API (DOMAIN 5.1, 5.2, 9): the request form's
service select and Community Support fields (no script needed), the approval checklist, the
request page's provider and remaining allowance, the worklist's service, and the API's fields."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from authorizations.models import AuthorizationRequest, Status
from authorizations.services import request_approve, request_start_review, request_start_services
from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.community_supports.test_cs_requests import MONDAY, build_world, cs_contract, elect, service, submit
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def world(plan_a, make_membership):
    return build_world(plan_a, make_membership)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_request_form_offers_the_services_ecm_first_and_submits_a_community_support(world, client):
    """DOMAIN 9: the form lists ECM first, then the Community Supports; a respite request with its
    period and quantity is received on its own clock (routine: not urgent)."""
    client.force_login(world.coordinator)
    with clocks.frozen(MONDAY):
        page = client.get(f"/authorizations/new/?member={world.member.pk}")
        codes = re.findall(r'<option value="([a-z-]+)"', page.content.decode())
        assert codes[0] == "ecm" and {"respite", "sobering-centers"} <= set(codes)
        assert 'name="service_from"' in page.content.decode()
        sent = client.post(
            f"/authorizations/new/?member={world.member.pk}",
            {"service": "respite", "source": "provider_referral", "urgency": "routine",
             "service_from": "2026-11-20", "service_to": "2026-11-22", "quantity": "48"},
        )  # fmt: skip
    request = AuthorizationRequest.objects.get(member=world.member)
    assert sent.status_code == 302 and sent["Location"] == f"/authorizations/{request.pk}/"
    assert (request.service.code, str(request.quantity)) == ("respite", "48.00")


def test_the_form_names_the_retro_rule_on_the_field(world, client):
    """DOMAIN 9: a retroactive respite request is refused on the stay's field, with the rule."""
    client.force_login(world.coordinator)
    with clocks.frozen(MONDAY):
        page = client.post(
            f"/authorizations/new/?member={world.member.pk}",
            {"service": "respite", "source": "provider_referral", "urgency": "routine",
             "service_began_at": "2026-11-16T07:00"},
        )  # fmt: skip
    assert page.status_code == 200
    assert "only sobering center stays may be" in text_of(page)
    assert not AuthorizationRequest.objects.filter(member=world.member).exists()


def test_the_approval_form_is_the_services_checklist_and_places_the_member(world, client, make_membership):
    """DOMAIN 9: the reviewer ticks every item of the checklist; the request page then names the
    service, its provider and the remaining respite allowance (336 hours a year, none used, 24 asked)."""
    request = submit(world, "respite", quantity=Decimal("24"), service_from=date(2026, 11, 20),
                     service_to=date(2026, 11, 22))  # fmt: skip
    reviewer = make_membership(world.plan, Role.REVIEWER).user
    client.force_login(reviewer)
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        client.post(f"/authorizations/{request.pk}/start_review/", {"expected_status": "received"})
        page = text_of(client.get(f"/authorizations/{request.pk}/"))
        assert "Respite Services request" in page
        for item in service("respite").eligibility_criteria:
            assert f'name="approve-criteria_met" value="{item}"' in page
        assert "discretionary_justification" not in page
        refused = client.post(f"/authorizations/{request.pk}/approve/",
                              {"expected_status": "in_review", "approve-decision": "full"})  # fmt: skip
        assert refused.status_code == 400 and "Attest every eligibility criterion" in text_of(refused)
        client.post(
            f"/authorizations/{request.pk}/approve/",
            {"expected_status": "in_review", "approve-decision": "full",
             "approve-criteria_met": service("respite").eligibility_criteria},
        )  # fmt: skip
        page = text_of(client.get(f"/authorizations/{request.pk}/"))
    assert AuthorizationRequest.objects.get(pk=request.pk).status == Status.APPROVED
    assert "<dt>Placed with</dt><dd>Provider 0</dd>" in page
    # Allowed, used by the member's other requests, asked by this one, and what remains before it.
    assert "<td>336.00 hours</td><td>0</td><td>24.00</td><td>336.00</td>" in page


def test_the_worklist_shows_the_service(world, client):
    """DOMAIN 9: the reviewer sees which service each open request asks for."""
    submit(world, "sobering-centers")
    client.force_login(world.coordinator)
    with clocks.frozen(MONDAY):
        page = text_of(client.get("/authorizations/"))
    assert "Sobering Centers" in page


def test_the_api_submits_and_approves_a_community_support(world, make_api_client, make_membership):
    """DOMAIN 9: `service`, the period and `criteria_met` through the API; 400 names the field."""
    coordinator = make_api_client(make_membership(world.plan, Role.CARE_COORDINATOR))
    reviewer = make_api_client(make_membership(world.plan, Role.REVIEWER))
    with clocks.frozen(MONDAY):
        bad = coordinator.post(
            "/api/v1/authorizations/",
            {"member": world.member.pk, "service": "respite", "source": "provider_referral",
             "service_from": "2026-11-22", "service_to": "2026-11-20"},
            format="json",
        )  # fmt: skip
        assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "service_to"
        made = coordinator.post(
            "/api/v1/authorizations/",
            {"member": world.member.pk, "service": "sobering-centers", "source": "provider_referral", "quantity": "6"},
            format="json",
        )
        assert made.status_code == 201
        body = made.json()
        assert (body["service"], body["urgency"], body["service_provider"]) == ("sobering-centers", "expedited", None)
        pk = body["id"]
        reviewer.post(f"/api/v1/authorizations/{pk}/start-review/", format="json")
        approved = reviewer.post(
            f"/api/v1/authorizations/{pk}/approve/",
            {"criteria_met": service("sobering-centers").eligibility_criteria},
            format="json",
        )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["service_provider"] == world.bayside.pk
    assert approved.json()["criteria_met"] == service("sobering-centers").eligibility_criteria


def test_a_community_supports_discontinuation_is_decided_on_its_own_criterion(world, client, make_membership):
    """FAQ 39 (DOMAIN 6's four reasons are ECM's): the discontinue form of an active respite request
    lists respite's own criteria, and the decision records the one chosen."""
    request = submit(world, "respite", quantity=Decimal("24"), service_from=date(2026, 11, 20),
                     service_to=date(2026, 11, 22))  # fmt: skip
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        request = request_start_review(plan=world.plan, actor=world.reviewer, request=request)
        request = request_approve(plan=world.plan, actor=world.reviewer, request=request,
                                  criteria_met=service("respite").eligibility_criteria)  # fmt: skip
        request_start_services(plan=world.plan, actor=world.coordinator, request=request)
    client.force_login(world.reviewer)
    with clocks.frozen(MONDAY + timedelta(days=1)):
        page = text_of(client.get(f"/authorizations/{request.pk}/"))
        codes = [c["code"] for c in service("respite").discontinuation_criteria]
        for code in codes:
            assert f'<option value="{code}">' in page
        assert 'name="discontinue-reason"' not in page
        client.post(
            f"/authorizations/{request.pk}/discontinue/",
            {"expected_status": "active", "discontinue-criterion": codes[0], "discontinue-effective_on": "2026-12-01"},
        )
    decided = AuthorizationRequest.objects.get(pk=request.pk)
    assert (decided.discontinuation_criterion, decided.discontinuation_reason) == (codes[0], "")
    assert decided.discontinuation_effective_on == date(2026, 12, 1)


def test_the_api_places_an_approved_community_support_later(world, make_api_client, make_membership):
    """DOMAIN 9: approved with no provider of recuperative care with room, the coordinator places the
    member once one contracts: 400 while none has room, 200 with the provider, 409 once placed."""
    elect(world.plan, "recuperative-care")
    request = submit(world, "recuperative-care", service_from=date(2026, 11, 20), service_to=date(2026, 12, 10))
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        request = request_start_review(plan=world.plan, actor=world.reviewer, request=request)
        request = request_approve(plan=world.plan, actor=world.reviewer, request=request,
                                  criteria_met=service("recuperative-care").eligibility_criteria)  # fmt: skip
    coordinator = make_api_client(make_membership(world.plan, Role.CARE_COORDINATOR))
    url = f"/api/v1/authorizations/{request.pk}/assign-service-provider/"
    with clocks.frozen(MONDAY + timedelta(days=1)):
        none = coordinator.post(url, {}, format="json")
        assert none.status_code == 400 and none.json()["errors"][0]["attr"] == "organization"
        harbor = organization(world.plan, 1)
        cs_contract(world.plan, harbor, {"recuperative-care": 3})
        placed = coordinator.post(url, {"organization": harbor.pk}, format="json")
        assert placed.status_code == 200 and placed.json()["service_provider"] == harbor.pk
        again = coordinator.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_placed"
