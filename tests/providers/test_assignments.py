"""Contracts, capacity and assignments (DOMAIN 7), through the services."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import CrossPlanReference, DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County
from ecm_platform.tenancy.scoping import plan_scope
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from members.models import Program
from members.services import program_enrollment_add
from providers.models import Assignment, AssignmentRule, EnrollmentPathway, OrganizationType
from providers.services import (
    assignment_assign,
    assignment_override,
    assignment_settings_set,
    candidates_on,
    contract_create,
    mark_pcp_notified,
    organization_create,
    provider_change_implement,
    provider_change_request,
)
from tests.factories import activated, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
NPIS = ["1234567893", "1245319599", "1679576722", "1003000126"]


pytestmark = pytest.mark.usefixtures("in_plan_a")


def organization(plan, number, **fields):
    return organization_create(
        plan=plan,
        actor=OPERATOR,
        npi=NPIS[number],
        tax_id=f"{number:09d}",
        name=f"Provider {number}",
        organization_type=OrganizationType.CBO,
        enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        **fields,
    )


def contract(plan, org, capacity=10, counties=("01",), pofs=("HOMELESS",), active=True):
    made = contract_create(
        plan=plan,
        actor=OPERATOR,
        organization=org,
        counties=list(County.objects.filter(code__in=counties)),
        pofs=list(PopulationOfFocus.objects.filter(code__in=pofs)),
        capacity=capacity,
        start_date=date(2025, 1, 1),
    )
    return activated(made) if active else made


def homeless_member(plan, **kwargs):
    member = enrolled_member(plan, **kwargs)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    return member


def assign(plan, member, **kwargs):
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        return assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR, **kwargs)


def test_npi_check_digits_are_validated_with_a_clear_message(plan_a):
    # DOMAIN 2: 1234567893 is valid, 1234567890 is not
    with pytest.raises(DomainError, match="1234567890 is not a valid NPI: its check digit does not match"):
        organization_create(
            plan=plan_a, actor=OPERATOR, npi="1234567890", tax_id="123456789", name="X",
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
    with pytest.raises(DomainError, match="No contracted ECM Provider serves Alameda and the member's Populations"):
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
        assignment_override(plan=plan_a, assignment=original, organization=second, reason=" ", actor=OPERATOR)
    target = second if original.organization == first else first
    moved = assignment_override(
        plan=plan_a, assignment=original, organization=target, reason="Closer to home", actor=OPERATOR
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
        plan=plan_a, member=member, organization=second, requested_on=date(2026, 11, 20), actor=OPERATOR
    )
    assert request.due == datetime(2026, 12, 20, 23, 59, 59, tzinfo=LA)
    moved = provider_change_implement(plan=plan_a, change=request, actor=OPERATOR)
    assert (moved.organization, moved.rule) == (second, AssignmentRule.MEMBER_CHANGE)
    current.refresh_from_db()
    assert current.ended_on is not None


def test_plans_sharing_an_organization_keep_their_own_contracts_and_caseloads(plan_a, plan_b):
    shared = organization(plan_a, 0)
    contract(plan_a, shared, capacity=1)
    with plan_scope(plan_b):
        contract(plan_b, shared, capacity=5, counties=("19",))
    assign(plan_a, homeless_member(plan_a))
    candidates_a, _ = candidates_on(plan=plan_a, day=date(2026, 11, 20))
    with plan_scope(plan_b):
        candidates_b, _ = candidates_on(plan=plan_b, day=date(2026, 11, 20))
    assert [(c.capacity, c.assigned) for c in candidates_a] == [(1, 1)]
    assert [(c.capacity, c.assigned, sorted(c.counties)) for c in candidates_b] == [(5, 0, ["19"])]


def test_a_contract_only_covers_counties_the_plan_serves(plan_a):
    with pytest.raises(DomainError, match="does not serve Yuba"):
        contract(plan_a, organization(plan_a, 0), counties=("58",))


# --- The audit of issue 4 -------------------------------------------------------------------------

BEHAVIORAL_NPI, PCP_NPI = NPIS[1], NPIS[2]


def member_with_providers(plan, pof_code="HOMELESS"):
    """A member whose behavioral-health provider and PCP are both contracted ECM Providers."""
    member = enrolled_member(plan, behavioral_health_npi=BEHAVIORAL_NPI, pcp_npi=PCP_NPI)
    if pof_code:
        pof = PopulationOfFocus.objects.get(code=pof_code)
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
    return member


@pytest.fixture
def behavioral_and_pcp(plan_a):
    behavioral, pcp = organization(plan_a, 1), organization(plan_a, 2)
    contract(plan_a, behavioral, pofs=("SMI_SUD",))
    contract(plan_a, pcp)
    return behavioral, pcp


def test_a_community_supports_contract_never_takes_an_ecm_member(plan_a):
    # DOMAIN 7: every member authorized for ECM is assigned to an ECM Provider, never to a CS contract
    community_supports = organization(plan_a, 0)
    contract_create(
        plan=plan_a, actor=OPERATOR, organization=community_supports, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=10, start_date=date(2025, 1, 1),
        service="respite",
    )  # fmt: skip
    assert candidates_on(plan=plan_a, day=date(2026, 11, 20)) == ([], {})
    with pytest.raises(DomainError, match="No contracted ECM Provider serves Alameda"):
        assign(plan_a, homeless_member(plan_a), preferred_organization=community_supports)


def test_step_four_never_picks_a_provider_serving_none_of_the_members_pofs(plan_a):
    # DOMAIN 7 (4): the county provider must serve the member's POF(s)
    contract(plan_a, organization(plan_a, 0), pofs=("SMI_SUD",))
    with pytest.raises(DomainError, match="serves Alameda and the member's Populations of Focus"):
        assign(plan_a, homeless_member(plan_a))


def test_a_member_with_no_open_pof_has_no_step_four_provider(plan_a):
    # DOMAIN 7 (4): no POF, no competence to match; steps (1)-(3) still apply
    preferred = organization(plan_a, 0)
    contract(plan_a, preferred)
    with pytest.raises(DomainError, match="The member has no open Population of Focus") as refusal:
        assign(plan_a, enrolled_member(plan_a))
    assert refusal.value.code == "no_provider"
    chosen = assign(plan_a, enrolled_member(plan_a), preferred_organization=preferred)
    assert chosen.rule == AssignmentRule.MEMBER_PREFERENCE


def test_the_plan_setting_puts_the_pcp_before_the_behavioral_health_provider(plan_a, behavioral_and_pcp):
    # DOMAIN 7: a plan setting may swap steps 2 and 3
    behavioral, pcp = behavioral_and_pcp
    first = assign(plan_a, member_with_providers(plan_a, "SMI_SUD"))
    assert (first.organization, first.rule) == (behavioral, AssignmentRule.BEHAVIORAL_HEALTH_PROVIDER)
    settings = assignment_settings_set(plan=plan_a, actor=OPERATOR, pcp_before_behavioral_health=True)
    assert AuditEvent.objects.filter(plan=plan_a, code="providers.assignment_settings.changed").count() == 1
    second = assign(plan_a, member_with_providers(plan_a, "SMI_SUD"))
    assert (second.organization, second.rule) == (pcp, AssignmentRule.PCP)
    # the caller may still decide for itself
    third = assign(plan_a, member_with_providers(plan_a, "SMI_SUD"), pcp_before_behavioral_health=False)
    assert third.rule == AssignmentRule.BEHAVIORAL_HEALTH_PROVIDER
    assert settings.pcp_before_behavioral_health is True


def test_the_behavioral_health_step_reads_the_members_data(plan_a, behavioral_and_pcp):
    # DOMAIN 7 (2): a member receiving SMHS or DMC-ODS/DMC services for SMI/SUD
    behavioral, pcp = behavioral_and_pcp
    assert assign(plan_a, member_with_providers(plan_a)).organization == pcp  # neither SMI/SUD nor a program
    in_smi_sud = assign(plan_a, member_with_providers(plan_a, "SMI_SUD"))
    assert (in_smi_sud.organization, in_smi_sud.rule) == (behavioral, AssignmentRule.BEHAVIORAL_HEALTH_PROVIDER)
    for code in ("dmc_ods", "smhs_tcm"):
        member = member_with_providers(plan_a)
        program_enrollment_add(
            plan=plan_a,
            member=member,
            program=Program.objects.get(code=code),
            start_date=date(2026, 1, 1),
            actor=OPERATOR,
        )
        assert assign(plan_a, member).rule == AssignmentRule.BEHAVIORAL_HEALTH_PROVIDER, code
    ended = member_with_providers(plan_a)
    program_enrollment_add(
        plan=plan_a, member=ended, program=Program.objects.get(code="dmc_ods"), start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31), actor=OPERATOR,
    )  # fmt: skip
    assert assign(plan_a, ended).rule == AssignmentRule.PCP
    unrelated = member_with_providers(plan_a)
    program_enrollment_add(
        plan=plan_a,
        member=unrelated,
        program=Program.objects.get(code="cbas"),
        start_date=date(2026, 1, 1),
        actor=OPERATOR,
    )
    assert assign(plan_a, unrelated).rule == AssignmentRule.PCP
    # an explicit answer from the caller wins over the member's data
    told_no = assign(plan_a, member_with_providers(plan_a, "SMI_SUD"), receives_specialty_behavioral_health=False)
    assert told_no.rule == AssignmentRule.PCP


def test_the_pcp_notice_is_recorded_and_audited(plan_a):
    # DOMAIN 7: the PCP is notified within 10 business days of the assignment
    contract(plan_a, organization(plan_a, 0))
    assignment = assign(plan_a, homeless_member(plan_a, pcp_npi=NPIS[3]))
    with clocks.frozen(datetime(2026, 11, 24, 17, tzinfo=UTC)):
        notified = mark_pcp_notified(plan=plan_a, assignment=assignment, actor=OPERATOR)
    assert notified.pcp_notified_at == datetime(2026, 11, 24, 17, tzinfo=UTC)
    assert AuditEvent.objects.filter(plan=plan_a, code="providers.assignment.pcp_notified").count() == 1
    without_pcp = assign(plan_a, homeless_member(plan_a))
    with pytest.raises(DomainError, match="No PCP notice is owed"):
        mark_pcp_notified(plan=plan_a, assignment=without_pcp, actor=OPERATOR)


def test_the_pcp_notice_is_refused_across_plans(plan_a, plan_b):
    contract(plan_a, organization(plan_a, 0))
    assignment = assign(plan_a, homeless_member(plan_a, pcp_npi=NPIS[3]))
    with pytest.raises(CrossPlanReference):
        mark_pcp_notified(plan=plan_b, assignment=assignment, actor=OPERATOR)
    assignment.refresh_from_db()
    assert assignment.pcp_notified_at is None


def test_the_pcp_deadline_counts_from_the_assignment_not_the_authorization(plan_a):
    # DOMAIN 7: provider told within 10 business days of authorization, PCP within 10 of the assignment
    contract(plan_a, organization(plan_a, 0))
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):  # assigned Fri 2026-11-20
        assignment = assignment_assign(
            plan=plan_a,
            member=homeless_member(plan_a, pcp_npi=NPIS[3]),
            authorized_on=date(2026, 11, 16),
            actor=OPERATOR,
        )
    # authorized Mon 16 Nov: 17..20 (4), 23..25 (7), Thanksgiving Thu/Fri closed, 30 Nov (8), 1, 2 Dec
    assert assignment.communication_due == datetime(2026, 12, 2, 23, 59, 59, tzinfo=LA)
    assert assignment.pcp_notification_due == datetime(2026, 12, 8, 23, 59, 59, tzinfo=LA)


def test_an_override_is_a_new_assignment_to_communicate(plan_a):
    # DOMAIN 7: the new provider is told within 10 business days of its assignment
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second)
    original = assign(plan_a, homeless_member(plan_a), preferred_organization=first)
    with clocks.frozen(datetime(2026, 12, 1, 18, tzinfo=UTC)):  # Tue 2026-12-01
        moved = assignment_override(
            plan=plan_a, assignment=original, organization=second, reason="Closer to home", actor=OPERATOR
        )
    # Dec 2..4 (3), 7..11 (8), 14, 15
    assert moved.communication_due == datetime(2026, 12, 15, 23, 59, 59, tzinfo=LA)
    assert (moved.authorized_on, moved.started_on) == (date(2026, 11, 20), date(2026, 12, 1))


def test_a_member_requested_change_is_a_new_assignment_to_communicate(plan_a):
    # DOMAIN 7: the change is a new assignment; its provider is told within 10 business days of it
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second)
    member = homeless_member(plan_a)
    assign(plan_a, member, preferred_organization=first)
    change = provider_change_request(
        plan=plan_a, member=member, organization=second, requested_on=date(2026, 11, 25), actor=OPERATOR
    )
    with clocks.frozen(datetime(2026, 12, 1, 18, tzinfo=UTC)):
        moved = provider_change_implement(plan=plan_a, change=change, actor=OPERATOR)
    assert moved.communication_due == datetime(2026, 12, 15, 23, 59, 59, tzinfo=LA)


def test_an_override_needs_capacity_and_the_members_county(plan_a):
    # DOMAIN 7: assignments respect capacity; overrides go to a provider contracted for the county
    first, full, elsewhere = organization(plan_a, 0), organization(plan_a, 1), organization(plan_a, 2)
    contract(plan_a, first)
    contract(plan_a, full, capacity=1)
    contract(plan_a, elsewhere, counties=("07",))
    assign(plan_a, homeless_member(plan_a), preferred_organization=full)
    original = assign(plan_a, homeless_member(plan_a), preferred_organization=first)
    with pytest.raises(DomainError, match="Provider 1 has no capacity left") as no_room:
        assignment_override(plan=plan_a, assignment=original, organization=full, reason="Asked", actor=OPERATOR)
    assert no_room.value.code == "no_capacity"
    with pytest.raises(DomainError, match="Provider 2 is not contracted for the member's county"):
        assignment_override(plan=plan_a, assignment=original, organization=elsewhere, reason="Asked", actor=OPERATOR)
    original.refresh_from_db()
    assert original.ended_on is None
    assert Assignment.objects.filter(plan=plan_a, member=original.member).count() == 1


def test_a_member_requested_change_without_capacity_is_refused_and_recorded(plan_a):
    # DOMAIN 7: implemented "to the extent the requested provider can accommodate it"; the request
    # stays open with the refusal on its outcome, so it can be tried again within the 30 days
    first, full = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, full, capacity=1)
    assign(plan_a, homeless_member(plan_a), preferred_organization=full)
    member = homeless_member(plan_a)
    current = assign(plan_a, member, preferred_organization=first)
    change = provider_change_request(
        plan=plan_a, member=member, organization=full, requested_on=date(2026, 11, 21), actor=OPERATOR
    )
    with clocks.frozen(datetime(2026, 11, 23, 18, tzinfo=UTC)), pytest.raises(DomainError, match="no capacity"):
        provider_change_implement(plan=plan_a, change=change, actor=OPERATOR)
    change.refresh_from_db()
    assert (change.resolved_on, change.outcome) == (
        None,
        "Not implemented on 2026-11-23: Provider 1 has no capacity left.",
    )
    assert AuditEvent.objects.filter(plan=plan_a, code="providers.change.refused").count() == 1
    current.refresh_from_db()
    assert current.ended_on is None
