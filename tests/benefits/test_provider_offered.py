"""The Community Supports a contracting plan offers per county and day, for provider staff (DOMAIN
9: the plan's public list of offered services): only the plans their organization contracts with;
plan staff are refused the provider page."""

import re
from datetime import date

import pytest

from benefits.models import CatalogueService, Election
from ecm_platform import clocks
from ecm_platform.tenancy.models import County, Role
from tests.community_supports.test_cs_requests import cs_contract, staff_of
from tests.conftest import membership_of
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
PAGE = "/provider/community-supports/offered/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def provider_client(client, plan_a, plan_b):
    """A care manager of a provider under contract with plan A only; plan A elects respite in
    county 01 from 2027-01-01."""
    Election.objects.create(
        plan=plan_a, county=County.objects.get(code="01"), service=CatalogueService.objects.get(code="respite"),
        effective_from=date(2027, 1, 1), created_at=clocks.now(),
    )  # fmt: skip
    provider = organization(plan_a, 0)
    cs_contract(plan_a, provider, {"respite": 5})
    client.force_login(staff_of(plan_a, provider).user)
    return client


def test_provider_staff_see_what_a_contracting_plan_offers(provider_client, plan_a):
    """DOMAIN 9: respite is offered in county 01 from 2027-01-01, not the day before; Transitional
    Rent is mandatory from 2026-01-01."""
    page = text_of(provider_client.get(PAGE, {"plan": plan_a.code, "county": "01", "on": "2027-01-01"}))
    assert f"{plan_a.name}: {County.objects.get(code='01')} on 2027-01-01" in page
    assert "Respite Services" in page and "Transitional Rent (mandatory)" in page
    before = text_of(provider_client.get(PAGE, {"plan": plan_a.code, "county": "01", "on": "2026-12-31"}))
    assert "Respite Services" not in before and "Transitional Rent (mandatory)" in before


def test_a_plan_the_organization_does_not_contract_with_is_not_a_choice(provider_client, plan_b):
    """ARCHITECTURE: plan B is not the organization's: a form error, nothing listed."""
    refused = provider_client.get(PAGE, {"plan": plan_b.code, "county": "01"})
    assert refused.status_code == 400 and "Offered services" not in refused.content.decode()


def test_a_county_the_plan_does_not_serve_is_refused(provider_client, plan_a):
    """DOMAIN 9: Los Angeles is not one of plan A's counties."""
    refused = provider_client.get(PAGE, {"plan": plan_a.code, "county": "19"})
    assert refused.status_code == 400 and "is not one of" in text_of(refused)


def test_plan_staff_are_refused_the_provider_page(client, plan_a):
    """DOMAIN 1: plan staff have the plan's own offered page."""
    client.force_login(membership_of(plan_a, Role.CARE_COORDINATOR).user)
    assert client.get(PAGE).status_code == 403
    assert client.get("/community-supports/offered/").status_code == 200
