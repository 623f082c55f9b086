"""One provider organization that both plans contract with (ARCHITECTURE.md, Tenancy; issue 4):
the organization's own record and its people are shared, but each plan's contracts, assignments,
caseloads, vetting and change requests are its own. A plan B user never sees plan A's, on any
provider page or list API.

Lead Care Managers are people at the organization (shared like the organization itself, DOMAIN 1):
plan B may see the same person, with a caseload counting plan B's members only. The marker sits on
what is plan A's alone: its members, its reviewer, its counts.
"""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY
from ecm_platform.tenancy.models import County, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import Assignment, Contract, ProviderChangeRequest
from providers.services import (
    assignment_assign,
    assignment_set_lead_care_manager,
    care_manager_add,
    contract_create,
    organization_create,
    provider_change_request,
    vetting_check_record,
)
from tests.factories import activated, enrolled_member

MARKER = "ALPHA-SECRET"
SHARED_NPI = "1234567893"
ROLES = [Role.CARE_COORDINATOR, Role.PLAN_ADMINISTRATOR]

# A Policy Guide VII criterion, as seeded (providers/migrations/0006).
CRITERION = "Able to receive referrals from the plan for ECM or the authorized Community Supports"


def homeless_member(plan, name):
    member = enrolled_member(plan, first_name=name, last_name=name)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    return member


def contract_and_members(plan, organization, *, counties, capacity, names, care_manager, reviewer):
    contract = activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code__in=counties)),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=capacity, start_date=date(2025, 1, 1),
    ))  # fmt: skip
    vetting_check_record(
        plan=plan, organization=organization, criterion=CRITERION, met_on=date(2025, 1, 2), actor=reviewer
    )
    for name in names:
        member = homeless_member(plan, name)
        with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
            assignment = assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR)
        assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=care_manager, actor=OPERATOR)
        provider_change_request(
            plan=plan, member=member, organization=organization, requested_on=date(2026, 11, 21), actor=OPERATOR
        )
    return contract


@pytest.fixture
def shared(plan_a, plan_b, admin_a, admin_b):
    """Plan A: capacity 7, two members assigned. Plan B: capacity 3, one member. One care manager."""
    with scopes_disabled():
        admin_a.user.username = f"{MARKER}-reviewer"
        admin_a.user.save()
        organization = organization_create(
            plan=plan_a, actor=OPERATOR, npi=SHARED_NPI, tax_id="123456789", name="Shared Community Clinic",
            organization_type="cbo", enrollment_pathway="mcp_vetting", counties=list(County.objects.filter(code="01")),
        )  # fmt: skip
        # Plan A's contract comes first, so that it would be the one a leaky query picks.
        activated(contract_create(
            plan=plan_a, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="07")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=1, start_date=date(2025, 1, 1),
        ))  # fmt: skip
        manager = care_manager_add(plan=plan_a, actor=OPERATOR, organization=organization, name="Dana Lee")
        contract_and_members(
            plan_a, organization, counties=["01", "07"], capacity=7, names=[f"{MARKER}-1", f"{MARKER}-2"],
            care_manager=manager, reviewer=admin_a.user,
        )  # fmt: skip
        contract_and_members(
            plan_b, organization, counties=["01", "19"], capacity=3, names=["Bravo"], care_manager=manager,
            reviewer=admin_b.user,
        )  # fmt: skip
        return {
            "organization": organization,
            "manager": manager,
            "contracts_b": sorted(Contract.objects.filter(plan=plan_b).values_list("pk", flat=True)),
            "assignments_b": sorted(Assignment.objects.filter(plan=plan_b).values_list("pk", flat=True)),
            "changes_b": sorted(ProviderChangeRequest.objects.filter(plan=plan_b).values_list("pk", flat=True)),
        }


@pytest.fixture
def plan_b_member(plan_b, admin_b, make_membership):
    def make(role):
        return admin_b if role == Role.PLAN_ADMINISTRATOR else make_membership(plan_b, role)

    return make


def browser(membership, plan):
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan.pk
    session.save()
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    assert MARKER not in content, f"{url} showed plan A data"
    return content


@pytest.mark.parametrize("role", ROLES)
def test_plan_b_pages_show_only_plan_bs_side_of_a_shared_organization(role, plan_b, shared, plan_b_member):
    client = browser(plan_b_member(role), plan_b)
    organization = shared["organization"]

    profile = page(client, f"/providers/{organization.pk}/")
    assert "Dana Lee — caseload 1" in profile  # the shared person, plan B's caseload
    assert "<td>3</td><td>1</td>" in profile  # plan B's capacity and assigned
    assert "<td>7</td>" not in profile and "<td>1</td><td>0</td>" not in profile  # plan A's contracts
    assert "Contra Costa" not in profile  # plan A's contract county
    assert profile.count(f"{CRITERION} — 2025-01-02 (") == 1  # plan B's own check, not plan A's

    directory = page(client, "/providers/")
    assert directory.count(f'href="/providers/{organization.pk}/"') == 1  # plan B's one contract
    assert "<td>3</td><td>1</td>" in directory
    assert "<td>7</td>" not in directory and "Contra Costa" not in directory

    capacity = page(client, "/providers/capacity/")
    assert '<strong>1 / 3</strong><br><span class="muted">1 identified</span>' in capacity
    assert "/ 7<" not in capacity and "/ 10<" not in capacity

    worklist = page(client, "/providers/assignments/")
    assert "Bravo, Bravo" in worklist


@pytest.mark.parametrize("role", ROLES)
def test_plan_b_lists_show_only_plan_bs_side_of_a_shared_organization(
    role, plan_b, shared, plan_b_member, make_api_client
):
    api = make_api_client(plan_b_member(role))

    def rows(url):
        response = api.get(url)
        assert response.status_code == 200, url
        assert MARKER.encode() not in response.content, f"{url} showed plan A data"
        return response.json()["results"]

    contracts = rows("/api/v1/contracts/")
    assert sorted(row["id"] for row in contracts) == shared["contracts_b"]
    assert [(row["capacity"], row["assigned"], row["counties"]) for row in contracts] == [(3, 1, ["01", "19"])]
    assert rows(f"/api/v1/contracts/?organization={shared['organization'].pk}") == contracts

    assignments = rows("/api/v1/assignments/")
    assert sorted(row["id"] for row in assignments) == shared["assignments_b"]

    managers = rows("/api/v1/care-managers/")
    assert [(row["id"], row["name"], row["caseload"]) for row in managers] == [(shared["manager"].pk, "Dana Lee", 1)]
    assert api.get(f"/api/v1/care-managers/{shared['manager'].pk}/").json()["caseload"] == 1

    changes = rows("/api/v1/provider-change-requests/")
    assert sorted(row["id"] for row in changes) == shared["changes_b"]


def test_plan_a_still_sees_its_own_side(plan_a, shared, admin_a, make_api_client):
    # The control: the same lists in plan A show plan A's rows, so the checks above can fail.
    api = make_api_client(admin_a)
    contracts = api.get("/api/v1/contracts/").json()["results"]
    assert sorted((row["capacity"], row["assigned"]) for row in contracts) == [(1, 0), (7, 2)]
    assert [row["caseload"] for row in api.get("/api/v1/care-managers/").json()["results"]] == [2]
    assert MARKER in browser(admin_a, plan_a).get("/providers/assignments/").content.decode()
