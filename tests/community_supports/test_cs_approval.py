"""Approving a Community Support (DOMAIN 5.2, 9): its own attestation checklist instead of ECM's
Populations of Focus, the plan's election in the member's county, its limits, and a place with a
contracted provider of that service; a member receives two Community Supports and no ECM."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from authorizations.models import DenialReason, Status, WithdrawalReason
from authorizations.services import (
    request_approve,
    request_deny,
    request_start_review,
    request_start_services,
    request_withdraw,
    requests_end_for_members_left,
)
from authorizations.services.community_supports import request_assign_service_provider
from authorizations.services.left_plan import left_plan_job
from ecm_platform import clocks
from ecm_platform.errors import ConflictError, DomainError
from members.models import EnrollmentSpan
from providers.models import Assignment, AssignmentEndReason, ServiceAssignment
from tests.authorizations import helpers
from tests.community_supports.test_cs_requests import (
    MONDAY,
    build_world,
    cs_contract,
    elect,
    service,
    start_presumptive,
    submit,
)
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(plan_a, make_membership):
    return build_world(plan_a, make_membership)


def criteria(code):
    return list(service(code).eligibility_criteria)


# What each service's limits count (DOMAIN 9): hours of a stay or of respite, the days of a period.
PERIOD = {"service_from": date(2026, 11, 20), "service_to": date(2026, 12, 10)}
ASKED = {
    "sobering-centers": {"quantity": Decimal("8")},
    "respite": {"quantity": Decimal("24"), **PERIOD},
    "recuperative-care": PERIOD,
}


def reviewed(world, code, **fields):
    request = submit(world, code, **(ASKED.get(code, {}) | fields))
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        return request_start_review(plan=world.plan, actor=world.reviewer, request=request)


def approve(world, request, **fields):
    fields.setdefault("criteria_met", criteria(request.service.code))
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        return request_approve(plan=world.plan, actor=world.reviewer, request=request, **fields)


def test_a_member_receives_two_community_supports_and_no_ecm(world):
    """DOMAIN 9: members need not have ECM. The member has no Population of Focus; sobering and
    respite are each submitted, approved on their own checklist, placed with Bayside, and started."""
    requests = [reviewed(world, "sobering-centers"), reviewed(world, "respite")]
    started = []
    for request in requests:
        request = approve(world, request)
        assert request.status == Status.APPROVED and request.criteria_met == criteria(request.service.code)
        assert request.service_assignment.organization == world.bayside
        with clocks.frozen(TUESDAY):
            started.append(
                request_start_services(plan=world.plan, actor=world.coordinator, request=helpers.reload(request))
            )
    assert [r.status for r in started] == [Status.ACTIVE, Status.ACTIVE]
    placements = ServiceAssignment.objects.filter(member=world.member).exclude(ended_on__lt=TUESDAY.date())
    assert sorted(p.service.code for p in placements) == ["respite", "sobering-centers"]
    assert not Assignment.objects.filter(member=world.member).exists()
    assert not world.member.authorization_requests.filter(service__code="ecm").exists()


def test_an_incomplete_checklist_is_refused(world):
    """DOMAIN 9: every item of the service's checklist is attested, the same for every member."""
    request = reviewed(world, "respite")
    with pytest.raises(DomainError) as refused:
        approve(world, request, criteria_met=[])
    assert refused.value.field == "criteria_met" and refused.value.code == "criteria_not_met"
    assert helpers.reload(request).status == Status.IN_REVIEW


def test_an_item_not_on_the_checklist_is_refused(world):
    """DOMAIN 9: the checklist is the catalogue's; nothing else is attested."""
    request = reviewed(world, "respite")
    with pytest.raises(DomainError) as refused:
        approve(world, request, criteria_met=[*criteria("respite"), "Likes the provider"])
    assert refused.value.field == "criteria_met"
    assert "Likes the provider" in refused.value.message


def test_a_service_the_plan_does_not_offer_in_the_county_is_refused(world):
    """DOMAIN 9: asthma remediation is not elected in county 01: not approved."""
    request = reviewed(world, "asthma-remediation")
    with pytest.raises(DomainError) as refused:
        approve(world, request)
    assert refused.value.code == "service_not_offered"
    assert helpers.reload(request).status == Status.IN_REVIEW


def test_a_limit_that_allows_exceptions_needs_a_reason(world):
    """DOMAIN 9: respite 336 hours per calendar year; 400 hours pass only with a reason, kept."""
    request = reviewed(world, "respite", quantity=Decimal("400"))
    with pytest.raises(DomainError) as refused:
        approve(world, request)
    assert refused.value.code == "limit_override_reason_required"
    approved = approve(world, helpers.reload(request), limit_override_reason="Caregiver hospitalized")
    assert approved.status == Status.APPROVED
    assert helpers.reload(request).limit_override_reason == "Caregiver hospitalized"


