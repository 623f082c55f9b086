"""The provider network through the API (DOMAIN 2 NPI check, DOMAIN 7 assignment)."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import AssignmentSettings
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
    activate(admin_api, org_id, contract.json()["id"])
    with scopes_disabled():
        member = enrolled_member(plan_a)
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
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
    assert (
        "Eastside Clinic" in profile and "<td>12</td><td>0</td><td>12</td>" in profile
    )  # ECM: capacity, assigned, left


def test_vetting_checks_are_recorded_per_plan(client, plan_a, admin_a, admin_api):
    org_id = organization(admin_api, enrollment_pathway="mcp_vetting").json()["id"]  # the Policy Guide VII list
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
        activate(api, org_id, created.json()["id"])
    manager = admin_api.post(
        "/api/v1/care-managers/", {"organization": org_id, "name": "Dana Lee"}, format="json"
    ).json()
    with scopes_disabled():
        member = enrolled_member(plan_a)
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
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
            "lines": [{"service": "respite", "capacity": 3}],
            "counties": ["01"],
            "pofs": [],
            "start_date": "2026-11-01",
        },
        format="json",
    ).json()
    # DOMAIN 7: activated only once the organization's vetting (here its state enrollment) is complete
    for criterion in admin_api.get(f"/api/v1/provider-organizations/{org_id}/vetting/").json()["criteria"]:
        admin_api.post(
            f"/api/v1/provider-organizations/{org_id}/vetting-checks/",
            {"criterion": criterion["text"], "met_on": "2026-11-02"},
            format="json",
        )
    activated = admin_api.post(
        f"/api/v1/contracts/{contract['id']}/activate/", {"activated_on": "2026-11-20"}, format="json"
    ).json()
    assert activated["orientation_due"] == "2026-12-08T23:59:59-08:00"  # Thanksgiving and the day after closed
    again = admin_api.post(
        f"/api/v1/contracts/{contract['id']}/activate/", {"activated_on": "2026-11-21"}, format="json"
    )
    assert again.status_code == 400
    # The orientation is a clock of the deadline registry on the plan administrator, met when recorded.
    with scopes_disabled():
        clock = Deadline.objects.get(kind=DeadlineKind.ORIENTATION, target_id=contract["id"])
    assert (clock.owner, clock.due_at.isoformat()) == ("providers.manage", "2026-12-09T07:59:59+00:00")
    orientation = f"/api/v1/contracts/{contract['id']}/orientation/"
    assert admin_api.post(orientation, {"completed_on": "2026-11-19"}, format="json").status_code == 400  # before
    recorded = admin_api.post(orientation, {"completed_on": "2026-11-24"}, format="json")
    assert (recorded.status_code, recorded.json()["orientation_completed_on"]) == (200, "2026-11-24")
    with scopes_disabled():
        clock.refresh_from_db()
    assert clock.state == DeadlineState.MET
    assert admin_api.post(orientation, {"completed_on": "2026-11-24"}, format="json").status_code == 400  # once


def homeless_member(plan, **fields):
    with scopes_disabled():
        member = enrolled_member(plan, **fields)
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
    return member


def ecm_contract(api, org_id, counties=("01",), service="ecm"):
    response = api.post(
        "/api/v1/contracts/",
        {
            "organization": org_id, "lines": [{"service": service, "capacity": 5}], "counties": list(counties),
            "pofs": ["HOMELESS"], "start_date": "2025-01-01",
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    if service == "ecm":
        activate(api, org_id, response.json()["id"])
    return response.json()


def activate(api, org_id, contract_id):
    """DOMAIN 7: a contract takes members once the organization's vetting is complete and the plan
    activates it."""
    for criterion in api.get(f"/api/v1/provider-organizations/{org_id}/vetting/").json()["criteria"]:
        if criterion["met_on"] is None:
            recorded = api.post(
                f"/api/v1/provider-organizations/{org_id}/vetting-checks/",
                {"criterion": criterion["text"], "met_on": "2024-12-20"},
                format="json",
            )
            assert recorded.status_code == 201, recorded.json()
    activated = api.post(f"/api/v1/contracts/{contract_id}/activate/", {"activated_on": "2025-01-01"}, format="json")
    assert activated.status_code == 200, activated.json()


def test_the_pcp_notice_through_the_api(plan_a, admin_api, make_membership, make_api_client):
    # DOMAIN 7: when the ECM Provider is not the PCP, the PCP is notified within 10 business days
    ecm_contract(admin_api, organization(admin_api).json()["id"])
    coordinator = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    with_pcp = coordinator.post(
        "/api/v1/assignments/",
        {"member": homeless_member(plan_a, pcp_npi="1003000126").pk, "authorized_on": "2026-11-20"},
        format="json",
    ).json()
    assert with_pcp["pcp_notification_due"] is not None and with_pcp["pcp_notified_at"] is None
    reviewer = make_api_client(make_membership(plan_a, Role.REVIEWER))
    assert reviewer.post(f"/api/v1/assignments/{with_pcp['id']}/pcp-notified/").status_code == 403
    notified = coordinator.post(f"/api/v1/assignments/{with_pcp['id']}/pcp-notified/")
    assert notified.status_code == 200
    assert notified.json()["pcp_notified_at"] is not None
    without_pcp = coordinator.post(
        "/api/v1/assignments/", {"member": homeless_member(plan_a).pk, "authorized_on": "2026-11-20"}, format="json"
    ).json()
    refused = coordinator.post(f"/api/v1/assignments/{without_pcp['id']}/pcp-notified/")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "no_pcp_notice"


def test_the_pcp_notice_from_the_assignment_worklist(client, plan_a, admin_a, admin_api):
    # DOMAIN 7: the worklist shows the PCP deadline and records the notice
    ecm_contract(admin_api, organization(admin_api).json()["id"])
    assignment = admin_api.post(
        "/api/v1/assignments/",
        {"member": homeless_member(plan_a, pcp_npi="1003000126").pk, "authorized_on": "2026-11-20"},
        format="json",
    ).json()
    client.force_login(admin_a.user)
    action = f"/providers/assignments/{assignment['id']}/pcp-notified/"
    assert action in client.get("/providers/assignments/").content.decode()
    assert client.get(action).status_code == 405
    response = client.post(action)
    assert (response.status_code, response["Location"]) == (302, "/providers/assignments/")
    worklist = client.get("/providers/assignments/").content.decode()
    assert "the member&#x27;s PCP was told" in worklist
    assert action not in worklist  # nothing left to record


def test_the_api_assignment_reads_the_members_behavioral_health_data(plan_a, admin_api):
    # DOMAIN 7 (2): left out, "receives specialty behavioral health" comes from the member's SMI/SUD POF
    behavioral = organization(admin_api, npi="1245319599", name="Bay Behavioral").json()["id"]
    pcp = organization(admin_api, npi="1679576722", name="Valley Primary Care").json()["id"]
    ecm_contract(admin_api, behavioral)
    ecm_contract(admin_api, pcp)
    member = homeless_member(plan_a, behavioral_health_npi="1245319599", pcp_npi="1679576722")
    with scopes_disabled():
        pof = PopulationOfFocus.objects.get(code="SMI_SUD")
        determination_record(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
    assigned = admin_api.post(
        "/api/v1/assignments/", {"member": member.pk, "authorized_on": "2026-11-20"}, format="json"
    ).json()
    assert (assigned["organization"], assigned["rule"]) == (behavioral, "behavioral_health_provider")


def test_contracts_filter_by_organization_service_and_county(plan_a, admin_api):
    first = organization(admin_api).json()["id"]
    second = organization(admin_api, npi="1245319599", name="Second").json()["id"]
    in_alameda = ecm_contract(admin_api, first)["id"]
    in_contra_costa = ecm_contract(admin_api, second, counties=("07",))["id"]
    community_supports = ecm_contract(admin_api, first, service="respite")["id"]

    def ids(query):
        response = admin_api.get(f"/api/v1/contracts/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(f"organization={first}") == sorted([in_alameda, community_supports])
    assert ids("service=ecm") == sorted([in_alameda, in_contra_costa])
    assert ids("service=respite") == [community_supports]
    assert ids("county=07") == [in_contra_costa]
    assert ids(f"county=01&organization={first}&service=ecm") == [in_alameda]
    assert admin_api.get("/api/v1/contracts/?service=dental").status_code == 400
    assert admin_api.get("/api/v1/contracts/?organization=x").status_code == 400


def test_care_managers_filter_by_organization(plan_a, admin_api):
    first = organization(admin_api).json()["id"]
    second = organization(admin_api, npi="1245319599", name="Second").json()["id"]
    ecm_contract(admin_api, first)
    ecm_contract(admin_api, second)
    for org_id, name in ((first, "Dana Lee"), (second, "Sam Ortiz")):
        admin_api.post("/api/v1/care-managers/", {"organization": org_id, "name": name}, format="json")
    names = [row["name"] for row in admin_api.get(f"/api/v1/care-managers/?organization={second}").json()["results"]]
    assert names == ["Sam Ortiz"]
    assert admin_api.get("/api/v1/care-managers/?organization=0").status_code == 400


def test_a_plan_administrator_sets_the_assignment_order_in_the_admin(client, plan_a, admin_a):
    # DOMAIN 7: a plan setting may swap steps 2 and 3; saved through the service (audited)
    with scopes_disabled():
        admin_a.user.is_staff = admin_a.user.is_superuser = True
        admin_a.user.save()
    client.force_login(admin_a.user)
    response = client.post("/admin/providers/assignmentsettings/add/", {"pcp_before_behavioral_health": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        settings = AssignmentSettings.objects.get()
        assert (settings.plan, settings.pcp_before_behavioral_health) == (plan_a, True)
        assert AuditEvent.objects.filter(plan=plan_a, code="providers.assignment_settings.changed").count() == 1
    assert client.get("/admin/providers/assignmentsettings/add/").status_code == 403  # one row per plan


def test_a_contract_lists_its_services_each_with_its_capacity_and_members(plan_a, admin_api):
    """DOMAIN 7, 9: a contract covers ECM and Community Supports, each line its own capacity; the
    API shows per line what it holds today and what is left, and edits lines (add, remove, resize)
    never below the members a line holds."""
    org_id = organization(admin_api).json()["id"]
    both = {"organization": org_id, "counties": ["01"], "pofs": ["HOMELESS"], "start_date": "2025-01-01"}
    neither = admin_api.post("/api/v1/contracts/", both, format="json")
    assert (neither.status_code, neither.json()["errors"][0]["attr"]) == (400, "lines")
    created = admin_api.post(
        "/api/v1/contracts/",
        both | {"lines": [{"service": "ecm", "capacity": 4}, {"service": "respite", "capacity": 1}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    contract = created.json()
    assert [(line["service"], line["capacity"], line["assigned"]) for line in contract["lines"]] == [
        ("ecm", 4, 0),
        ("respite", 1, 0),
    ]
    assert contract["capacity"] == 4  # the ECM line's
    activate(admin_api, org_id, contract["id"])
    with scopes_disabled():
        from providers.models import ContractService
        from providers.services import service_assignment_create

        line = ContractService.objects.get(contract_id=contract["id"], service__code="respite")
        service_assignment_create(
            plan=plan_a, actor=OPERATOR, member=enrolled_member(plan_a), line=line, started_on=date(2026, 1, 5)
        )
    row = admin_api.get(f"/api/v1/contracts/{contract['id']}/").json()
    assert [(line["service"], line["assigned"], line["capacity_left"]) for line in row["lines"]] == [
        ("ecm", 0, 4),
        ("respite", 1, 0),
    ]
    url = f"/api/v1/contracts/{contract['id']}/"
    removing = admin_api.patch(url, {"lines": [{"service": "ecm", "capacity": 4}]}, format="json")
    assert (removing.status_code, removing.json()["errors"][0]["code"]) == (400, "capacity_below_assigned")
    edited = admin_api.patch(
        url,
        {"lines": [{"service": "respite", "capacity": 2}, {"service": "medically-tailored-meals", "capacity": 6}]},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    assert [(line["service"], line["capacity"], line["capacity_left"]) for line in edited.json()["lines"]] == [
        ("respite", 2, 1),
        ("medically-tailored-meals", 6, 6),
    ]
    assert edited.json()["capacity"] == 0  # no ECM line any more
    no_ecm = admin_api.patch(url, {"capacity": 3}, format="json")
    assert (no_ecm.status_code, no_ecm.json()["errors"][0]["attr"]) == (400, "capacity")
