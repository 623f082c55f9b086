"""The plan administrator's Community Supports elections page and the offered list (DOMAIN 9): the
windows explained, additions and removals through the services with their refusals on the form,
the list per county and day for every plan role."""

import re
from datetime import date

import pytest

from benefits.models import Election
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans
from tests.benefits.election_world import (  # noqa: F401
    alameda_fixture,
    frozen_today_fixture,
    respite_fixture,
    service_named,
)
from tests.conftest import membership_of

pytestmark = pytest.mark.usefixtures("in_plan_a", "frozen_today")
PAGE = "/settings/community-supports/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def as_role(client, plan_a):
    def sign_in(role):
        client.force_login(membership_of(plan_a, role).user)
        return client

    return sign_in


def test_the_page_explains_the_windows(as_role):
    """DOMAIN 9: additions on 1 January or 1 July, removals on 1 January; the next dates shown."""
    page = text_of(as_role(Role.PLAN_ADMINISTRATOR).get(PAGE))
    assert "1 January or 1 July (next: 2027-01-01)" in page
    assert "a removal takes effect on 1 January (next: 2027-01-01)" in page


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.REVIEWER, Role.REPORTING_ANALYST])
def test_only_the_administrator_has_the_page(as_role, role):
    """DOMAIN 1: elections are the plan administrator's."""
    assert as_role(role).get(PAGE).status_code == 403


def test_an_addition_is_saved_and_a_bad_date_named_on_the_form(as_role, plan_a, respite):
    """DOMAIN 9: 2027-03-01 is refused beside the field with the next valid date; 2027-07-01 is saved."""
    client = as_role(Role.PLAN_ADMINISTRATOR)
    form = {"county": "01", "service": respite.code, "effective_from": "2027-03-01", "note": "Board"}
    refused = client.post(PAGE, form)
    assert refused.status_code == 400 and "the next valid date is 2027-07-01" in text_of(refused)
    assert client.post(PAGE, {**form, "effective_from": "2027-07-01"}).status_code == 302
    assert Election.objects.get().effective_from == date(2027, 7, 1)


def test_a_removal_from_the_page(as_role, plan_a, alameda, respite):
    """DOMAIN 9: removed on 1 January, last day 31 December; off the anchor the page says why."""
    client = as_role(Role.PLAN_ADMINISTRATOR)
    client.post(PAGE, {"county": "01", "service": respite.code, "effective_from": "2027-01-01"})
    election = Election.objects.get()
    url = f"{PAGE}{election.pk}/remove/"
    refused = client.post(url, {"removal_date": "2028-07-01"})
    assert refused.status_code == 400 and "the next valid date is 2029-01-01" in text_of(refused)
    assert client.post(url, {"removal_date": "2028-01-01"}).status_code == 302
    election.refresh_from_db()
    assert election.effective_to == date(2027, 12, 31)


def test_another_plans_election_is_not_found(as_role, plan_a, plan_b, respite):
    """ARCHITECTURE: another plan's object is 404."""
    with across_plans(reason="test: plan B's election"):
        theirs = Election.objects.create(
            plan=plan_b, county=plan_b.counties.first(), service=respite, effective_from=date(2027, 1, 1),
            created_at="2026-11-01T00:00Z",
        )  # fmt: skip
    response = as_role(Role.PLAN_ADMINISTRATOR).post(f"{PAGE}{theirs.pk}/remove/", {"removal_date": "2028-01-01"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.PLAN_ADMINISTRATOR])
def test_the_offered_list_per_county_and_day(as_role, plan_a, alameda, respite, role):
    """DOMAIN 9: elected and mandatory services, for every plan role, on the day asked."""
    Election.objects.create(
        plan=plan_a, county=alameda, service=respite, effective_from=date(2027, 1, 1), created_at="2026-11-01T00:00Z"
    )
    rent = service_named("rent", mandatory_from=date(2026, 1, 1))
    client = as_role(role)
    before = text_of(client.get("/community-supports/offered/?county=01&on=2026-12-31"))
    after = text_of(client.get("/community-supports/offered/?county=01&on=2027-01-01"))
    assert rent.name in before and respite.name not in before
    assert respite.name in after and rent.name in after and "(mandatory)" in after
    assert client.get("/community-supports/offered/?county=19").status_code == 400  # not plan A's county
