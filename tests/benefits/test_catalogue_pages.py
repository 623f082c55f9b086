"""The catalogue pages (DOMAIN 9): every plan role and provider staff read the same reference rows;
a service page shows its codes, limits (the combined cap with its three services) and criteria."""

import re

import pytest

from ecm_platform.tenancy.models import Role
from tests.outreach.world import organization_of, staff_of

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.REVIEWER, Role.PLAN_ADMINISTRATOR])
def test_every_plan_role_reads_the_catalogue(client, plan_a, make_membership, role, django_assert_max_num_queries):
    """DOMAIN 9: ECM and the 15 Community Supports with old names and code pairs, in few queries."""
    client.force_login(make_membership(plan_a, role).user)
    with django_assert_max_num_queries(20):
        response = client.get("/catalogue/")
    page = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'href="/catalogue/[-a-z0-9]+/"', page)) == 16
    assert "Nursing Facility Transition/Diversion to Assisted Living Facilities (until 2024-12-31)" in page
    assert "H0044 U2" in page and "H0044 U6" in page and "G9008 U1 GQ" in page
    assert "Mandatory from 2026-01-01" in page
    assert 'href="/catalogue/" aria-current="page">Services catalogue' in page


def test_a_service_page_shows_codes_limits_and_criteria(client, plan_a, make_membership, django_assert_max_num_queries):
    """DOMAIN 9: the combined 6-in-12 cap names its three services; criteria are the service's own."""
    client.force_login(make_membership(plan_a).user)
    with django_assert_max_num_queries(20):
        response = client.get("/catalogue/recuperative-care/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Recuperative Care (Medical Respite)</h1>" in page
    assert "T2033" in page and "90 days" in page and "6 in 12 months in any rolling 12 months" in page
    assert "Short-Term Post-Hospitalization Housing; Recuperative Care (Medical Respite); Transitional Rent" in page
    assert "Ninety continuous days reached" in page


def test_sobering_centers_page_says_retroactive_and_exempt(client, plan_a, make_membership):
    """DOMAIN 9: sobering centers may be authorized retroactively and are closed-loop exempt."""
    client.force_login(make_membership(plan_a).user)
    page = client.get("/catalogue/sobering-centers/").content.decode()
    assert "<dd>Allowed</dd>" in page and "<dd>Exempt</dd>" in page
    respite = client.get("/catalogue/respite/").content.decode()
    assert "<dd>Not allowed</dd>" in respite and "336 hours" in respite and "(override with a reason)" in respite


def test_an_unknown_service_is_404(client, plan_a, make_membership):
    client.force_login(make_membership(plan_a).user)
    assert client.get("/catalogue/no-such-service/").status_code == 404


def test_provider_staff_read_the_catalogue(client, plan_a):
    """Shared reference data: provider staff read it too (staff_page), from their own nav."""
    client.force_login(staff_of(plan_a, organization_of(plan_a)).user)
    response = client.get("/catalogue/")
    assert response.status_code == 200
    assert 'href="/catalogue/" aria-current="page">Services catalogue' in response.content.decode()
    assert client.get("/catalogue/housing-deposits/").status_code == 200


def test_signed_out_is_sent_to_login(client):
    response = client.get("/catalogue/")
    assert response.status_code == 302 and "/login/" in response["Location"]
