"""/api/v1/community-supports/elections/ and /offered/ (DOMAIN 9): list, add and remove through the
services (their refusals as field errors), the offered list per county and day."""

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
from tests.conftest import api_client_of, membership_of

pytestmark = pytest.mark.usefixtures("in_plan_a", "frozen_today")
ELECTIONS = "/api/v1/community-supports/elections/"
OFFERED = "/api/v1/community-supports/offered/"


def client_as(plan, role):
    return api_client_of(membership_of(plan, role))


def errors_of(response) -> list:
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def test_the_administrator_adds_and_removes(plan_a, respite):
    """DOMAIN 9: added on 1 July, removed on 1 January (last day 31 December)."""
    api = client_as(plan_a, Role.PLAN_ADMINISTRATOR)
    added = api.post(ELECTIONS, {"county": "01", "service": respite.code, "effective_from": "2027-07-01"})
    assert added.status_code == 201, added.json()
    assert (added.json()["county"], added.json()["service"], added.json()["effective_to"]) == ("01", respite.code, None)
    removed = api.post(f"{ELECTIONS}{added.json()['id']}/remove/", {"removal_date": "2028-01-01"})
    assert removed.status_code == 200 and removed.json()["effective_to"] == "2027-12-31"


def test_refusals_are_field_errors(plan_a, respite):
    """DOMAIN 9: an addition off the anchors, a removal on 1 July."""
    api = client_as(plan_a, Role.PLAN_ADMINISTRATOR)
    refused = api.post(ELECTIONS, {"county": "01", "service": respite.code, "effective_from": "2027-02-01"})
    assert refused.status_code == 400 and errors_of(refused) == [("effective_from", "not_an_anchor")]
    assert "2027-07-01" in refused.json()["errors"][0]["detail"]
    election = api.post(ELECTIONS, {"county": "01", "service": respite.code, "effective_from": "2027-01-01"}).json()
    refused = api.post(f"{ELECTIONS}{election['id']}/remove/", {"removal_date": "2027-07-01"})
    assert refused.status_code == 400 and errors_of(refused) == [("removal_date", "not_an_anchor")]


def test_coordinators_read_but_do_not_write(plan_a, alameda, respite):
    """DOMAIN 1: elections are the plan administrator's; every plan role reads them."""
    Election.objects.create(
        plan=plan_a, county=alameda, service=respite, effective_from=date(2027, 1, 1), created_at="2026-11-01T00:00Z"
    )
    api = client_as(plan_a, Role.CARE_COORDINATOR)
    listed = api.get(ELECTIONS).json()
    assert [row["service"] for row in listed["results"]] == [respite.code]
    refused = api.post(ELECTIONS, {"county": "01", "service": respite.code, "effective_from": "2027-07-01"})
    assert refused.status_code == 403


def test_another_plans_election_is_not_found(plan_a, plan_b, respite):
    """ARCHITECTURE: another plan's object is 404."""
    with across_plans(reason="test: plan B's election"):
        theirs = Election.objects.create(
            plan=plan_b, county=plan_b.counties.first(), service=respite, effective_from=date(2027, 1, 1),
            created_at="2026-11-01T00:00Z",
        )  # fmt: skip
    api = client_as(plan_a, Role.PLAN_ADMINISTRATOR)
    assert api.post(f"{ELECTIONS}{theirs.pk}/remove/", {"removal_date": "2028-01-01"}).status_code == 404
    assert api.get(f"{ELECTIONS}{theirs.pk}/").status_code == 404


def test_the_offered_list(plan_a, alameda, respite):
    """DOMAIN 9: elected from their first day, mandatory ones flagged; a county outside the plan refused."""
    Election.objects.create(
        plan=plan_a, county=alameda, service=respite, effective_from=date(2027, 1, 1), created_at="2026-11-01T00:00Z"
    )
    rent = service_named("rent", mandatory_from=date(2026, 1, 1))
    api = client_as(plan_a, Role.REVIEWER)

    def ours(on):
        rows = api.get(OFFERED, {"county": "01", "on": on}).json()
        return {(row["code"], row["mandatory"]) for row in rows if row["code"].startswith("test-")}

    assert ours("2026-12-31") == {(rent.code, True)}
    assert ours("2027-01-01") == {(rent.code, True), (respite.code, False)}
    refused = api.get(OFFERED, {"county": "19"})
    assert refused.status_code == 400 and errors_of(refused) == [("county", "invalid")]
