"""Every clock of the authorization lifecycle is a row of the deadline registry (ARCHITECTURE,
Deadlines; DOMAIN 5.1, 5.4, 3.5), and a provider and Lead Care Manager are on every path into
services (DOMAIN 5.2): presumptive starts, the Member Transition List, approved → active. Presumptive
services stopped at the member's request get their discontinuation notice (DOMAIN 5.2, 5.3)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from authorizations import services
from authorizations.models import (
    AppealOutcome,
    DenialReason,
    GrievanceOutcome,
    NoticeType,
    RequestSource,
    Status,
    WithdrawalReason,
)
from ecm_platform import clocks
from ecm_platform.deadlines.models import DeadlineKind, DeadlineState
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import ProviderRole
from providers.models import Assignment
from providers.selectors import open_assignment
from providers.services import assignment_set_lead_care_manager, care_manager_add
from providers.staff import provider_membership_create
from tests.authorizations.helpers import homeless_member, in_review, reload, start_presumptive
from tests.factories import UserFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)
ALL_STATES = tuple(DeadlineState)


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def at_monday():
    with clocks.frozen(MONDAY):
        yield MONDAY


def clock_of(target, kind, states=ALL_STATES):
    return deadlines_of(plan=target.plan, target=target, states=states).get(kind=kind)


def test_an_appeal_has_its_acknowledgement_and_resolution_clocks_met_when_done(plan_a, coordinator, reviewer):
    # DOMAIN 5.4: acknowledgement due in 5 calendar days, resolution in 30 (72 hours when expedited)
    with clocks.frozen(MONDAY):
        request = in_review(plan_a, coordinator, reviewer, enrolled_member(plan_a), source=RequestSource.SELF_REFERRAL)
        services.request_deny(plan=plan_a, actor=reviewer, request=request, reason=DenialReason.OTHER, explanation="x")
        notice = reload(request).notices.get(notice_type=NoticeType.DENIAL)
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=notice, reason="x", is_expedited=True)
    acknowledgement = clock_of(appeal, DeadlineKind.APPEAL_ACKNOWLEDGEMENT)
    resolution = clock_of(appeal, DeadlineKind.APPEAL_RESOLUTION)
    assert (acknowledgement.due_at, acknowledgement.owner) == (
        appeal.acknowledgement_due,
        "authorizations.appeals.acknowledge",
    )
    assert (resolution.due_at, resolution.owner) == (MONDAY + timedelta(hours=72), "authorizations.appeals.resolve")
    assert acknowledgement.member == request.member
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        services.appeal_acknowledge(plan=plan_a, actor=coordinator, appeal=appeal)
    assert clock_of(appeal, DeadlineKind.APPEAL_ACKNOWLEDGEMENT).state == DeadlineState.MET
    assert clock_of(appeal, DeadlineKind.APPEAL_RESOLUTION).state == DeadlineState.OPEN
    with clocks.frozen(MONDAY + timedelta(hours=30)):
        services.appeal_resolve(plan=plan_a, actor=reviewer, appeal=appeal, outcome=AppealOutcome.UPHELD, summary="x")
    resolved = clock_of(appeal, DeadlineKind.APPEAL_RESOLUTION)
    assert (resolved.state, resolved.met_at) == (DeadlineState.MET, MONDAY + timedelta(hours=30))


def test_a_grievance_has_its_acknowledgement_and_resolution_clocks(plan_a, coordinator, reviewer, at_monday):
    # DOMAIN 5.4: acknowledgement in 5 days, resolution in 30 days
    grievance = services.grievance_file(plan=plan_a, actor=coordinator, member=enrolled_member(plan_a), description="x")
    assert clock_of(grievance, DeadlineKind.GRIEVANCE_ACKNOWLEDGEMENT).due_at == grievance.acknowledgement_due
    assert clock_of(grievance, DeadlineKind.GRIEVANCE_RESOLUTION).owner == "authorizations.grievances.resolve"
    services.grievance_acknowledge(plan=plan_a, actor=coordinator, grievance=grievance)
    services.grievance_resolve(
        plan=plan_a, actor=reviewer, grievance=grievance, outcome=GrievanceOutcome.RESOLVED, summary="x"
    )
    assert not deadlines_of(plan=plan_a, target=grievance).exists()


def test_a_presumptive_start_assigns_the_presumptive_provider_and_opens_its_clocks(
    plan_a, reviewer, provider, at_monday
):
    # DOMAIN 5.2: a presumptive start assigns the presumptive provider; services run without a Lead
    # Care Manager, so naming one is due in 10 business days; the decision clock runs until approval
    request = start_presumptive(plan_a, homeless_member(plan_a), provider)
    assignment = open_assignment(plan=plan_a, member=request.member)
    assert assignment.organization == provider
    lead = clock_of(assignment, DeadlineKind.LEAD_CARE_MANAGER)
    # 10 business days after Mon 11-23 skip Thanksgiving and the day after: Wed 12-09
    assert (lead.state, clocks.local_date(lead.due_at)) == (DeadlineState.OPEN, date(2026, 12, 9))
    assert clock_of(request, DeadlineKind.DECISION).due_at == request.due_at
    services.request_approve(plan=plan_a, actor=reviewer, request=request)
    assert clock_of(request, DeadlineKind.DECISION).state == DeadlineState.MET
    assert Assignment.objects.filter(member=request.member).count() == 1  # the same provider after approval


def test_services_start_only_with_a_lead_care_manager(plan_a, coordinator, reviewer, provider, at_monday):
    # DOMAIN 5.2: approved → active needs a provider assignment with a Lead Care Manager
    request = services.request_approve(
        plan=plan_a, actor=reviewer, request=in_review(plan_a, coordinator, reviewer, homeless_member(plan_a))
    )
    with pytest.raises(DomainError) as refused:
        services.request_start_services(plan=plan_a, actor=coordinator, request=request)
    assert refused.value.code == "no_lead_care_manager"
    assert reload(request).status == Status.APPROVED
    assignment = open_assignment(plan=plan_a, member=request.member)
    care_manager = care_manager_add(plan=plan_a, actor=OPERATOR, organization=provider, name="Lee Park")
    assignment_set_lead_care_manager(plan=plan_a, assignment=assignment, care_manager=care_manager, actor=OPERATOR)
    assert services.request_start_services(plan=plan_a, actor=coordinator, request=reload(request)).status == (
        Status.ACTIVE
    )


def test_a_transition_list_assigns_the_provider_it_names_and_opens_the_reassessment(
    plan_a, coordinator, provider, at_monday
):
    # DOMAIN 5.2 and 3.5: the list's provider (its optional provider_npi column), a Lead Care Manager
    # due in 10 business days, the six-month reassessment a clock met when recorded, the approval letter
    member = homeless_member(plan_a)
    bad = {"cin": member.cin, "program": "wpc", "transition_date": "2026-06-01", "provider_npi": "1003000126"}
    report = services.transition_import(plan=plan_a, actor=coordinator, rows=[bad])
    assert [(e["field"], e["message"]) for e in report["errors"]] == [
        ("provider_npi", "No provider of the plan has NPI 1003000126.")
    ]
    row = {**bad, "provider_npi": provider.npi}
    assert services.transition_import(plan=plan_a, actor=coordinator, rows=[row])["created"] == 1
    request = member.authorization_requests.get()
    assignment = open_assignment(plan=plan_a, member=member)
    assert assignment.organization == provider
    assert clock_of(assignment, DeadlineKind.LEAD_CARE_MANAGER).state == DeadlineState.OPEN
    reassessment = clock_of(request, DeadlineKind.REASSESSMENT)
    assert (reassessment.due_at, reassessment.owner) == (
        clocks.end_of_day(date(2026, 12, 1)), "authorizations.reassessments.record",
    )  # fmt: skip
    assert [n.notice_type for n in request.notices.all()] == [NoticeType.APPROVAL]
    services.transition_reassessment_record(
        plan=plan_a, actor=coordinator, request=request, reassessed_on=date(2026, 11, 20)
    )
    assert clock_of(request, DeadlineKind.REASSESSMENT).state == DeadlineState.MET


def test_presumptive_services_stopped_at_the_members_request_get_a_same_day_discontinuation_notice(
    plan_a, coordinator, provider, at_monday
):
    # DOMAIN 5.2 and 5.3: withdraw from presumptive (member declined) → discontinuation notice dated
    # and effective the same day; the presumptive provider's assignment ends that day
    request = start_presumptive(plan_a, homeless_member(plan_a), provider)
    services.request_withdraw(plan=plan_a, actor=coordinator, request=request, reason=WithdrawalReason.MEMBER_DECLINED)
    request = reload(request)
    assert request.status == Status.WITHDRAWN
    notice = request.notices.get()
    assert (notice.notice_type, notice.notice_date, notice.effective_on) == (
        NoticeType.DISCONTINUATION, date(2026, 11, 23), date(2026, 11, 23),
    )  # fmt: skip
    assert Assignment.objects.get(member=request.member).ended_on == date(2026, 11, 23)
    assert clock_of(request, DeadlineKind.DECISION).state == DeadlineState.MET


def test_a_plan_decision_to_stop_presumptive_services_is_a_denial_not_a_withdrawal(
    plan_a, coordinator, provider, at_monday
):
    # DOMAIN 5.2: presumptive → withdrawn only at the member's request or as a duplicate
    request = start_presumptive(plan_a, homeless_member(plan_a), provider)
    with pytest.raises(DomainError, match="denial") as refused:
        services.request_withdraw(
            plan=plan_a, actor=coordinator, request=request, reason=WithdrawalReason.MEMBER_UNREACHABLE
        )
    assert refused.value.field == "reason"
    assert reload(request).status == Status.PRESUMPTIVE


def test_provider_staff_stop_only_their_own_presumptive_services(plan_a, provider, make_provider, at_monday):
    # DOMAIN 5.2: presumptive → withdrawn by coordinator or provider staff (of that provider)
    request = start_presumptive(plan_a, homeless_member(plan_a), provider)

    def staff_of(organization):
        login = provider_membership_create(
            actor=OPERATOR, organization=organization, user=UserFactory(), role=ProviderRole.CARE_MANAGER
        )
        return Principal.of_provider_membership(login, plan_ids=[plan_a.pk])

    other = make_provider(plan_a, npi="1245319599")
    with pytest.raises(ActionNotPermitted):
        services.request_withdraw(
            plan=plan_a, actor=staff_of(other), request=request, reason=WithdrawalReason.MEMBER_DECLINED
        )
    assert reload(request).status == Status.PRESUMPTIVE
    services.request_withdraw(
        plan=plan_a, actor=staff_of(provider), request=reload(request), reason=WithdrawalReason.MEMBER_DECLINED
    )
    assert reload(request).status == Status.WITHDRAWN
