"""Capacity per contract per day, one function for the assignment and the dashboard (DOMAIN 7)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import ContractService
from providers.selectors import capacity_grid, contract_list, contracts_in_force
from providers.services import assignment_end, candidates_on, contract_create
from tests.factories import activated
from tests.providers.test_assignment_lifecycle import at, request
from tests.providers.test_assignments import contract, homeless_member, organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
CELL = ("01", "HOMELESS")


def test_a_place_freed_when_ecm_ends_shows_on_the_dashboard_and_takes_the_next_member(plan_a):
    """DOMAIN 7 (the issue's first loop): a provider with capacity 1 showed 0 left two months after
    its member's ECM ended, and the next approved member got no provider."""
    provider = organization(plan_a, 0)
    contract(plan_a, provider, capacity=1)
    member = homeless_member(plan_a)
    request(plan_a, member)
    assert capacity_grid(plan=plan_a, day=date(2026, 11, 21))["capacity_left"][CELL] == 0
    with at(date(2027, 1, 15)):
        assignment_end(plan=plan_a, actor=OPERATOR, member=member, on=date(2027, 1, 15), reason="discontinued")
    grid = capacity_grid(plan=plan_a, day=date(2027, 3, 15))
    assert (grid["capacity"][CELL], grid["capacity_left"][CELL]) == (1, 1)
    # The day itself is its last: the place is back the day after (per contract per day).
    assert capacity_grid(plan=plan_a, day=date(2027, 1, 15))["capacity_left"][CELL] == 0
    assert request(plan_a, homeless_member(plan_a), day=date(2027, 3, 15)).organization == provider


def test_an_end_dated_contract_counts_and_community_supports_do_not(plan_a):
    """DOMAIN 7: the dashboard kept only open-ended contracts (0 for any end date) while the
    assignment used them, and could count Community Supports contracts."""
    county, pof = County.objects.filter(code="01"), PopulationOfFocus.objects.filter(code="HOMELESS")
    ending = organization(plan_a, 0)
    activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=ending, counties=list(county), pofs=list(pof), capacity=3,
        start_date=date(2025, 1, 1), end_date=date(2027, 6, 30),
    ))  # fmt: skip
    contract_create(
        plan=plan_a, actor=OPERATOR, organization=organization(plan_a, 1), counties=list(county), pofs=list(pof),
        capacity=50, start_date=date(2025, 1, 1), service="respite",
    )  # fmt: skip
    request(plan_a, homeless_member(plan_a))
    grid = capacity_grid(plan=plan_a, day=date(2026, 12, 1))
    assert (grid["capacity"][CELL], grid["capacity_left"][CELL]) == (3, 2)
    candidates, _ = candidates_on(plan=plan_a, day=date(2026, 12, 1))
    assert [(c.organization_id, c.capacity_left) for c in candidates] == [(ending.pk, 2)]
    # After its end date the contract is in force nowhere: neither the grid nor the assignment.
    assert capacity_grid(plan=plan_a, day=date(2027, 7, 1))["capacity"] == {}
    assert candidates_on(plan=plan_a, day=date(2027, 7, 1)) == ([], {})


def test_a_contract_covering_several_cells_offers_its_pool_in_each_an_upper_bound(plan_a):
    """DOMAIN 7: per cell, the capacity left of the contracts covering it; one pool in several cells."""
    contract(plan_a, organization(plan_a, 0), capacity=2, counties=("01", "07"), pofs=("HOMELESS", "SMI_SUD"))
    request(plan_a, homeless_member(plan_a))
    left = capacity_grid(plan=plan_a, day=date(2026, 11, 21))["capacity_left"]
    assert left == {("01", "HOMELESS"): 1, ("01", "SMI_SUD"): 1, ("07", "HOMELESS"): 1, ("07", "SMI_SUD"): 1}


def test_contracts_sharing_a_cell_add_up_and_an_over_full_one_offers_nothing(plan_a):
    full = contract(plan_a, organization(plan_a, 0), capacity=2)
    contract(plan_a, organization(plan_a, 1), capacity=3)
    for _ in range(2):
        request(plan_a, homeless_member(plan_a), preferred_organization=full.organization)
    ContractService.objects.filter(contract__pk=full.pk).update(capacity=1)  # over full: counts 0 left, not -1
    grid = capacity_grid(plan=plan_a, day=date(2026, 11, 21))
    assert (grid["capacity"][CELL], grid["capacity_left"][CELL], grid["assigned"][CELL]) == (4, 3, 2)


def test_the_directory_and_the_assignment_read_the_same_capacity(plan_a):
    contract(plan_a, organization(plan_a, 0), capacity=4)
    request(plan_a, homeless_member(plan_a))
    with at(date(2026, 11, 21)):
        listed = contract_list(plan=plan_a).get()
    in_force = contracts_in_force(plan=plan_a, day=date(2026, 11, 21)).get()
    assert (listed.assigned, listed.capacity_left) == (in_force.assigned, in_force.capacity_left) == (1, 3)


def test_the_grid_is_one_query_for_capacity_however_many_contracts(plan_a):
    """Benchmarks: the capacity of the grid is one set-based query, not one per contract."""
    for number in range(3):
        contract(plan_a, organization(plan_a, number), capacity=5)

    def capacity_queries():
        with CaptureQueriesContext(connection) as queries:
            capacity_grid(plan=plan_a, day=date(2026, 11, 21))
        return len(queries)

    few = capacity_queries()
    contract(plan_a, organization(plan_a, 3), capacity=5)
    assert capacity_queries() == few <= 3


def test_the_capacity_page_shows_the_place_freed_as_an_upper_bound(plan_a, client, admin_a):
    """DOMAIN 7: the grid shows per cell the capacity left, labelled as an upper bound."""
    contract(plan_a, organization(plan_a, 0), capacity=1)
    member = homeless_member(plan_a)
    request(plan_a, member)
    with at(date(2026, 11, 21)):
        client.force_login(admin_a.user)
        full = client.get("/providers/capacity/").content.decode()
    assert "<strong>1 / 1</strong>" in full and "at most 0 left" in full
    assert "The capacity left is an upper bound" in full
    with at(date(2027, 1, 15)):
        assignment_end(plan=plan_a, actor=OPERATOR, member=member, on=date(2027, 1, 15), reason="discontinued")
    with at(date(2027, 3, 15)):
        client.logout()  # two months on: a new session
        client.force_login(admin_a.user)
        freed = client.get("/providers/capacity/").content.decode()
    assert "<strong>0 / 1</strong>" in freed and "at most 1 left" in freed
