"""A Community Supports provider sees only its own authorizations (issue 17 done-when; DOMAIN 9):
GET /api/v1/provider/authorizations/ and the provider page list the Community Supports requests
whose member a contracting plan placed with the caller's organization, across the plans it
contracts with; another provider's and another plan's never appear. A presumptive start names the
service (default ECM)."""

from datetime import date

import pytest
from django.test import Client

from authorizations.models import AuthorizationRequest, Status
from authorizations.selectors import community_supports_of_provider
from benefits.models import CatalogueService, Election
from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from ecm_platform.tenancy.scoping import across_plans
from providers.staff import provider_membership_create
from tests.authorizations.test_provider_presumptive import client_of
from tests.community_supports.test_cs_providers import cs_contract
from tests.factories import UserFactory, enrolled_member
from tests.providers.test_assignments import organization

START = "/api/v1/provider/presumptive-starts/"
LIST = "/api/v1/provider/authorizations/"


def elect(plan, code):
    """The plan offers `code` in county 01 from 2026 (DOMAIN 9)."""
    Election.objects.create(
        plan=plan, county=County.objects.get(code="01"), service=CatalogueService.objects.get(code=code),
        effective_from=date(2026, 1, 1), created_at=clocks.now(),
    )  # fmt: skip


def staff(org):
    return provider_membership_create(
        actor=OPERATOR, organization=org, user=UserFactory(), role=ProviderRole.CARE_MANAGER
    )


@pytest.fixture
def network(plan_a, plan_b):
    """Bayside contracts with plans A and B for sobering centers; Harbor with plan A only; Delta
    with plan B only. Each starts a sobering stay presumptively for a member of its plans."""
    with across_plans(reason="test fixture setup"):
        for plan in (plan_a, plan_b):
            elect(plan, "sobering-centers")
            elect(plan, "respite")
        bayside, harbor, delta = organization(plan_a, 0), organization(plan_a, 1), organization(plan_b, 2)
        for plan, org in ((plan_a, bayside), (plan_b, bayside), (plan_a, harbor), (plan_b, delta)):
            contract = cs_contract(plan, org, {"sobering-centers": 5, "respite": 5})
            type(contract).objects.filter(pk=contract.pk).update(is_presumptive_capable=True)
        logins = {name: staff(org) for name, org in (("bayside", bayside), ("harbor", harbor), ("delta", delta))}
        members = {
            key: enrolled_member(plan) for key, plan in (("a1", plan_a), ("a2", plan_a), ("b1", plan_b), ("b2", plan_b))
        }
    return {"bayside": bayside, "logins": logins, "members": members}


def start(login, plan, member, service=None):
    body = {"plan": plan.code, "cin": member.cin} | ({"service": service} if service else {})
    with clocks.frozen(clocks.now().replace(year=2026, month=11, day=16, hour=18)):
        response = client_of(login).post(START, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_presumptive_start_names_its_community_support_and_places_the_member(plan_a, network):
    """DOMAIN 5.1, 9: `service` names the Community Support; the member is placed with the caller."""
    started = start(network["logins"]["bayside"], plan_a, network["members"]["a1"], "sobering-centers")
    with across_plans(reason="test"):
        request = AuthorizationRequest.objects.select_related("service", "service_assignment").get(pk=started)
    assert (request.status, request.service.code) == (Status.PRESUMPTIVE, "sobering-centers")
    assert request.service_assignment.organization == network["bayside"]
    unknown = client_of(network["logins"]["bayside"]).post(
        START, {"plan": plan_a.code, "cin": network["members"]["a2"].cin, "service": "dental"}, format="json"
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["attr"]) == (400, "service")


def test_a_provider_lists_only_its_own_authorizations_in_its_contracting_plans(plan_a, plan_b, network):
    """Issue 17: a Community Supports provider sees only its own authorizations. Bayside sees its
    stays in plans A and B; Harbor's (plan A) and Delta's (plan B) never appear, by the raw
    query and over HTTP, and another's by id is a 404."""
    logins, members = network["logins"], network["members"]
    own_a = start(logins["bayside"], plan_a, members["a1"], "sobering-centers")
    own_b = start(logins["bayside"], plan_b, members["b1"], "respite")
    harbors = start(logins["harbor"], plan_a, members["a2"], "sobering-centers")
    deltas = start(logins["delta"], plan_b, members["b2"], "sobering-centers")
    with across_plans(reason="test: the raw selector"):
        principal = Principal.of_provider_membership(logins["bayside"], plan_ids=[plan_a.pk, plan_b.pk])
        assert sorted(r.pk for r in community_supports_of_provider(principal=principal)) == [own_a, own_b]
        in_a = community_supports_of_provider(principal=principal, plan_code=plan_a.code)
        assert [r.pk for r in in_a] == [own_a]
        # A plan the organization does not contract with is out of its principal's plans.
        only_a = Principal.of_provider_membership(logins["bayside"], plan_ids=[plan_a.pk])
        assert [r.pk for r in community_supports_of_provider(principal=only_a)] == [own_a]
    client = client_of(logins["bayside"])
    listed = client.get(LIST)
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [(row["id"], row["plan"]["code"], row["service"]) for row in rows] == [
        (own_b, plan_b.code, "respite"),
        (own_a, plan_a.code, "sobering-centers"),
    ]
    assert rows[0]["member_name"] == members["b1"].full_name and rows[0]["placement_ended_on"] is None
    assert [row["id"] for row in client.get(f"{LIST}?plan={plan_a.code}").json()["results"]] == [own_a]
    for other in (harbors, deltas):
        assert client.get(f"{LIST}{other}/").status_code == 404
    assert client.get(f"{LIST}{own_a}/").json()["id"] == own_a
    with across_plans(reason="test: the PHI log"):
        assert phi_accesses_naming(members["b1"].pk).filter(path=LIST).exists()
        assert not phi_accesses_naming(members["a2"].pk).filter(path=LIST).exists()
    delta_sees = [row["id"] for row in client_of(logins["delta"]).get(LIST).json()["results"]]
    assert delta_sees == [deltas]


def test_the_provider_page_lists_its_own_authorizations_only(plan_a, network):
    """DOMAIN 9: the same list in the browser, linked from the provider navigation; plan staff are refused."""
    logins, members = network["logins"], network["members"]
    start(logins["bayside"], plan_a, members["a1"], "sobering-centers")
    start(logins["harbor"], plan_a, members["a2"], "sobering-centers")
    browser = Client()
    browser.force_login(logins["bayside"].user)
    page = browser.get("/provider/authorizations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert members["a1"].full_name in text and members["a2"].full_name not in text
    assert 'href="/provider/authorizations/" aria-current="page"' in text
    with across_plans(reason="test: the PHI log"):
        assert phi_accesses_naming(members["a1"].pk).filter(path="/provider/authorizations/").exists()
    harbor = Client()
    harbor.force_login(logins["harbor"].user)
    assert members["a1"].full_name not in harbor.get("/provider/authorizations/").content.decode()


def test_plan_staff_are_refused_the_provider_page(plan_a, make_membership):
    """A plan principal is never taken for a provider one."""
    browser = Client()
    browser.force_login(make_membership(plan_a, Role.CARE_COORDINATOR).user)
    assert browser.get("/provider/authorizations/").status_code == 403
