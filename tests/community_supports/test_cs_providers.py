"""Community Supports providers (DOMAIN 9, with DOMAIN 7's capacity): a member is placed with a
contracted provider of the service in their county, within the contract line's capacity."""

from datetime import date

import pytest

from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import AssignmentEndReason, ServiceAssignment
from providers.services import (
    contract_create,
    service_assignment_create,
    service_assignment_end,
    service_provider_for,
)
from tests.factories import activated, enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
DAY = date(2026, 12, 1)


def cs_contract(plan, org, lines, counties=("01",), active=True, start=date(2025, 1, 1), end=None):
    """A contract of `lines` ({code: capacity}) in `counties`."""
    made = contract_create(
        plan=plan, actor=OPERATOR, organization=org,
        counties=list(County.objects.filter(code__in=counties)),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
        lines=[{"service": code, "capacity": capacity} for code, capacity in lines.items()],
        start_date=start, end_date=end,
    )  # fmt: skip
    return activated(made) if active else made


def line_of(contract, code):
    return contract.lines.get(service__code=code)


def place(plan, member, line, on=DAY):
    return service_assignment_create(plan=plan, actor=OPERATOR, member=member, line=line, started_on=on)


def test_the_provider_is_one_of_the_service_in_the_members_county(plan_a):
    """DOMAIN 9: a line of that service whose contract covers the member's county; another
    service's line, or another county's, never takes the member."""
    in_county, elsewhere, other_service = organization(plan_a, 0), organization(plan_a, 1), organization(plan_a, 2)
    cs_contract(plan_a, elsewhere, {"respite": 5}, counties=("07",))
    cs_contract(plan_a, other_service, {"medically-tailored-meals": 5})
    right = cs_contract(plan_a, in_county, {"respite": 1})
    member = enrolled_member(plan_a)  # county 01
    assert service_provider_for(plan=plan_a, member=member, service="respite", on=DAY) == line_of(right, "respite")
    away = enrolled_member(plan_a, county=County.objects.get(code="07"))
    assert service_provider_for(plan=plan_a, member=away, service="respite", on=DAY).contract.organization == elsewhere
    assert service_provider_for(plan=plan_a, member=member, service="sobering-centers", on=DAY) is None


def test_capacity_is_per_line_on_both_sides_of_full(plan_a):
    """DOMAIN 7/9: a line of capacity 2 takes two members and refuses a third; ending a placement
    frees its place. Another line of the same contract keeps its own capacity."""
    contract = cs_contract(plan_a, organization(plan_a, 0), {"respite": 2, "medically-tailored-meals": 1})
    respite = line_of(contract, "respite")
    first, second, third = (enrolled_member(plan_a) for _ in range(3))
    place(plan_a, first, respite)
    assert service_provider_for(plan=plan_a, member=second, service="respite", on=DAY) == respite  # one left
    held = place(plan_a, second, respite)
    assert service_provider_for(plan=plan_a, member=third, service="respite", on=DAY) is None  # full
    with pytest.raises(ConflictError) as refused:
        place(plan_a, third, respite)
    assert refused.value.code == "no_capacity"
    meals = line_of(contract, "medically-tailored-meals")
    assert place(plan_a, third, meals).line == meals  # the other line has its own place
    service_assignment_end(
        plan=plan_a, actor=OPERATOR, assignment=held, on=DAY, reason=AssignmentEndReason.DISCONTINUED
    )
    # The place is held through its last day and free the day after.
    assert service_provider_for(plan=plan_a, member=third, service="respite", on=DAY) is None
    assert service_provider_for(plan=plan_a, member=third, service="respite", on=date(2026, 12, 2)) == respite
    assert place(plan_a, third, respite, on=date(2026, 12, 2)).organization == contract.organization


def test_the_preferred_provider_first_then_most_capacity_left(plan_a):
    """DOMAIN 9: the member's preferred provider if it has room, else the line with most room left."""
    small, large = organization(plan_a, 0), organization(plan_a, 1)
    small_line = line_of(cs_contract(plan_a, small, {"respite": 1}), "respite")
    large_line = line_of(cs_contract(plan_a, large, {"respite": 3}), "respite")
    member = enrolled_member(plan_a)
    assert service_provider_for(plan=plan_a, member=member, service="respite", on=DAY) == large_line
    chosen = service_provider_for(plan=plan_a, member=member, service="respite", on=DAY, preferred_organization=small)
    assert chosen == small_line
    place(plan_a, enrolled_member(plan_a), small_line)
    full = service_provider_for(plan=plan_a, member=member, service="respite", on=DAY, preferred_organization=small)
    assert full == large_line  # the preferred one is full


