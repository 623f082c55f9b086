"""An assignment's life (DOMAIN 7): made by the order or awaited, communicated, ended, freed."""

import importlib
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as installed_apps

from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import OPERATOR, Capability, Principal
from ecm_platform.tenancy.models import Role
from providers.models import AssignmentEndReason, AssignmentRule, AwaitingAssignment
from providers.selectors import open_assignment
from providers.services import (
    assignment_end,
    assignment_request,
    mark_communicated,
    mark_pcp_notified,
)
from tests.providers.test_assignments import NPIS, contract, homeless_member, organization

LA = ZoneInfo("America/Los_Angeles")
backfill = importlib.import_module("providers.migrations.0007_assignment_clocks_in_the_deadline_registry")
pytestmark = pytest.mark.usefixtures("in_plan_a")

AUTHORIZED = date(2026, 11, 20)


def at(day: date, hour=18):
    return clocks.frozen(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


def request(plan, member, day=AUTHORIZED, **kwargs):
    with at(day):
        return assignment_request(plan=plan, actor=OPERATOR, member=member, authorized_on=AUTHORIZED, **kwargs)


def live(target, kind):
    return Deadline.objects.filter(target_id=target.pk, kind=kind, state__in=["open", "at_risk", "overdue"])


def test_an_assignment_starts_the_provider_and_pcp_clocks_and_marking_them_meets_them(plan_a):
    """DOMAIN 7: the provider is told within 10 business days of authorization, the PCP within 10
    business days of the assignment; both are clocks in the deadline registry, met when recorded."""
    contract(plan_a, organization(plan_a, 0))
    assignment = request(plan_a, homeless_member(plan_a, pcp_npi=NPIS[3]))
    communication = live(assignment, DeadlineKind.PROVIDER_COMMUNICATION).get()
    assert communication.due_at == datetime(2026, 12, 8, 23, 59, 59, tzinfo=LA)
    assert (communication.owner, communication.link) == (
        Capability.ASSIGNMENTS_MANAGE,
        f"/providers/assignments/{assignment.pk}/",
    )
    assert live(assignment, DeadlineKind.PCP_NOTICE).get().due_at == datetime(2026, 12, 8, 23, 59, 59, tzinfo=LA)
    mark_communicated(plan=plan_a, assignment=assignment, actor=OPERATOR)
    mark_pcp_notified(plan=plan_a, assignment=assignment, actor=OPERATOR)
    states = Deadline.objects.filter(target_id=assignment.pk).values_list("kind", "state")
    assert sorted(states) == [(DeadlineKind.PCP_NOTICE, DeadlineState.MET), ("provider_communication", "met")]


def test_with_no_capacity_the_member_awaits_and_reviewers_and_coordinators_are_told(plan_a, make_membership):
    """DOMAIN 7: an approved member with no provider is never silent: the awaiting-assignment
    worklist, a notice to reviewers and coordinators, and no exception for "no capacity"."""
    reviewer, coordinator = make_membership(plan_a, Role.REVIEWER), make_membership(plan_a, Role.CARE_COORDINATOR)
    analyst = make_membership(plan_a, Role.REPORTING_ANALYST)
    contract(plan_a, organization(plan_a, 0), capacity=1)
    request(plan_a, homeless_member(plan_a))
    waiting_member = homeless_member(plan_a)
    assert request(plan_a, waiting_member) is None
    waiting = AwaitingAssignment.objects.get(member=waiting_member, resolved_at__isnull=True)
    assert waiting.cause == AwaitingAssignment.Cause.NO_PROVIDER
    assert "capacity left" in waiting.detail
    told = set(Notification.objects.filter(text__contains=waiting_member.full_name).values_list("recipient", flat=True))
    assert {reviewer.user_id, coordinator.user_id} <= told
    assert Notification.objects.get(recipient=reviewer.user).link == "/providers/awaiting/"  # the worklist
    assert analyst.user_id not in told
    # Asking again neither duplicates the row nor the notices.
    assert request(plan_a, waiting_member) is None
    assert AwaitingAssignment.objects.filter(member=waiting_member).count() == 1
    assert Notification.objects.filter(text__contains=waiting_member.full_name, recipient=reviewer.user).count() == 1


def test_assigning_a_waiting_member_later_starts_the_communication_clock_then(plan_a):
    """DOMAIN 7: the communication clock starts when the assignment is made, not at authorization."""
    first = organization(plan_a, 0)
    contract(plan_a, first, capacity=1)
    occupant = homeless_member(plan_a)
    request(plan_a, occupant)
    waiting_member = homeless_member(plan_a)
    assert request(plan_a, waiting_member) is None
    with at(date(2026, 12, 14)):
        assignment_end(plan=plan_a, actor=OPERATOR, member=occupant, on=date(2026, 12, 14), reason="discontinued")
    assignment = request(plan_a, waiting_member, day=date(2026, 12, 15))
    assert assignment.organization == first
    # Tue 2026-12-15 + 10 business days (Christmas Day closed): Wed 2026-12-30, not Dec 8.
    assert live(assignment, DeadlineKind.PROVIDER_COMMUNICATION).get().due_at == datetime(
        2026, 12, 30, 23, 59, 59, tzinfo=LA
    )
    waiting = AwaitingAssignment.objects.get(member=waiting_member)
    assert (waiting.assignment, waiting.resolved_at is not None) == (assignment, True)


def test_a_named_provider_is_assigned_when_it_has_room_else_the_member_awaits(plan_a):
    """DOMAIN 5.2: the presumptive provider, the transition list's, or the provider a reinstated
    member had; without room, the awaiting-assignment list."""
    named, other = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, named, capacity=1)
    contract(plan_a, other)
    first = request(plan_a, homeless_member(plan_a), organization=named, reason="Presumptive provider")
    assert (first.organization, first.rule, first.reason) == (
        named,
        AssignmentRule.NAMED_PROVIDER,
        "Presumptive provider",
    )
    second_member = homeless_member(plan_a)
    assert request(plan_a, second_member, organization=named) is None
    assert AwaitingAssignment.objects.get(member=second_member).preferred_organization == named


