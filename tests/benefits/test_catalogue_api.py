"""/api/v1/catalogue/services/ (DOMAIN 9): the catalogue read-only, the same rows for every plan."""

import pytest

from ecm_platform.tenancy.models import Role

pytestmark = pytest.mark.usefixtures("in_plan_a")


def test_the_list_has_every_service_with_aliases_and_codes(
    plan_a, make_membership, make_api_client, django_assert_max_num_queries
):
    """DOMAIN 9: ECM and the 15 Community Supports, old names as aliases, the code pairs in force."""
    client = make_api_client(make_membership(plan_a, Role.REVIEWER))
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/catalogue/services/")
    assert response.status_code == 200
    services = {row["code"]: row for row in response.json()}
    assert len(services) == 16 and services["ecm"]["kind"] == "ecm"
    assert services["alf-transitions"]["aliases"] == [
        {"name": "Nursing Facility Transition/Diversion to Assisted Living Facilities", "used_until": "2024-12-31"}
    ]
    pairs = {(code["hcpcs"], code["modifiers"]) for code in services["transitional-rent"]["codes"]}
    assert ("H0044", "U6") in pairs and ("H0044", "U2") not in pairs
    assert services["sobering-centers"]["allows_retroactive_authorization"] is True
    assert services["transitional-rent"]["mandatory_from"] == "2026-01-01"


def test_the_detail_has_criteria_and_limits(plan_a, make_membership, make_api_client, django_assert_max_num_queries):
    """DOMAIN 9: the combined cap lists its three services; an override where exceptions are allowed."""
    client = make_api_client(make_membership(plan_a))
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/catalogue/services/transitional-rent/")
    assert response.status_code == 200
    body = response.json()
    assert body["eligibility_criteria"] and body["discontinuation_criteria"]
    combined = next(limit for limit in body["limits"] if limit["limit_type"] == "combined_rolling")
    assert (combined["value"], combined["window"], combined["override_allowed"]) == ("6.00", 12, False)
    assert sorted(combined["services"]) == ["post-hospitalization-housing", "recuperative-care", "transitional-rent"]
    respite = client.get("/api/v1/catalogue/services/respite/").json()
    assert [(limit["value"], limit["override_allowed"]) for limit in respite["limits"]] == [("336.00", True)]


def test_an_unknown_service_is_404_and_writes_are_refused(plan_a, make_membership, make_api_client):
    client = make_api_client(make_membership(plan_a, Role.PLAN_ADMINISTRATOR))
    assert client.get("/api/v1/catalogue/services/nope/").status_code == 404
    assert client.post("/api/v1/catalogue/services/", {"code": "x"}).status_code == 405
    assert client.delete("/api/v1/catalogue/services/ecm/").status_code == 405


def test_plan_b_reads_the_same_rows(plan_a, plan_b, make_membership, make_api_client):
    """Shared reference data: no plan column, so both plans list the same services."""
    rows_a = make_api_client(make_membership(plan_a)).get("/api/v1/catalogue/services/").json()
    rows_b = make_api_client(make_membership(plan_b)).get("/api/v1/catalogue/services/").json()
    assert rows_a == rows_b


def test_without_a_key_is_refused(client):
    assert client.get("/api/v1/catalogue/services/").status_code in (401, 403)
