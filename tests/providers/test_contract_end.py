"""Editing and ending a contract (DOMAIN 7): when it ends, its members are reassigned by the same
order with a new 10-business-day communication clock, or wait on the reassignment worklist."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline, DeadlineKind
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import Assignment, AssignmentEndReason, AwaitingAssignment, CareManager
from providers.selectors import contracts_in_force
from providers.services import (
    assignment_end,
    assignment_set_lead_care_manager,
    contract_create,
    contract_end,
    contract_update,
    provider_change_implement,
    provider_change_request,
)
from providers.tasks import contract_ends_task
from tests.providers.test_assignment_lifecycle import at, live, request
from tests.providers.test_assignments import contract, homeless_member, organization

LA = ZoneInfo("America/Los_Angeles")
pytestmark = pytest.mark.usefixtures("in_plan_a")


def test_ending_a_contract_reassigns_its_members_by_the_order_with_a_new_clock(plan_a):
    """DOMAIN 7: the contract ends, each member's assignment ends (CONTRACT_ENDED) and they are
    reassigned by the same order, the provider told within 10 business days of the reassignment."""
    ending_org, other = organization(plan_a, 0), organization(plan_a, 1)
    ending = contract(plan_a, ending_org, capacity=5)
    first = request(plan_a, homeless_member(plan_a), preferred_organization=ending_org)
    contract(plan_a, other, capacity=1)
    second = request(plan_a, homeless_member(plan_a), preferred_organization=ending_org)
    with at(date(2027, 2, 1)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ending, end_date=date(2027, 2, 1))
    for old in (first, second):
        old.refresh_from_db()
        assert (old.ended_on, old.end_reason) == (date(2027, 2, 1), AssignmentEndReason.CONTRACT_ENDED)
        assert live(old, DeadlineKind.PROVIDER_COMMUNICATION).count() == 0
    moved = Assignment.objects.get(member=first.member, ended_on__isnull=True)
    assert (moved.organization, moved.started_on) == (other, date(2027, 2, 1))
    # Mon 2027-02-01 + 10 business days (Presidents' Day closed): Tue 2027-02-16.
    assert live(moved, DeadlineKind.PROVIDER_COMMUNICATION).get().due_at == datetime(2027, 2, 16, 23, 59, 59, tzinfo=LA)
    # The other provider had one place: the second member waits on the reassignment worklist.
    waiting = AwaitingAssignment.objects.get(member=second.member, resolved_at__isnull=True)
    assert waiting.cause == AwaitingAssignment.Cause.CONTRACT_ENDED
    assert [c.organization for c in contracts_in_force(plan=plan_a, day=date(2027, 2, 2))] == [other]


def test_a_member_in_services_owes_a_lead_care_manager_at_the_new_provider(plan_a):
    """DOMAIN 5.2: services run at the new provider without a Lead Care Manager: a 10-business-day clock."""
    ending_org, other = organization(plan_a, 0), organization(plan_a, 1)
    ending = contract(plan_a, ending_org)
    contract(plan_a, other)
    old = request(plan_a, homeless_member(plan_a), preferred_organization=ending_org)
    manager = CareManager.objects.create(organization=ending_org, name="Dana Lee")
    assignment_set_lead_care_manager(plan=plan_a, assignment=old, care_manager=manager, actor=OPERATOR)
    with at(date(2027, 2, 1)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ending, end_date=date(2027, 2, 1))
    moved = Assignment.objects.get(member=old.member, ended_on__isnull=True)
    assert live(moved, DeadlineKind.LEAD_CARE_MANAGER).count() == 1
    successor = CareManager.objects.create(organization=other, name="Sam Ortiz")
    with at(date(2027, 2, 3)):
        assignment_set_lead_care_manager(plan=plan_a, assignment=moved, care_manager=successor, actor=OPERATOR)
    assert Deadline.objects.get(kind=DeadlineKind.LEAD_CARE_MANAGER, target_id=moved.pk).state == "met"


def test_an_end_date_before_the_start_is_refused(plan_a):
    agreement = contract(plan_a, organization(plan_a, 0))
    with pytest.raises(DomainError, match="before the start date"):
        contract_end(plan=plan_a, actor=OPERATOR, contract=agreement, end_date=date(2024, 1, 1))


def test_editing_keeps_capacity_at_or_above_the_members_assigned(plan_a):
    """DOMAIN 7: assignments respect capacity, so capacity cannot drop below today's assignments."""
    agreement = contract(plan_a, organization(plan_a, 0), capacity=3)
    request(plan_a, homeless_member(plan_a))
    request(plan_a, homeless_member(plan_a))
    with at(date(2026, 11, 21)):
        with pytest.raises(DomainError, match="2 members are assigned") as refused:
            contract_update(plan=plan_a, actor=OPERATOR, contract=agreement, capacity=1)
        assert refused.value.code == "capacity_below_assigned"
        updated = contract_update(
            plan=plan_a, actor=OPERATOR, contract=agreement, capacity=2,
            counties=list(County.objects.filter(code__in=["01", "07"])), is_presumptive_capable=True,
        )  # fmt: skip
    assert (updated.capacity, updated.is_presumptive_capable) == (2, True)
    assert sorted(updated.counties.values_list("code", flat=True)) == ["01", "07"]
    with pytest.raises(DomainError, match="does not serve Yuba"):
        contract_update(
            plan=plan_a, actor=OPERATOR, contract=agreement, counties=list(County.objects.filter(code="58"))
        )