def test_ending_frees_the_place_the_next_member_takes(plan_a):
    """DOMAIN 7 (the issue's first loop): a provider with capacity 1 gets its place back when its
    member's ECM ends, and the next approved member is assigned to it."""
    provider = organization(plan_a, 0)
    contract(plan_a, provider, capacity=1)
    member = homeless_member(plan_a)
    assignment = request(plan_a, member)
    with at(date(2027, 1, 20)):
        ended = assignment_end(
            plan=plan_a, actor=OPERATOR, member=member, on=date(2027, 1, 20), reason=AssignmentEndReason.DISCONTINUED
        )
    assert (ended.pk, ended.ended_on, ended.end_reason) == (assignment.pk, date(2027, 1, 20), "discontinued")
    assert live(assignment, DeadlineKind.PROVIDER_COMMUNICATION).count() == 0  # its clocks stop
    assert open_assignment(plan=plan_a, member=member, on=date(2027, 1, 20)) == assignment
    assert open_assignment(plan=plan_a, member=member, on=date(2027, 1, 21)) is None
    nxt = request(plan_a, homeless_member(plan_a), day=date(2027, 1, 21))
    assert nxt is not None and nxt.organization == provider


def test_ending_takes_the_member_off_the_awaiting_list_and_is_none_without_an_assignment(plan_a):
    contract(plan_a, organization(plan_a, 0), capacity=1)
    request(plan_a, homeless_member(plan_a))
    waiting_member = homeless_member(plan_a)
    request(plan_a, waiting_member)
    with at(date(2026, 12, 1)):
        assert (
            assignment_end(plan=plan_a, actor=OPERATOR, member=waiting_member, on=date(2026, 12, 1), reason="left_plan")
            is None
        )
    assert AwaitingAssignment.objects.get(member=waiting_member).resolved_at is not None


def test_ending_needs_its_capability_and_a_known_reason(plan_a):
    contract(plan_a, organization(plan_a, 0))
    member = homeless_member(plan_a)
    request(plan_a, member)
    with pytest.raises(DomainError, match="why the assignment ends"):
        assignment_end(plan=plan_a, actor=OPERATOR, member=member, on=date(2026, 12, 1), reason="bored")
    job = Principal.system("discontinuations", Capability.AUTHORIZATIONS_DISCONTINUE, plan=plan_a)
    with pytest.raises(ActionNotPermitted):
        assignment_end(plan=plan_a, actor=job, member=member, on=date(2026, 12, 1), reason="discontinued")
    job = Principal.system("discontinuations", Capability.ASSIGNMENTS_END, plan=plan_a)
    assert assignment_end(plan=plan_a, actor=job, member=member, on=date(2026, 12, 1), reason="discontinued")


def test_clocks_running_before_the_registry_are_moved_into_it_once(plan_a):
    """ARCHITECTURE, Deadlines: an assignment made before the registry, its provider and PCP not yet
    told, gets its DOMAIN 7 clocks from the data migration; a told provider and a rerun add none."""
    contract(plan_a, organization(plan_a, 0))
    untold, told = request(plan_a, homeless_member(plan_a, pcp_npi=NPIS[3])), request(plan_a, homeless_member(plan_a))
    mark_communicated(plan=plan_a, assignment=told, actor=OPERATOR)
    Deadline.objects.all().delete()  # as before the registry
    backfill.register(installed_apps, None)
    backfill.register(installed_apps, None)
    assert sorted(Deadline.objects.values_list("target_id", "kind", "due_at")) == [
        (untold.pk, DeadlineKind.PCP_NOTICE, untold.pcp_notification_due),
        (untold.pk, DeadlineKind.PROVIDER_COMMUNICATION, untold.communication_due),
    ]
