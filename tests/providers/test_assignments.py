"""Contracts, capacity and assignments (DOMAIN 7), through the services."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.models import County
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import Assignment, AssignmentRule, EnrollmentPathway, OrganizationType
from providers.services import (
    assignment_assign,
    assignment_override,
    candidates_on,
    contract_create,
    organization_create,
    provider_change_implement,
    provider_change_request,
)
from tests.factories import enrolled_member

LA = ZoneInfo("America/Los_Angeles")
NPIS = ["1234567893", "1245319599", "1679576722", "1003000126"]


@pytest.fixture(autouse=True)
def unscoped():
    with scopes_disabled():
        yield


def organization(plan, number, **fields):
    return organization_create(
        plan=plan,
        actor=None,
        npi=NPIS[number],
        tax_id=f"{number:09d}",
        name=f"Provider {number}",
        organization_type=OrganizationType.CBO,
        enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        **fields,
    )


def contract(plan, org, capacity=10, counties=("01",), pofs=("HOMELESS",)):
    return contract_create(
        plan=plan,
        actor=None,
        organization=org,
        counties=list(County.objects.filter(code__in=counties)),
        pofs=list(PopulationOfFocus.objects.filter(code__in=pofs)),
        capacity=capacity,
        start_date=date(2025, 1, 1),
    )


def homeless_member(plan, **kwargs):
    member = enrolled_member(plan, **kwargs)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=None,
    )  # fmt: skip
    return member


def assign(plan, member, **kwargs):
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        return assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=None, **kwargs)


def test_npi_check_digits_are_validated_with_a_clear_message(plan_a):
    # DOMAIN 2: 1234567893 is valid, 1234567890 is not
    with pytest.raises(DomainError, match="1234567890 is not a valid NPI: its check digit does not match"):
        organization_create(
            plan=plan_a, actor=None, npi="1234567890", tax_id="123456789", name="X",
            organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        )  # fmt: skip
    assert organization(plan_a, 0).npi == "1234567893"


def test_county_and_pof_assignment_records_the_rule_and_the_deadlines(plan_a):
    # DOMAIN 7 (4) and the 10-business-day communication deadline (Thanksgiving closed)
    contract(plan_a, organization(plan_a, 0))
    assignment = assign(plan_a, homeless_member(plan_a, pcp_npi=NPIS[3]))
    assert assignment.rule == AssignmentRule.COUNTY_AND_POF
    # authorized Fri 2026-11-20: Mon 23 .. Wed 25 (3), Thu/Fri closed, 30 Nov .. 4 Dec (8), 7, 8 Dec
    assert assignment.communication_due == datetime(2026, 12, 8, 23, 59, 59, tzinfo=LA)
    # DOMAIN 7: the PCP (not the ECM Provider) is told within 10 business days of the assignment
    assert assignment.pcp_notification_due == datetime(2026, 12, 8, 23, 59, 59, tzinfo=LA)


def test_no_pcp_notice_when_the_provider_is_the_pcp(plan_a):
    pcp = organization(plan_a, 2)
    contract(plan_a, pcp)
    assignment = assign(plan_a, homeless_member(plan_a, pcp_npi=pcp.npi))
    assert (assignment.rule, assignment.pcp_notification_due) == (AssignmentRule.PCP, None)


def test_capacity_is_a_hard_limit(plan_a):
    # DOMAIN 7: assignments respect capacity
    contract(plan_a, organization(plan_a, 0), capacity=1)
    assign(plan_a, homeless_member(plan_a))
    with pytest.raises(DomainError, match="No contracted ECM Provider serves Alameda with capacity left"):
        assign(plan_a, homeless_member(plan_a))


def test_preference_is_followed_and_passed_over_candidates_are_recorded(plan_a):
    # DOMAIN 7 (1)
    full, other = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, full, capacity=1)
    contract(plan_a, other)
    assign(plan_a, homeless_member(plan_a), preferred_organization=full)
    second = assign(plan_a, homeless_member(plan_a), preferred_organization=full)
    assert second.organization == other
    assert second.passed_over == [{"organization": full.pk, "reason": "member preference: no capacity left"}]


def test_a_more_appropriate_provider_needs_a_documented_reason(plan_a):
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second)
    with pytest.raises(DomainError, match="Document why"):
        assign(plan_a, homeless_member(plan_a), more_appropriate_organization=second)
    chosen = assign(plan_a, homeless_member(plan_a), more_appropriate_organization=second, reason="Speaks Hmong")
    assert (chosen.organization, chosen.rule, chosen.reason) == (
        second,
        AssignmentRule.MORE_APPROPRIATE_PROVIDER,
        "Speaks Hmong",
    )


def test_a_coordinator_override_ends_the_old_assignment(plan_a):
    # DOMAIN 7: overrides by a coordinator, with a reason
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second)
    original = assign(plan_a, homeless_member(plan_a))
    with pytest.raises(DomainError, match="needs a reason"):
        assignment_override(plan=plan_a, assignment=original, organization=second, reason=" ", actor=None)
    target = second if original.organization == first else first
    moved = assignment_override(
        plan=plan_a, assignment=original, organization=target, reason="Closer to home", actor=None
    )
    original.refresh_from_db()
    assert original.ended_on is not None
    assert (moved.rule, moved.organization) == (AssignmentRule.OVERRIDE, target)
    assert Assignment.objects.filter(member=moved.member, ended_on__isnull=True).count() == 1


def test_a_member_requested_change_is_due_in_30_days_and_implemented(plan_a):
    # DOMAIN 7: members may change ECM Provider at any time; implemented within 30 days
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second, capacity=1)
    member = homeless_member(plan_a)
    current = assign(plan_a, member, preferred_organization=first)
    request = provider_change_request(
        plan=plan_a, member=member, organization=second, requested_on=date(2026, 11, 20), actor=None
    )
    assert request.due == datetime(2026, 12, 20, 23, 59, 59, tzinfo=LA)
    moved = provider_change_implement(plan=plan_a, change=request, actor=None)
    assert (moved.organization, moved.rule) == (second, AssignmentRule.MEMBER_CHANGE)
    current.refresh_from_db()
    assert current.ended_on is not None


def test_plans_sharing_an_organization_keep_their_own_contracts_and_caseloads(plan_a, plan_b):
    shared = organization(plan_a, 0)
    contract(plan_a, shared, capacity=1)
    contract(plan_b, shared, capacity=5, counties=("19",))
    assign(plan_a, homeless_member(plan_a))
    candidates_a, _ = candidates_on(plan=plan_a, day=date(2026, 11, 20))
    candidates_b, _ = candidates_on(plan=plan_b, day=date(2026, 11, 20))
    assert [(c.capacity, c.assigned) for c in candidates_a] == [(1, 1)]
    assert [(c.capacity, c.assigned, sorted(c.counties)) for c in candidates_b] == [(5, 0, ["19"])]


def test_a_contract_only_covers_counties_the_plan_serves(plan_a):
    with pytest.raises(DomainError, match="does not serve Yuba"):
        contract(plan_a, organization(plan_a, 0), counties=("58",))