def test_a_contract_not_in_force_takes_no_member(plan_a):
    """DOMAIN 7: not activated (vetting incomplete), not started, or past its end: no placement."""
    inactive = cs_contract(plan_a, organization(plan_a, 0), {"respite": 5}, active=False)
    ended = cs_contract(plan_a, organization(plan_a, 1), {"respite": 5}, end=date(2026, 11, 30))
    future = cs_contract(plan_a, organization(plan_a, 2), {"respite": 5}, start=date(2027, 1, 1))
    member = enrolled_member(plan_a)
    assert service_provider_for(plan=plan_a, member=member, service="respite", on=DAY) is None
    for contract in (inactive, ended, future):
        with pytest.raises(DomainError) as refused:
            place(plan_a, member, line_of(contract, "respite"))
        assert refused.value.code == "no_provider"
    # The ended one was in force on its last day.
    assert place(plan_a, member, line_of(ended, "respite"), on=date(2026, 11, 30)).organization == ended.organization


def test_a_member_in_another_county_is_refused_by_the_line(plan_a):
    """DOMAIN 9: the contract covers the counties it names."""
    line = line_of(cs_contract(plan_a, organization(plan_a, 0), {"respite": 5}, counties=("07",)), "respite")
    with pytest.raises(DomainError) as refused:
        place(plan_a, enrolled_member(plan_a), line)
    assert refused.value.code == "no_provider"


def test_one_open_placement_per_member_and_service(plan_a):
    """DOMAIN 9: a member has one provider of a service at a time; after the end, another."""
    first = line_of(cs_contract(plan_a, organization(plan_a, 0), {"respite": 5}), "respite")
    second = line_of(cs_contract(plan_a, organization(plan_a, 1), {"respite": 5}), "respite")
    member = enrolled_member(plan_a)
    held = place(plan_a, member, first)
    with pytest.raises(ConflictError) as refused:
        place(plan_a, member, second)
    assert refused.value.code == "service_provider_exists"
    service_assignment_end(
        plan=plan_a, actor=OPERATOR, assignment=held, on=DAY, reason=AssignmentEndReason.PROVIDER_CHANGE
    )
    with pytest.raises(ConflictError):  # ended already
        service_assignment_end(
            plan=plan_a, actor=OPERATOR, assignment=held, on=DAY, reason=AssignmentEndReason.PROVIDER_CHANGE
        )
    assert place(plan_a, member, second, on=date(2026, 12, 2)).line == second


def test_a_member_is_placed_with_two_providers_for_two_services_and_no_ecm(plan_a):
    """DOMAIN 9 (issue 17 done-when): two Community Supports from two providers, no ECM."""
    respite = line_of(cs_contract(plan_a, organization(plan_a, 0), {"respite": 5}), "respite")
    meals_org = organization(plan_a, 1)
    meals = line_of(cs_contract(plan_a, meals_org, {"medically-tailored-meals": 5}), "medically-tailored-meals")
    member = enrolled_member(plan_a)
    place(plan_a, member, respite)
    place(plan_a, member, meals)
    held = ServiceAssignment.objects.filter(member=member, ended_on__isnull=True).order_by("service__position")
    assert [(row.organization, row.service.code) for row in held] == [
        (respite.contract.organization, "respite"),
        (meals_org, "medically-tailored-meals"),
    ]


def test_an_ecm_line_is_not_a_service_placement(plan_a):
    """DOMAIN 7: ECM members go through the ECM assignment order, not a service line."""
    contract = cs_contract(plan_a, organization(plan_a, 0), {"ecm": 5})
    with pytest.raises(DomainError):
        place(plan_a, enrolled_member(plan_a), line_of(contract, "ecm"))


def test_a_placement_runs_to_the_authorized_periods_last_day_then_frees_its_place(plan_a):
    """DOMAIN 9 (review of issue 17): a one-night sobering stay holds the line's place through its
    last day only; the next day the place is free and the member may be placed again."""
    sobering = line_of(cs_contract(plan_a, organization(plan_a, 0), {"sobering-centers": 1}), "sobering-centers")
    member, other = enrolled_member(plan_a), enrolled_member(plan_a)
    stay = service_assignment_create(
        plan=plan_a, actor=OPERATOR, member=member, line=sobering, started_on=DAY, until=date(2026, 12, 2)
    )
    assert stay.ended_on == date(2026, 12, 2) and not stay.has_ended_by(date(2026, 12, 2))
    assert service_provider_for(plan=plan_a, member=other, service="sobering-centers", on=date(2026, 12, 2)) is None
    after = date(2026, 12, 3)
    assert stay.has_ended_by(after)
    assert service_provider_for(plan=plan_a, member=other, service="sobering-centers", on=after) == sobering
    again = service_assignment_create(plan=plan_a, actor=OPERATOR, member=member, line=sobering, started_on=after)
    assert again.ended_on is None
    # Ending early moves the last day forward; ending on or after it is refused as ended.
    with pytest.raises(ConflictError):
        service_assignment_end(
            plan=plan_a, actor=OPERATOR, assignment=stay, on=date(2026, 12, 5), reason=AssignmentEndReason.DISCONTINUED
        )