def test_a_member_requested_change_is_a_clock_met_when_implemented(plan_a):
    """DOMAIN 7: the change is implemented within 30 days; the old assignment ends with PROVIDER_CHANGE."""
    first, second = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, first)
    contract(plan_a, second)
    member = homeless_member(plan_a)
    current = request(plan_a, member, preferred_organization=first)
    with at(date(2026, 11, 23)):
        change = provider_change_request(
            plan=plan_a, member=member, organization=second, requested_on=date(2026, 11, 23), actor=OPERATOR
        )
        clock = Deadline.objects.get(kind=DeadlineKind.PROVIDER_CHANGE, target_id=change.pk)
        assert clock.due_at == datetime(2026, 12, 23, 23, 59, 59, tzinfo=LA)
        provider_change_implement(plan=plan_a, change=change, actor=OPERATOR)
    clock.refresh_from_db()
    current.refresh_from_db()
    assert clock.state == "met"
    assert (current.ended_on, current.end_reason) == (date(2026, 11, 23), AssignmentEndReason.PROVIDER_CHANGE)


def test_a_contract_past_its_end_date_has_its_members_moved_by_the_daily_job(plan_a):
    """DOMAIN 7: a contract made with an end date ends by itself: the job (its own system principal)
    reassigns its members the day after its last day, and finds nothing to do on a rerun."""
    county, pof = County.objects.filter(code="01"), PopulationOfFocus.objects.filter(code="HOMELESS")
    ending_org, other = organization(plan_a, 0), organization(plan_a, 1)
    contract_create(
        plan=plan_a, actor=OPERATOR, organization=ending_org, counties=list(county), pofs=list(pof), capacity=5,
        start_date=date(2025, 1, 1), end_date=date(2027, 1, 31),
    )  # fmt: skip
    contract(plan_a, other)
    old = request(plan_a, homeless_member(plan_a), preferred_organization=ending_org)
    with at(date(2027, 1, 31)):
        assert contract_ends_task(plan_id=plan_a.pk) == 0  # its last day: nothing yet
    with at(date(2027, 2, 1)):
        assert contract_ends_task(plan_id=plan_a.pk) == 1
        assert contract_ends_task(plan_id=plan_a.pk) == 0
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (date(2027, 1, 31), AssignmentEndReason.CONTRACT_ENDED)
    assert Assignment.objects.get(member=old.member, ended_on__isnull=True).organization == other
    assert AuditEvent.objects.filter(code="providers.contract.ended", actor_label="system:contract-ends").exists()


def test_ending_ahead_reassigns_now_and_the_old_place_is_held_until_the_last_day(plan_a):
    """DOMAIN 7: a contract ending next month: its members move now (the new provider is told
    within 10 business days) while the old contract holds their places until its last day, unless
    their ECM ends first."""
    ending_org, other = organization(plan_a, 0), organization(plan_a, 1)
    ending = contract(plan_a, ending_org)
    contract(plan_a, other)
    stays, leaves = (request(plan_a, homeless_member(plan_a), preferred_organization=ending_org) for _ in range(2))
    with at(date(2026, 12, 1)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ending, end_date=date(2026, 12, 31))
        assignment_end(plan=plan_a, actor=OPERATOR, member=leaves.member, on=date(2026, 12, 10), reason="discontinued")
    assert contracts_in_force(plan=plan_a, day=date(2026, 12, 20)).get(organization=ending_org).assigned == 1
    assert contracts_in_force(plan=plan_a, day=date(2027, 1, 1)).filter(organization=ending_org).count() == 0
    stays.refresh_from_db()
    moved = Assignment.objects.get(member=stays.member, ended_on__isnull=True)
    assert (stays.ended_on, moved.organization, moved.started_on) == (date(2026, 12, 31), other, date(2026, 12, 1))
