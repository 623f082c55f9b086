"""Editing and ending a contract (DOMAIN 7): when it ends, its members are reassigned by the same
order with a new 10-business-day communication clock, or wait on the reassignment worklist."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline, DeadlineKind
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.deadlines.services import deadline_open
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import OPERATOR, Capability, Principal
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import Assignment, AssignmentEndReason, AwaitingAssignment, CareManager, Contract
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
from providers.services.contracts import contract_end_job
from providers.tasks import contract_ends_task
from tests.authorizations.conftest import provider  # noqa: F401 (a fixture)
from tests.authorizations.helpers import start_presumptive
from tests.factories import activated
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
    assert (moved.organization, moved.started_on) == (other, date(2027, 2, 2))  # the day after the last
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
    assert (updated.lines.get().capacity, updated.is_presumptive_capable) == (2, True)  # its ECM line
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
    activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=ending_org, counties=list(county), pofs=list(pof), capacity=5,
        start_date=date(2025, 1, 1), end_date=date(2027, 1, 31),
    ))  # fmt: skip
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
    """DOMAIN 7: a contract ending next month: its members are reassigned now (the new provider is
    told within 10 business days), starting there the day after the old contract's last day, which
    holds their places until then, unless their ECM ends first."""
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
    assert (stays.ended_on, moved.organization, moved.started_on) == (date(2026, 12, 31), other, date(2027, 1, 1))


def test_a_reassignment_ahead_of_the_end_starts_under_a_successor_once_it_is_in_force(plan_a):
    """DOMAIN 7 (capacity per contract per day): a contract ended ahead of its last day moves its
    member to a successor contract starting the day after; the new assignment starts that day."""
    ending_org, successor_org = organization(plan_a, 0), organization(plan_a, 1)
    ending = contract(plan_a, ending_org, capacity=5)
    old = request(plan_a, homeless_member(plan_a), preferred_organization=ending_org)
    successor = activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=successor_org, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2027, 3, 1),
    ))  # fmt: skip
    with at(date(2027, 1, 10)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ending, end_date=date(2027, 2, 28))
    new = Assignment.objects.get(member=old.member, ended_on__isnull=True)
    assert (new.contract, new.started_on) == (successor, date(2027, 3, 1))


def test_an_ended_contract_stops_its_vetting_and_orientation_clocks(plan_a):
    """DOMAIN 7: the vetting to complete and the orientation are owed by a provider under contract:
    once its end has come they stop, ended now or by the daily job after a later end date."""
    ended_now, ended_later = contract(plan_a, organization(plan_a, 0)), contract(plan_a, organization(plan_a, 1))
    for agreement in (ended_now, ended_later):
        for kind in (DeadlineKind.VETTING, DeadlineKind.ORIENTATION):
            deadline_open(
                plan=plan_a, kind=kind, target=agreement, due_at=datetime(2026, 12, 31, tzinfo=LA),
                owner=Capability.PROVIDERS_MANAGE, label="owed",
            )  # fmt: skip
    with at(date(2026, 11, 20)):
        contract_end(plan=plan_a, actor=OPERATOR, contract=ended_now, end_date=date(2026, 11, 20))
        contract_end(plan=plan_a, actor=OPERATOR, contract=ended_later, end_date=date(2026, 11, 30))
    assert not deadlines_of(plan=plan_a, target=ended_now).exists()
    assert deadlines_of(plan=plan_a, target=ended_later).count() == 2  # not ended yet
    with at(date(2026, 11, 30)):
        contract_ends_task(plan_id=plan_a.pk)
    assert not deadlines_of(plan=plan_a, target=ended_later).exists()


def test_a_presumptive_member_moved_by_a_contract_end_keeps_a_lead_care_manager_clock(plan_a, provider):  # noqa: F811
    """DOMAIN 5.2: presumptive services run without a Lead Care Manager (a 10-business-day clock);
    moved to another provider when the contract ends, the clock follows to the new assignment."""
    with at(date(2026, 11, 23)):
        started = start_presumptive(plan_a, homeless_member(plan_a), provider)
    old = Assignment.objects.get(member=started.member)
    assert live(old, DeadlineKind.LEAD_CARE_MANAGER).exists()
    contract(plan_a, organization(plan_a, 1))
    with at(date(2026, 11, 25)):
        contract_end(
            plan=plan_a,
            actor=OPERATOR,
            contract=Contract.objects.get(organization=provider),
            end_date=date(2026, 11, 25),
        )
    new = Assignment.objects.get(member=started.member, ended_on__isnull=True)
    assert live(new, DeadlineKind.LEAD_CARE_MANAGER).exists()


def test_ending_a_contract_takes_its_own_capability_and_the_job_holds_only_what_it_uses(plan_a):
    """DOMAIN 5.2: a system principal holds only the capabilities it uses: the contract-end job ends
    contracts and moves their members, and cannot manage organizations, contracts or vetting."""
    job = contract_end_job(plan_a)
    assert not job.may(Capability.PROVIDERS_MANAGE, plan=plan_a)
    ending = contract(plan_a, organization(plan_a, 0))
    request(plan_a, homeless_member(plan_a))
    moves_nobody = Principal.system("ends-only", Capability.CONTRACTS_END, plan=plan_a)
    with at(date(2026, 12, 1)), pytest.raises(ActionNotPermitted):
        contract_end(plan=plan_a, actor=moves_nobody, contract=ending, end_date=date(2026, 12, 1))
    with at(date(2026, 12, 1)):
        contract_end(plan=plan_a, actor=job, contract=ending, end_date=date(2026, 12, 1))
