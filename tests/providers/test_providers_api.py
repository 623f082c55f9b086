"""The provider network through the API (DOMAIN 2 NPI check, DOMAIN 7 assignment)."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from ecm_platform.tenancy.models import Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from tests.factories import enrolled_member


@pytest.fixture
def admin_api(admin_a, make_api_client):
    return make_api_client(admin_a)


def organization(api, npi="1234567893", **overrides):
    return api.post(
        "/api/v1/provider-organizations/",
        {
            "npi": npi,
            "tax_id": "123456789",
            "name": "Eastside Clinic",
            "organization_type": "fqhc",
            "enrollment_pathway": "state_medi_cal",
            "counties": ["01"],
        }
        | overrides,
        format="json",
    )


def test_an_invalid_npi_check_digit_is_a_clear_400(admin_api):
    # DOMAIN 2: 1234567890 fails the Luhn check over 80840 + the first nine digits
    response = organization(admin_api, npi="1234567890")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "invalid",
        "detail": "1234567890 is not a valid NPI: its check digit does not match.",
        "attr": "npi",
    }
    assert organization(admin_api).status_code == 201


def test_contract_then_assignment_through_the_api(plan_a, admin_a, admin_api, make_membership, make_api_client):
    org_id = organization(admin_api).json()["id"]
    contract = admin_api.post(
        "/api/v1/contracts/",
        {"organization": org_id, "counties": ["01"], "pofs": ["HOMELESS"], "capacity": 2, "start_date": "2025-01-01"},
        format="json",
    )
    assert contract.status_code == 201, contract.json()
    with scopes_disabled():
        member = enrolled_member(plan_a)
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=None,
        )  # fmt: skip
    coordinator = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    assigned = coordinator.post(
        "/api/v1/assignments/", {"member": member.pk, "authorized_on": "2026-11-20"}, format="json"
    )
    assert assigned.status_code == 201, assigned.json()
    assert (assigned.json()["organization"], assigned.json()["rule"]) == (org_id, "county_and_pof")
    assert coordinator.get("/api/v1/contracts/").json()["results"][0]["assigned"] == 1
    again = coordinator.post(
        "/api/v1/assignments/", {"member": member.pk, "authorized_on": "2026-11-20"}, format="json"
    )
    assert again.status_code == 400
    told = coordinator.post(f"/api/v1/assignments/{assigned.json()['id']}/communicated/")
    assert told.json()["communicated_at"] is not None


def test_only_plan_administrators_create_contracts(plan_a, make_membership, make_api_client, admin_api):
    org_id = organization(admin_api).json()["id"]
    coordinator = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    response = coordinator.post(
        "/api/v1/contracts/",
        {"organization": org_id, "counties": ["01"], "pofs": ["HOMELESS"], "capacity": 2, "start_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 403


def test_a_plan_administrator_records_a_contract_in_the_browser(client, plan_a, admin_a, admin_api):
    org_id = organization(admin_api).json()["id"]
    client.force_login(admin_a.user)
    form = client.get("/providers/contracts/new/").content.decode()
    assert "Contra Costa" in form and "Yuba" not in form  # only the plan's counties
    homeless = PopulationOfFocus.objects.get(code="HOMELESS")
    response = client.post(
        "/providers/contracts/new/",
        {
            "organization": org_id,
            "counties": ["1"],
            "pofs": [homeless.pk],
            "capacity": "12",
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 302
    profile = client.get(response["Location"]).content.decode()
    assert "Eastside Clinic" in profile and ">12<" in profile


def test_vetting_checks_are_recorded_per_plan(client, plan_a, admin_a, admin_api):
    org_id = organization(admin_api).json()["id"]
    admin_api.post(
        "/api/v1/contracts/",
        {"organization": org_id, "counties": ["01"], "pofs": ["HOMELESS"], "capacity": 2, "start_date": "2025-01-01"},
        format="json",
    )
    client.force_login(admin_a.user)
    client.post(
        f"/providers/{org_id}/vetting/",
        {"criterion": "Business licensing that meets industry standards", "met_on": "2026-01-05"},
    )
    profile = client.get(f"/providers/{org_id}/").content.decode()
    assert "Business licensing that meets industry standards — 2026-01-05" in profile
    future = client.post(
        f"/providers/{org_id}/vetting/",
        {"criterion": "Business licensing that meets industry standards", "met_on": "2999-01-01"},
    )
    assert "cannot be met in the future" in client.get(future["Location"]).content.decode()


def test_lead_care_managers_and_caseloads_stay_within_each_plan(
    plan_a, plan_b, admin_a, admin_b, admin_api, make_api_client
):
    # DOMAIN 7: the Lead Care Manager is recorded; plan B never sees plan A's caseload, even at a
    # provider organization both plans contract with.
    org_id = organization(admin_api).json()["id"]
    b_api = make_api_client(admin_b)
    for api in (admin_api, b_api):
        created = api.post(
            "/api/v1/contracts/",
            {
                "organization": org_id,
                "counties": ["01"],
                "pofs": ["HOMELESS"],
                "capacity": 3,
                "start_date": "2025-01-01",
            },
            format="json",
        )
        assert created.status_code == 201
    manager = admin_api.post(
        "/api/v1/care-managers/", {"organization": org_id, "name": "Dana Lee"}, format="json"
    ).json()
    with scopes_disabled():
        member = enrolled_member(plan_a)
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=None,
        )  # fmt: skip
    assignment = admin_api.post(
        "/api/v1/assignments/", {"member": member.pk, "authorized_on": "2026-11-20"}, format="json"
    ).json()
    lead = admin_api.post(
        f"/api/v1/assignments/{assignment['id']}/lead-care-manager/", {"care_manager": manager["id"]}, format="json"
    )
    assert lead.json()["lead_care_manager"] == manager["id"]
    assert admin_api.get(f"/api/v1/care-managers/{manager['id']}/").json()["caseload"] == 1
    assert b_api.get(f"/api/v1/care-managers/{manager['id']}/").json()["caseload"] == 0  # same person, plan B's view
    assert [c["assigned"] for c in b_api.get("/api/v1/contracts/").json()["results"]] == [0]
    assert b_api.get(f"/api/v1/assignments/{assignment['id']}/").status_code == 404


def test_a_community_supports_provider_owes_orientation_within_10_working_days(plan_a, admin_api):
    # DOMAIN 7: Community Supports providers complete orientation within 10 working days of becoming active
    org_id = organization(admin_api).json()["id"]
    contract = admin_api.post(
        "/api/v1/contracts/",
        {
            "organization": org_id,
            "service": "community_supports",
            "counties": ["01"],
            "pofs": [],
            "capacity": 3,
            "start_date": "2026-11-01",
        },
        format="json",
    ).json()
    activated = admin_api.post(
        f"/api/v1/contracts/{contract['id']}/activate/", {"activated_on": "2026-11-20"}, format="json"
    ).json()
    assert activated["orientation_due"] == "2026-12-08T23:59:59-08:00"  # Thanksgiving and the day after closed
    again = admin_api.post(
        f"/api/v1/contracts/{contract['id']}/activate/", {"activated_on": "2026-11-21"}, format="json"
    )
    assert again.status_code == 400