def test_no_provider_with_room_leaves_the_approval_standing_until_one_is_placed(world):
    """DOMAIN 9 (DOMAIN 5.1: the decision clock is the law): no line of recuperative care has room,
    the approval stands with no provider yet; the coordinator places the member later."""
    elect(world.plan, "recuperative-care")
    request = approve(world, reviewed(world, "recuperative-care"))
    assert request.status == Status.APPROVED and request.service_assignment is None
    with pytest.raises(DomainError) as not_yet:
        request_start_services(plan=world.plan, actor=world.coordinator, request=helpers.reload(request))
    assert not_yet.value.code == "no_assignment"
    harbor = organization(world.plan, 1)
    cs_contract(world.plan, harbor, {"recuperative-care": 2})
    with clocks.frozen(TUESDAY):
        placed = request_assign_service_provider(plan=world.plan, actor=world.coordinator, request=request)
    assert placed.service_assignment.organization == harbor
    with pytest.raises(ConflictError):
        request_assign_service_provider(plan=world.plan, actor=world.coordinator, request=helpers.reload(request))


def test_withdrawing_a_community_support_ends_its_placement_not_the_members_ecm(world):
    """DOMAIN 9: the member has ECM (assigned to Bayside) and respite; withdrawing respite ends the
    respite placement only."""
    member = helpers.homeless_member(world.plan)
    ecm = reviewed(world, "ecm", member=member)
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        request_approve(plan=world.plan, actor=world.reviewer, request=ecm)
    respite = approve(world, reviewed(world, "respite", member=member))
    with clocks.frozen(TUESDAY):
        request_withdraw(plan=world.plan, actor=world.coordinator, request=helpers.reload(respite),
                         reason=WithdrawalReason.MEMBER_DECLINED)  # fmt: skip
    placement = ServiceAssignment.objects.get(pk=respite.service_assignment.pk)
    assert (placement.ended_on, placement.end_reason) == (date(2026, 11, 17), AssignmentEndReason.WITHDRAWN)
    assert Assignment.objects.get(member=member).ended_on is None


def test_denying_a_presumptive_community_support_ends_its_placement(world):
    """DOMAIN 5.2: denied presumptive services stop; for a Community Support its own placement ends,
    with the service's denial reason."""
    request = start_presumptive(world, world.bayside, "sobering-centers", **ASKED["sobering-centers"])
    with clocks.frozen(TUESDAY):
        denied = request_deny(plan=world.plan, actor=world.reviewer, request=request,
                              reason=DenialReason.SERVICE_CRITERIA_NOT_MET, explanation="Not intoxicated.")  # fmt: skip
    assert denied.denial_reason == DenialReason.SERVICE_CRITERIA_NOT_MET
    assert ServiceAssignment.objects.get(pk=request.service_assignment.pk).ended_on == date(2026, 11, 17)


def test_approving_a_presumptive_community_support_keeps_its_provider(world):
    """DOMAIN 5.2: the presumptive provider stays the member's provider of the service."""
    request = start_presumptive(world, world.bayside, "sobering-centers", **ASKED["sobering-centers"])
    approved = approve(world, request)
    assert approved.service_assignment_id == request.service_assignment_id
    assert ServiceAssignment.objects.filter(member=world.member).count() == 1


def test_a_retroactive_sobering_stay_starts_on_the_stays_day(world):
    """DOMAIN 9: the stay began Sunday evening, before the request; services start that day, not
    earlier."""
    began = MONDAY - timedelta(hours=14)  # Sunday 15 November, 20:00
    request = approve(world, reviewed(world, "sobering-centers", service_began_at=began))
    with pytest.raises(DomainError) as too_early:
        request_start_services(plan=world.plan, actor=world.coordinator, request=helpers.reload(request),
                               started_on=date(2026, 11, 14))  # fmt: skip
    assert too_early.value.field == "started_on"
    started = request_start_services(plan=world.plan, actor=world.coordinator, request=helpers.reload(request),
                                     started_on=date(2026, 11, 15))  # fmt: skip
    assert started.services_started_on == date(2026, 11, 15)


def test_a_member_who_left_the_plan_loses_the_placement_on_the_last_enrolled_day(world):
    """DOMAIN 5.2: the request ends and its placement ends on the last enrolled day."""
    request = approve(world, reviewed(world, "respite"))
    EnrollmentSpan.objects.filter(member=world.member).update(end_date=date(2026, 11, 30))
    with clocks.frozen(MONDAY + timedelta(days=20)):
        ended = requests_end_for_members_left(plan=world.plan, actor=left_plan_job(world.plan))
    assert ended == [request.pk]
    placement = ServiceAssignment.objects.get(pk=request.service_assignment.pk)
    assert (placement.ended_on, placement.end_reason) == (date(2026, 11, 30), AssignmentEndReason.LEFT_PLAN)


@pytest.mark.parametrize(
    ("code", "reason"),
    [("respite", DenialReason.NO_POPULATION_OF_FOCUS), ("ecm", DenialReason.SERVICE_NOT_OFFERED)],
)
def test_each_service_is_denied_for_its_own_reasons(world, code, reason):
    """DOMAIN 9: a Community Support is not denied for lacking an ECM Population of Focus, nor ECM
    for a Community Support's election; the other reasons stay open to both."""
    request = reviewed(world, code)
    with clocks.frozen(TUESDAY), pytest.raises(DomainError) as refused:
        request_deny(plan=world.plan, actor=world.reviewer, request=request, reason=reason, explanation="No.")
    assert refused.value.field == "reason"
    with clocks.frozen(TUESDAY):
        denied = request_deny(plan=world.plan, actor=world.reviewer, request=helpers.reload(request),
                              reason=DenialReason.INSUFFICIENT_INFORMATION, explanation="Send the assessment.")  # fmt: skip
    assert denied.status == Status.DENIED
