"""The provider's own invoice lines and encounters (DOMAIN 11; ARCHITECTURE, Tenancy: the provider
axis): /api/v1/provider/encounters/ lists its organization's rows with the plan on each, and
POST .../invoices/ records lines for one contracting plan, under its own NPI and for the members the
plan assigned to it only; any other CIN reads as unknown."""

from datetime import date, timedelta

import pytest

from ecm_platform import clocks
from ecm_platform.tenancy.models import ProviderRole, Role
from encounters.models import Encounter
from providers.models import Assignment
from tests.conftest import membership_of
from tests.encounters.test_invoices import TODAY
from tests.encounters.world import line
from tests.factories import enrolled_member
from tests.outreach.test_api_provider import provider_client
from tests.outreach.world import NPIS, approved_member, organization_of

pytestmark = pytest.mark.usefixtures("in_plan_a")
URL = "/api/v1/provider/encounters/"


@pytest.fixture
def eastbay(plan_a):
    """Eastbay, the plan's one ECM provider, and a member approved and assigned to it."""
    organization = organization_of(plan_a)
    request = approved_member(
        plan_a, membership_of(plan_a, Role.CARE_COORDINATOR).user, membership_of(plan_a, Role.REVIEWER).user
    )
    return organization, request.member


def send(client, *lines, plan="plan-a"):
    with clocks.frozen(TODAY):
        return client.post(f"{URL}invoices/", {"plan": plan, "lines": list(lines)}, format="json")


def own_line(member, **fields):
    return line(**{"provider_npi": NPIS[0], "member_cin": member.cin, "service_from": "2026-11-24"} | fields)


def test_the_provider_records_its_own_lines_and_lists_them(plan_a, eastbay):
    organization, member = eastbay
    client = provider_client(organization, ProviderRole.CARE_MANAGER)
    response = send(client, own_line(member), own_line(member, line_number="2", modifier_2="GQ"))
    assert response.json() == {"created": 2, "unchanged": 0}
    rows = client.get(URL).json()["results"]
    assert sorted((row["plan"]["code"], row["member_cin"], row["modifiers"]) for row in rows) == [
        ("plan-a", member.cin, "U1"), ("plan-a", member.cin, "U1 GQ"),
    ]  # fmt: skip
    assert send(client, own_line(member)).json() == {"created": 0, "unchanged": 1}
    detail = client.get(f"{URL}{rows[0]['id']}/")
    assert (detail.status_code, detail.json()["plan"]["code"]) == (200, "plan-a")


def test_another_npi_another_members_cin_and_another_plan_are_refused(plan_a, eastbay):
    organization, member = eastbay
    stranger = enrolled_member(plan_a)  # a member of the plan, never assigned to Eastbay
    client = provider_client(organization, ProviderRole.CARE_MANAGER)
    response = send(client, own_line(member, provider_npi=NPIS[1]), own_line(stranger, line_number="2"))
    assert response.status_code == 400
    errors = {error["attr"]: error["detail"] for error in response.json()["errors"]}
    assert set(errors) == {"lines.0.provider_npi", "lines.1.member_cin"}
    assert (
        errors["lines.1.member_cin"] == f"No member assigned or referred to your organization has CIN {stranger.cin}."
    )
    assert send(client, own_line(member), plan="plan-b").status_code == 400
    assert not Encounter.objects.exists()


def test_a_line_under_another_npi_tells_nothing_more(plan_a, eastbay):
    """ARCHITECTURE, Tenancy: past "bills under its own NPI" nothing is checked, so a provider learns
    neither whether another NPI is contracted nor which of its invoice lines are recorded."""
    organization, member = eastbay
    client = provider_client(organization, ProviderRole.CARE_MANAGER)
    response = send(client, own_line(member, provider_npi=NPIS[1]), own_line(member, provider_npi=NPIS[2]))
    assert response.status_code == 400
    assert [(error["attr"], error["detail"]) for error in response.json()["errors"]] == [
        ("lines.0.provider_npi", f"Your organization bills under its own NPI, {NPIS[0]}."),
        ("lines.1.provider_npi", f"Your organization bills under its own NPI, {NPIS[0]}."),
    ]


def test_a_member_is_billed_for_the_service_and_days_of_its_assignment_only(plan_a, eastbay):
    """DOMAIN 7, 11: the member is the organization's for ECM from the assignment's start; a day
    before it is a row error, as is a day after the assignment ended."""
    organization, member = eastbay
    assignment = Assignment.objects.get(member=member, organization=organization)
    client = provider_client(organization, ProviderRole.CARE_MANAGER)
    before = own_line(member, service_from=str(assignment.started_on - timedelta(days=1)))
    refused = send(client, before)
    assert [error["attr"] for error in refused.json()["errors"]] == ["lines.0.member_cin"]
    assert "was not assigned or referred to your organization for this service" in refused.json()["errors"][0]["detail"]
    Assignment.objects.filter(pk=assignment.pk).update(ended_on=date(2026, 11, 20))
    assert send(client, own_line(member)).status_code == 400  # 2026-11-24, after the end
    assert not Encounter.objects.exists()


def test_outreach_staff_read_but_may_not_send_lines(plan_a, eastbay):
    organization, member = eastbay
    client = provider_client(organization, ProviderRole.OUTREACH_STAFF)
    assert send(client, own_line(member)).status_code == 403
    assert client.get(URL).status_code == 200
