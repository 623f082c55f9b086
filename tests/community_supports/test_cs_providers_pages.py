"""Contracts per service in the browser (DOMAIN 7, 9): the plan administrator records a contract of
ECM and Community Supports lines, each with its capacity, edits the lines (add, remove, resize, never
below the members a line holds), and the profile lists each line with what it holds and has left.
A contract's end ends its Community Supports placements."""

from datetime import date

import pytest

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import PopulationOfFocus
from providers.models import AssignmentEndReason, Contract, ServiceAssignment
from providers.services import contract_end, service_assignment_create
from tests.community_supports.test_cs_providers import DAY, cs_contract, line_of
from tests.factories import enrolled_member
from tests.providers import test_pages_actions as pages
from tests.providers.test_assignments import organization
from tests.providers.test_pages_actions import NOW, post, text_of

pytestmark = pytest.mark.usefixtures("in_plan_a")
login = pages.login  # the fixture: a client logged in as a role of plan A


def terms():
    return {
        "counties": County.objects.get(code="01").pk,
        "pofs": PopulationOfFocus.objects.get(code="HOMELESS").pk,
        "start_date": "2025-01-01",
    }


def test_a_contract_of_ecm_and_respite_is_recorded_with_a_capacity_each(plan_a, login):
    """DOMAIN 9: a contract lists the services it covers with capacity per service."""
    org = organization(plan_a, 0)
    client = login(Role.PLAN_ADMINISTRATOR)
    with clocks.frozen(NOW):
        page = text_of(client.get("/providers/contracts/new/"))
    assert 'name="capacity_respite"' in page and 'name="capacity"' in page
    nothing = post(client, "/providers/contracts/new/", terms() | {"organization": org.pk})
    assert nothing.status_code == 200
    assert "Give the capacity of at least one service" in text_of(nothing)
    saved = post(
        client, "/providers/contracts/new/",
        terms() | {"organization": org.pk, "capacity": "4", "capacity_respite": "2"},
    )  # fmt: skip
    assert saved.status_code == 302
    contract = Contract.objects.get(organization=org)
    assert sorted(contract.lines.values_list("service__code", "capacity")) == [("ecm", 4), ("respite", 2)]
    assert post(login(Role.CARE_COORDINATOR), "/providers/contracts/new/", terms()).status_code == 403


def test_the_profile_lists_each_line_with_its_members_and_what_is_left(plan_a, login):
    """DOMAIN 7, 9: per line, the capacity, the members it holds today (a Community Support: its
    placements) and what is left."""
    org = organization(plan_a, 0)
    contract = cs_contract(plan_a, org, {"respite": 3, "medically-tailored-meals": 1})
    service_assignment_create(
        plan=plan_a, actor=OPERATOR, member=enrolled_member(plan_a), line=line_of(contract, "respite"), started_on=DAY
    )
    with clocks.frozen(NOW.replace(month=12, day=2)):
        page = text_of(login(Role.REVIEWER).get(f"/providers/{org.pk}/"))
    assert "Respite Services: 3, 1 today, 2 left" in page
    assert "Medically Tailored Meals/Medically Supportive Food: 1, 0 today, 1 left" in page


def test_editing_adds_resizes_and_removes_lines_never_below_the_members_held(plan_a, login):
    """DOMAIN 7: a line's capacity never drops below the members it holds today, nor is a line
    holding members removed; an empty line may go, a new one comes."""
    contract = cs_contract(plan_a, organization(plan_a, 0), {"respite": 2, "medically-tailored-meals": 5})
    respite = line_of(contract, "respite")
    for _ in range(2):
        service_assignment_create(
            plan=plan_a, actor=OPERATOR, member=enrolled_member(plan_a), line=respite, started_on=date(2026, 11, 2)
        )
    url = f"/providers/contracts/{contract.pk}/edit/"
    client = login(Role.PLAN_ADMINISTRATOR)
    with clocks.frozen(NOW):
        shown = text_of(client.get(url))
    assert 'name="capacity_respite" value="2"' in shown.replace(' min="1"', "")
    lowered = post(client, url, terms() | {"capacity_respite": "1", "capacity_medically-tailored-meals": "5"})
    assert lowered.status_code == 400
    assert "2 members are assigned under the contract&#x27;s Respite Services line today" in text_of(lowered)
    removed = post(client, url, terms() | {"capacity_medically-tailored-meals": "5"})
    assert (removed.status_code, "before removing the line" in text_of(removed)) == (400, True)
    saved = post(client, url, terms() | {"capacity_respite": "2", "capacity_sobering-centers": "8"})
    assert saved.status_code == 302
    assert sorted(contract.lines.values_list("service__code", "capacity")) == [("respite", 2), ("sobering-centers", 8)]


def test_a_contracts_end_ends_its_community_supports_placements(plan_a):
    """DOMAIN 7, 9: the members placed under its lines lose that provider on its last day (their
    requests then show no provider); another contract's placements stay."""
    ending = cs_contract(plan_a, organization(plan_a, 0), {"respite": 5})
    staying = cs_contract(plan_a, organization(plan_a, 1), {"respite": 5})
    member, other = enrolled_member(plan_a), enrolled_member(plan_a)
    placed = service_assignment_create(
        plan=plan_a, actor=OPERATOR, member=member, line=line_of(ending, "respite"), started_on=DAY
    )
    kept = service_assignment_create(
        plan=plan_a, actor=OPERATOR, member=other, line=line_of(staying, "respite"), started_on=DAY
    )
    with clocks.frozen(NOW.replace(month=12, day=10)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ending, end_date=date(2026, 12, 10))
    placed.refresh_from_db()
    kept.refresh_from_db()
    assert (placed.ended_on, placed.end_reason) == (date(2026, 12, 10), AssignmentEndReason.CONTRACT_ENDED)
    assert kept.ended_on is None
    assert not ServiceAssignment.objects.filter(member=member, ended_on__isnull=True).exists()
