"""Provider staff (issue 13; DOMAIN 1, 7): one login per person across every plan contracting with
the organization, seeing per plan only the members that plan assigned to the organization.

The network: Xavier and Yolo are contracted by plan A only; Shared by plans A and B; plan B's
contract with Xavier has ended, though the member it assigned there is still open (awaiting
reassignment). Every member carries its plan and organization in its name.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import membership_create
from eligibility.models import PopulationOfFocus
from providers.models import Assignment, Contract, ContractService, ProviderApiKey, ProviderMembership
from providers.services import assignment_assign, contract_create, organization_create
from providers.staff import provider_api_key_issue, provider_api_key_revoke, provider_membership_create
from providers.staff import provider_user_create as staff_user_create
from tests.factories import TEST_PASSWORD, UserFactory, activated, enrolled_member

NPI = {"Xavier": "1234567893", "Yolo": "1245319599", "Shared": "1679576722"}


def contract(plan, organization):
    return activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=9, start_date=date(2025, 1, 1),
    ))  # fmt: skip


def organization(plan, name, npi):
    return organization_create(
        plan=plan, actor=OPERATOR, npi=npi, tax_id="123456789", name=f"{name} Clinic", organization_type="cbo",
        enrollment_pathway="mcp_vetting",
    )  # fmt: skip


def assigned(plan, organization, name):
    member = enrolled_member(plan, first_name=name, last_name=organization.name.split()[0], phone="555-0100")
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        assignment_assign(
            plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR,
            preferred_organization=organization,
        )  # fmt: skip
    return member


@pytest.fixture
def network(plan_a, plan_b):
    with scopes_disabled():
        orgs = {name: organization(plan_a, name, npi) for name, npi in NPI.items()}
        for name in orgs:
            contract(plan_a, orgs[name])
        contract(plan_b, orgs["Shared"])
        ended = contract(plan_b, orgs["Xavier"])
        members = {
            "a_xavier": assigned(plan_a, orgs["Xavier"], "AlphaX"),
            "a_yolo": assigned(plan_a, orgs["Yolo"], "AlphaY"),
            "a_shared": assigned(plan_a, orgs["Shared"], "AlphaS"),
            "b_shared": assigned(plan_b, orgs["Shared"], "BravoS"),
            "b_xavier": assigned(plan_b, orgs["Xavier"], "BravoX"),
        }
        Contract.objects.filter(pk=ended.pk).update(end_date=clocks.local_date(clocks.now()) - timedelta(days=1))
        return {"orgs": orgs, "members": members}


@pytest.fixture
def make_provider_user(network):
    def make(org_name, role=ProviderRole.CARE_MANAGER):
        with scopes_disabled():
            return provider_membership_create(
                actor=OPERATOR, organization=network["orgs"][org_name], user=UserFactory(), role=role
            )

    return make


def key_client(provider_membership, **issue):
    with scopes_disabled():
        _, raw_key = provider_api_key_issue(
            actor=OPERATOR, provider_membership=provider_membership, name="test", **issue
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def session_client(provider_membership):
    client = APIClient()
    client.force_login(provider_membership.user)
    return client


def rows(client, url="/api/v1/provider/members/"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_provider_x_gets_404_for_a_member_assigned_to_provider_y(network, make_provider_user):
    members = network["members"]
    for client in (key_client(make_provider_user("Xavier")), session_client(make_provider_user("Xavier"))):
        assert client.get(f"/api/v1/provider/members/{members['a_xavier'].pk}/").status_code == 200
        missing = client.get(f"/api/v1/provider/members/{members['a_yolo'].pk}/")
        assert missing.status_code == 404
        assert client.get("/api/v1/provider/members/999999/").json() == missing.json()  # the same as a missing one
        assert [row["id"] for row in rows(client)] == [members["a_xavier"].pk]


def test_a_provider_contracted_by_plan_a_only_sees_none_of_plan_bs_members(network, make_provider_user):
    # Xavier's contract with plan B has ended: its plan B member (still open, awaiting
    # reassignment) is out of sight, on the list, by plan and by id.
    client = key_client(make_provider_user("Xavier"))
    members = network["members"]
    assert {row["plan"]["code"] for row in rows(client)} == {"plan-a"}
    assert rows(client, "/api/v1/provider/members/?plan=plan-b") == []
    assert rows(client, "/api/v1/provider/assignments/?plan=plan-b") == []
    for member in ("b_xavier", "b_shared"):
        assert client.get(f"/api/v1/provider/members/{members[member].pk}/").status_code == 404


def test_an_organization_of_both_plans_sees_each_plans_members_with_the_plan_on_each_row(network, make_provider_user):
    client = key_client(make_provider_user("Shared"))
    members = network["members"]
    listed = rows(client)
    assert [(row["id"], row["plan"]["code"], row["first_name"]) for row in listed] == [
        (members["a_shared"].pk, "plan-a", "AlphaS"),
        (members["b_shared"].pk, "plan-b", "BravoS"),
    ]
    assert set(listed[0]) == {
        "id", "plan", "cin", "first_name", "last_name", "birth_date", "preferred_language", "phone", "email",
        "address_line", "city", "zip_code", "assignment",
    }  # fmt: skip
    assert listed[0]["assignment"]["member"] == members["a_shared"].pk
    assert [row["first_name"] for row in rows(client, "/api/v1/provider/members/?plan=plan-b")] == ["BravoS"]
    assignments = rows(client, "/api/v1/provider/assignments/")
    assert [(row["plan"]["code"], row["member_name"]) for row in assignments] == [
        ("plan-a", "Shared, AlphaS"),
        ("plan-b", "Shared, BravoS"),
    ]
    detail = client.get(f"/api/v1/provider/members/{members['b_shared'].pk}/").json()
    assert (detail["plan"], detail["cin"]) == ({"code": "plan-b", "name": "Bravo Health Plan"}, members["b_shared"].cin)


def test_every_provider_read_is_in_the_phi_access_log_of_the_members_plan(network, make_provider_user):
    provider_membership = make_provider_user("Shared")
    client = key_client(provider_membership)
    members = network["members"]
    rows(client)
    client.get(f"/api/v1/provider/members/{members['b_shared'].pk}/")
    rows(client, "/api/v1/provider/members/?plan=nowhere")
    with scopes_disabled():
        logged = list(
            PhiAccess.objects.filter(user=provider_membership.user)
            .order_by("pk")
            .values_list("plan__code", "member_ids", "purpose", "path", "row_count")
        )
    assert logged == [
        ("plan-a", [members["a_shared"].pk], "care_coordination", "/api/v1/provider/members/", 1),
        ("plan-b", [members["b_shared"].pk], "care_coordination", "/api/v1/provider/members/", 1),
        ("plan-b", [members["b_shared"].pk], "care_coordination", f"/api/v1/provider/members/{members['b_shared'].pk}/", 1),
        ("plan-a", [], "care_coordination", "/api/v1/provider/members/?plan=nowhere", 0),
        ("plan-b", [], "care_coordination", "/api/v1/provider/members/?plan=nowhere", 0),
    ]  # fmt: skip


def counts():
    with scopes_disabled():
        return (
            get_user_model().objects.count(),
            ProviderMembership.objects.count(),
            ProviderApiKey.objects.count(),
            AuditEvent.objects.count(),
        )


def test_a_plan_administrator_cannot_create_a_provider_user_or_key(
    network, admin_a, make_api_client, make_provider_user
):
    provider_membership = make_provider_user("Shared")
    before = counts()
    plan_admin = Principal.of_membership(admin_a)
    with scopes_disabled(), pytest.raises(ActionNotPermitted):
        staff_user_create(
            actor=plan_admin, organization=network["orgs"]["Shared"], username="mallory", email="m@example.org",
            password=TEST_PASSWORD, role=ProviderRole.PROVIDER_ADMINISTRATOR,
        )  # fmt: skip
    with scopes_disabled(), pytest.raises(ActionNotPermitted):
        provider_api_key_issue(actor=plan_admin, provider_membership=provider_membership, name="stolen")
    with scopes_disabled(), pytest.raises(ActionNotPermitted):
        provider_api_key_issue(actor=admin_a.user, provider_membership=provider_membership, name="stolen")
    api = make_api_client(admin_a)
    after_key = counts()
    created = api.post(
        "/api/v1/provider/staff/",
        {"username": "mallory", "email": "m@example.org", "password": TEST_PASSWORD, "role": "care_manager"},
        format="json",
    )
    assert created.status_code == 403
    assert api.post("/api/v1/provider/api-keys/", {"name": "stolen"}, format="json").status_code == 403
    assert api.get("/api/v1/provider/members/").status_code == 403
    assert counts() == after_key
    assert after_key[:3] == before[:3]  # the plan key the test client holds is the only new row


def test_a_provider_administrator_manages_its_own_organizations_staff_only(network, make_provider_user):
    administrator = make_provider_user("Shared", ProviderRole.PROVIDER_ADMINISTRATOR)
    client = session_client(administrator)
    created = client.post(
        "/api/v1/provider/staff/",
        {"username": "carla", "email": "carla@example.org", "password": TEST_PASSWORD, "role": "care_manager"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert [row["username"] for row in rows(client, "/api/v1/provider/staff/")] == [
        administrator.user.username,
        "carla",
    ]
    with scopes_disabled():
        carla = ProviderMembership.objects.get(user__username="carla")
        assert carla.organization == network["orgs"]["Shared"]
        # Recorded in both plans that contract with the organization.
        assert sorted(AuditEvent.objects.filter(code="providers.staff.created", target_id=carla.pk).values_list(
            "plan__code", "actor_label"
        )) == [("plan-a", administrator.user.username), ("plan-b", administrator.user.username)]  # fmt: skip
    # Another organization is out of reach, through the service too.
    principal = Principal.of_provider_membership(administrator, plan_ids=())
    xavier = make_provider_user("Xavier")
    before = counts()
    with scopes_disabled(), pytest.raises(ActionNotPermitted):
        staff_user_create(
            actor=principal, organization=network["orgs"]["Xavier"], username="x2", email="x2@example.org",
            password=TEST_PASSWORD, role=ProviderRole.PROVIDER_ADMINISTRATOR,
        )  # fmt: skip
    with scopes_disabled(), pytest.raises(ActionNotPermitted):
        provider_api_key_issue(actor=principal, provider_membership=xavier, name="x")
    with scopes_disabled(), pytest.raises(ActionNotPermitted):  # a key acts as its holder: not a colleague
        provider_api_key_issue(actor=principal, provider_membership=carla, name="as carla")
    assert counts()[2:] == before[2:]


def test_care_managers_do_not_manage_staff(network, make_provider_user):
    client = key_client(make_provider_user("Shared"))
    assert client.get("/api/v1/provider/staff/").status_code == 403
    assert client.post("/api/v1/provider/api-keys/", {"name": "mine"}, format="json").status_code == 403


def test_provider_keys_are_shown_once_and_expire_and_revoke(network, make_provider_user):
    administrator = make_provider_user("Shared", ProviderRole.PROVIDER_ADMINISTRATOR)
    client = session_client(administrator)
    issued = client.post("/api/v1/provider/api-keys/", {"name": "EHR feed"}, format="json").json()
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued['key']}")
    assert keyed.get("/api/v1/provider/members/").status_code == 200
    assert "key" not in client.get(f"/api/v1/provider/api-keys/{issued['prefix']}/").json()
    revoked = client.post(f"/api/v1/provider/api-keys/{issued['prefix']}/revoke/")
    assert revoked.json()["revoked"] is True
    assert keyed.get("/api/v1/provider/members/").status_code in (401, 403)

    expiring = key_client(administrator, expires_at=clocks.now() + timedelta(days=1))
    assert expiring.get("/api/v1/provider/members/").status_code == 200
    with clocks.frozen(clocks.now() + timedelta(days=2)), scopes_disabled(), pytest.raises(DomainError):
        provider_api_key_issue(
            actor=OPERATOR, provider_membership=administrator, name="x", expires_at=clocks.now() - timedelta(1)
        )
    with scopes_disabled():
        ProviderApiKey.objects.filter(name="test").update(expiry_date=clocks.now() - timedelta(seconds=1))
    assert expiring.get("/api/v1/provider/members/").status_code in (401, 403)

    other = make_provider_user("Xavier", ProviderRole.PROVIDER_ADMINISTRATOR)
    assert session_client(other).post(f"/api/v1/provider/api-keys/{issued['prefix']}/revoke/").status_code == 404
    with scopes_disabled():
        key = ProviderApiKey.objects.get(prefix=issued["prefix"])
        assert provider_api_key_revoke(actor=OPERATOR, api_key=key).revoked_at == key.revoked_at  # idempotent


def test_a_deactivated_login_loses_its_keys_and_its_session(network, make_provider_user):
    provider_membership = make_provider_user("Shared")
    keyed, browser = key_client(provider_membership), session_client(provider_membership)
    with scopes_disabled():
        ProviderMembership.objects.filter(pk=provider_membership.pk).update(is_active=False)
    assert keyed.get("/api/v1/provider/members/").status_code in (401, 403)
    assert browser.get("/api/v1/provider/members/").status_code == 403


PLAN_ENDPOINTS = ["/api/v1/me/", "/api/v1/members/", "/api/v1/counties/", "/api/v1/programs/", "/api/v1/assignments/"]


@pytest.mark.parametrize("url", PLAN_ENDPOINTS)
def test_plan_endpoints_refuse_provider_principals(network, make_provider_user, url):
    administrator = make_provider_user("Shared", ProviderRole.PROVIDER_ADMINISTRATOR)
    assert key_client(administrator).get(url).status_code == 403
    assert session_client(administrator).get(url).status_code == 403


def test_plan_pages_refuse_provider_staff(network, make_provider_user):
    browser = Client()
    browser.force_login(make_provider_user("Shared").user)
    assert browser.get("/members/").status_code == 403
    assert browser.get("/providers/assignments/").status_code == 403


def test_a_provider_login_is_locked_after_ten_failures_like_plan_staff(client, network, make_provider_user):
    user = make_provider_user("Shared").user
    for _ in range(10):
        client.post("/login/", {"username": user.username, "password": "wrong password!"})
    assert client.post("/login/", {"username": user.username, "password": TEST_PASSWORD}).status_code == 429
    # A colleague elsewhere signs in, and the session acts as provider staff.
    colleague, fresh = make_provider_user("Shared").user, Client(REMOTE_ADDR="10.2.2.2")
    assert fresh.post("/login/", {"username": colleague.username, "password": TEST_PASSWORD})["Location"] == "/"
    assert fresh.get("/api/v1/provider/members/").status_code == 200


def test_a_plan_login_cannot_become_provider_staff(network, admin_a):
    with scopes_disabled(), pytest.raises(DomainError, match="works for a plan"):
        provider_membership_create(
            actor=OPERATOR, organization=network["orgs"]["Shared"], user=admin_a.user, role=ProviderRole.CARE_MANAGER
        )


def test_the_operator_creates_provider_logins_by_command(network, capsys):
    call_command("provider_user_create", npi=NPI["Yolo"], username="yadmin", role="provider_administrator")
    out = capsys.readouterr().out
    assert "yadmin now works for Yolo Clinic as provider_administrator." in out
    password = out.split("Password (shown once): ")[1].strip()
    client = Client()
    assert client.post("/login/", {"username": "yadmin", "password": password}).status_code == 302
    assert [row["first_name"] for row in rows(client)] == ["AlphaY"]
    call_command("provider_apikey_issue", username="yadmin", name="feed")
    raw_key = capsys.readouterr().out.strip()
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert len(rows(keyed)) == 1
    call_command("provider_apikey_revoke", prefix=raw_key.split(".")[0])
    assert keyed.get("/api/v1/provider/members/").status_code in (401, 403)


def test_an_organization_no_plan_contracts_with_gets_no_staff(plan_a):
    with scopes_disabled():
        lonely = organization(plan_a, "Lonely", "1467983510")
        with pytest.raises(DomainError, match="No plan contracts"):
            provider_membership_create(
                actor=OPERATOR, organization=lonely, user=UserFactory(), role=ProviderRole.CARE_MANAGER
            )


def test_a_member_whose_assignment_ended_is_out_of_sight(network, make_provider_user):
    client = key_client(make_provider_user("Xavier"))
    member = network["members"]["a_xavier"]
    with scopes_disabled():
        Assignment.objects.filter(member=member).update(ended_on=clocks.local_date(clocks.now()))
    assert client.get(f"/api/v1/provider/members/{member.pk}/").status_code == 404
    assert rows(client) == []


def test_a_provider_list_costs_the_same_queries_whatever_its_rows(network, plan_a, make_provider_user):
    client = key_client(make_provider_user("Shared"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/provider/members/").status_code == 200
        return len(captured)

    few = queries()
    with scopes_disabled():
        for number in range(3):
            assigned(plan_a, network["orgs"]["Shared"], f"More{number}")
    assert len(rows(client)) == 5
    assert queries() == few


def test_a_provider_administrator_deactivates_a_colleague_and_its_key_stops(network, make_provider_user):
    admin = make_provider_user("Shared", ProviderRole.PROVIDER_ADMINISTRATOR)
    colleague = make_provider_user("Shared", ProviderRole.OUTREACH_STAFF)
    colleague_client = key_client(colleague)
    assert colleague_client.get("/api/v1/provider/members/").status_code == 200
    response = key_client(admin).post(f"/api/v1/provider/staff/{colleague.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert colleague_client.get("/api/v1/provider/members/").status_code in (401, 403)
    with scopes_disabled():
        assert AuditEvent.objects.filter(code="providers.staff.deactivated", target_id=str(colleague.pk)).count() == 2


def test_no_one_deactivates_their_own_login_or_another_organizations(network, make_provider_user):
    admin = make_provider_user("Shared", ProviderRole.PROVIDER_ADMINISTRATOR)
    other = make_provider_user("Yolo", ProviderRole.OUTREACH_STAFF)
    client = key_client(admin)
    own = client.post(f"/api/v1/provider/staff/{admin.pk}/deactivate/")
    assert own.status_code == 400 and own.json()["errors"][0]["code"] == "own_login"
    assert client.post(f"/api/v1/provider/staff/{other.pk}/deactivate/").status_code == 404
    assert (
        key_client(make_provider_user("Shared")).post(f"/api/v1/provider/staff/{admin.pk}/deactivate/").status_code
        == 403
    )
    with scopes_disabled():
        assert ProviderMembership.objects.filter(pk__in=[admin.pk, other.pk], is_active=True).count() == 2


def test_another_contract_with_the_plan_does_not_bring_back_an_ended_contracts_members(network, make_provider_user):
    # DOMAIN 7: plan B's ECM contract with Xavier ended; a Community Supports contract still in force
    # keeps plan B in Xavier's scope, but not the member assigned under the ended one.
    with scopes_disabled():
        plan_b = network["members"]["b_xavier"].plan
        respite = Contract.objects.create(
            plan=plan_b, organization=network["orgs"]["Xavier"], start_date=date(2025, 1, 1)
        )
        ContractService.objects.create(plan=plan_b, contract=respite, service=service_get("respite"), capacity=5)
    names = [row["first_name"] for row in rows(key_client(make_provider_user("Xavier")))]
    assert names == ["AlphaX"]


def test_a_provider_key_beside_a_plan_session_acts_as_no_plan_membership(network, make_provider_user, admin_a):
    # One request, one identity: the key's user is not the session's, and neither plan role applies.
    client = key_client(make_provider_user("Xavier"))
    client.force_login(admin_a.user)
    assert client.post("/api/v1/notifications/read-all/").status_code == 403
    assert client.get("/api/v1/memberships/").status_code == 403


def test_a_provider_login_cannot_become_plan_staff(network, plan_a, make_provider_user):
    provider_user = make_provider_user("Xavier").user
    with plan_scope(plan_a), pytest.raises(DomainError, match="provider staff"):
        membership_create(user=provider_user, plan=plan_a, role=Role.REVIEWER, actor=OPERATOR)
