"""Closed-loop referrals (DOMAIN 9): sent -> accepted or declined by the provider -> service
started -> closed with a reason, each change an event row dated and attributed, and audited; an
outside entity's referral opens the authorization request, whose state stays authoritative."""

from datetime import date, timedelta

import pytest

from authorizations.models import DenialReason, RequestSource, Status
from authorizations.services import request_withdraw, requests_end_for_members_left
from authorizations.services.left_plan import left_plan_job
from community_supports.referral_models import (
    ClosureReason,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ReferrerKind,
)
from community_supports.referral_services import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_record,
    referral_start_service,
)
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from members.models import EnrollmentSpan
from tests.community_supports.referral_helpers import (
    MONDAY,
    NAVIGATION,
    SHELTER_EMAIL,
    SOBERING,
    approve,
    deny,
    referral_world,
    service,
    shelter_referral,
    staff_of,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(plan_a, make_membership):
    return referral_world(plan_a, make_membership)


def statuses(referral):
    return list(ReferralEvent.objects.filter(referral=referral).values_list("status", "actor_label"))


def test_a_shelters_referral_opens_the_request_with_the_shelter_as_its_requester(world):
    """DOMAIN 9: an outside entity's referral creates the authorization request (5.1 community referral)."""
    referral = shelter_referral(world)
    request = referral.request
    assert (request.status, request.source, request.service.code) == (
        Status.RECEIVED, RequestSource.COMMUNITY_REFERRAL, NAVIGATION,
    )  # fmt: skip
    assert (request.requester_name, request.requester_contact) == ("Hope Shelter", SHELTER_EMAIL)
    assert (referral.status, referral.sent_at, referral.organization) == (ReferralStatus.SENT, MONDAY, world.bayside)
    assert statuses(referral) == [(ReferralStatus.SENT, world.coordinator.username)]
    assert AuditEvent.objects.filter(code="community_supports.referral.recorded", target_id=str(referral.pk)).exists()


def test_a_referral_uses_the_members_live_request_instead_of_a_duplicate(world):
    first = shelter_referral(world)
    with clocks.frozen(MONDAY):
        first = referral_decline(plan=world.plan, actor=world.bayside_staff, referral=first, reason="no_capacity")
    second = shelter_referral(world, at=TUESDAY)
    assert second.request == first.request


def test_one_open_referral_per_request(world):
    shelter_referral(world)
    with pytest.raises(ConflictError) as refused:
        shelter_referral(world, at=TUESDAY)
    assert refused.value.code == "open_referral_exists"


def test_the_whole_loop_each_change_dated_and_attributed(world):
    """DOMAIN 9: sent -> accepted -> service started -> closed "services received"."""
    referral = shelter_referral(world)
    approve(world, referral.request)
    staff = world.bayside_staff
    with clocks.frozen(TUESDAY):
        referral = referral_accept(plan=world.plan, actor=staff, referral=referral, provider_contact="(510) 555-0100")
        referral = referral_start_service(plan=world.plan, actor=staff, referral=referral)
    with clocks.frozen(TUESDAY + timedelta(days=20)):
        referral = referral_close(plan=world.plan, actor=staff, referral=referral, reason="services_received")
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, ClosureReason.SERVICES_RECEIVED)
    assert (referral.responded_at, referral.service_started_on) == (TUESDAY, date(2026, 11, 17))
    assert referral.closed_at == TUESDAY + timedelta(days=20)
    events = list(ReferralEvent.objects.filter(referral=referral).values_list("status", "at", "actor_label"))
    assert events == [
        (ReferralStatus.SENT, MONDAY, world.coordinator.username),
        (ReferralStatus.ACCEPTED, TUESDAY, staff.name),
        (ReferralStatus.SERVICE_STARTED, TUESDAY, staff.name),
        (ReferralStatus.CLOSED, TUESDAY + timedelta(days=20), staff.name),
    ]
    codes = set(AuditEvent.objects.filter(target_id=str(referral.pk)).values_list("code", flat=True))
    assert {"community_supports.referral.accept", "community_supports.referral.start_service",
            "community_supports.referral.close"} <= codes  # fmt: skip


def test_a_provider_declines_with_its_reason_and_the_plan_closes_the_loop(world):
    referral = shelter_referral(world)
    with clocks.frozen(TUESDAY):
        referral = referral_decline(
            plan=world.plan, actor=world.bayside_staff, referral=referral, reason=DeclineReason.NO_CAPACITY
        )
        assert (referral.status, referral.decline_reason) == (ReferralStatus.DECLINED, "no_capacity")
        referral = referral_close(
            plan=world.plan, actor=world.coordinator, referral=referral, reason="provider_declined"
        )
    assert referral.status == ReferralStatus.CLOSED
    assert [status for status, _ in statuses(referral)] == ["sent", "declined", "closed"]


def test_the_other_reason_needs_its_explanation(world):
    referral = shelter_referral(world)
    with pytest.raises(DomainError) as refused:
        referral_decline(plan=world.plan, actor=world.bayside_staff, referral=referral, reason="other")
    assert refused.value.field == "note"


def test_services_start_only_once_the_request_is_authorized(world):
    """DOMAIN 9: the request's state is authoritative for authorization."""
    referral = shelter_referral(world)
    referral = referral_accept(
        plan=world.plan, actor=world.bayside_staff, referral=referral, provider_contact="x@b.org"
    )
    with pytest.raises(ConflictError) as refused:
        referral_start_service(plan=world.plan, actor=world.bayside_staff, referral=referral)
    assert refused.value.code == "not_authorized_yet"
    approve(world, referral.request)
    started = referral_start_service(plan=world.plan, actor=world.bayside_staff, referral=referral)
    assert started.status == ReferralStatus.SERVICE_STARTED


@pytest.mark.parametrize(
    ("step", "arguments"),
    [
        (referral_accept, {"provider_contact": "555"}),
        (referral_decline, {"reason": "no_capacity"}),
        (referral_start_service, {}),
    ],
)
def test_a_step_the_state_does_not_allow_is_a_conflict(world, step, arguments):
    """Sent -> accepted or declined, once: a second answer, or starting a closed referral, is 409."""
    referral = shelter_referral(world)
    referral = referral_close(plan=world.plan, actor=world.coordinator, referral=referral, reason="member_declined")
    with pytest.raises(ConflictError) as refused:
        step(plan=world.plan, actor=world.bayside_staff, referral=referral, **arguments)
    assert refused.value.code == "invalid_transition"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CLOSED


def test_services_received_needs_the_service_started(world):
    referral = shelter_referral(world)
    with pytest.raises(ConflictError) as refused:
        referral_close(plan=world.plan, actor=world.coordinator, referral=referral, reason="services_received")
    assert refused.value.code == "not_started"


def test_not_authorized_is_never_a_chosen_closure(world):
    referral = shelter_referral(world)
    for actor in (world.coordinator, world.bayside_staff):
        with pytest.raises(DomainError) as refused:
            referral_close(plan=world.plan, actor=actor, referral=referral, reason="not_authorized")
        assert refused.value.field == "reason"


def test_a_denial_closes_the_referral_not_authorized_with_its_reason(world):
    """DOMAIN 9: a non-authorization closes the loop with its reason, as the system."""
    referral = shelter_referral(world)
    deny(world, referral.request, reason=DenialReason.SERVICE_CRITERIA_NOT_MET, explanation="Housed since October.")
    referral.refresh_from_db()
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, ClosureReason.NOT_AUTHORIZED)
    assert referral.closure_detail == "Does not meet the service's eligibility criteria: Housed since October."
    assert statuses(referral)[-1] == (ReferralStatus.CLOSED, "system:closed-loop referrals")


def test_another_providers_staff_and_roles_without_the_capability_are_refused(world, make_membership):
    referral = shelter_referral(world)
    with pytest.raises(ActionNotPermitted):
        referral_accept(
            plan=world.plan, actor=staff_of(world.plan, world.harbor), referral=referral, provider_contact="5"
        )
    with pytest.raises(ActionNotPermitted):
        referral_accept(plan=world.plan, actor=world.reviewer, referral=referral, provider_contact="5")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_sobering_centers_are_exempt_from_the_closed_loop(world):
    """DOMAIN 9: sobering centers are exempt: no referral is tracked (nor request opened by one)."""
    with pytest.raises(DomainError) as refused:
        shelter_referral(world, code=SOBERING)
    assert (refused.value.field, refused.value.code) == ("service", "closed_loop_exempt")
    assert not Referral.objects.exists()


def test_an_outside_entity_needs_a_validated_email_or_portal_logins(world):
    """DOMAIN 5.3, 9: the referrer's contact is an email address or a portal account, never free text."""
    for email, code in (("", "no_electronic_contact"), ("fax 510 555 0100", "invalid")):
        with pytest.raises(DomainError) as refused, clocks.frozen(MONDAY):
            referral_record(
                plan=world.plan, actor=world.coordinator, member=world.member, service=service(NAVIGATION),
                organization=world.bayside, referrer_kind=ReferrerKind.HOSPITAL, referrer_name="County General",
                referrer_email=email,
            )  # fmt: skip
        assert (refused.value.field, refused.value.code) == ("referrer_email", code)


def test_the_provider_referred_to_holds_a_contract_for_the_service(world):
    with pytest.raises(DomainError) as refused, clocks.frozen(MONDAY):
        referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service("respite"),
            organization=world.bayside, referrer_kind=ReferrerKind.SHELTER, referrer_name="Hope Shelter",
            referrer_email=SHELTER_EMAIL,
        )  # fmt: skip
    assert refused.value.field == "organization"


def test_the_provider_closes_only_what_it_accepted(world):
    """A declined or unanswered referral is the plan's to close (or to refer elsewhere)."""
    referral = shelter_referral(world)
    with pytest.raises(ConflictError):
        referral_close(plan=world.plan, actor=world.bayside_staff, referral=referral, reason="unable_to_reach")
    referral = referral_accept(plan=world.plan, actor=world.bayside_staff, referral=referral, provider_contact="5")
    closed = referral_close(plan=world.plan, actor=world.bayside_staff, referral=referral, reason="unable_to_reach")
    assert closed.closure_reason == ClosureReason.UNABLE_TO_REACH


@pytest.mark.parametrize(
    ("withdrawal", "closure"),
    [("member_declined", "member_declined"), ("member_unreachable", "unable_to_reach"), ("duplicate", "other")],
)
def test_a_withdrawal_closes_the_referral_with_the_members_reason(world, withdrawal, closure):
    """DOMAIN 5.2, 9: withdrawn before services began; the loop closes, the referrer is told."""
    referral = shelter_referral(world)
    with clocks.frozen(TUESDAY):
        request_withdraw(plan=world.plan, actor=world.coordinator, request=referral.request, reason=withdrawal)
    referral.refresh_from_db()
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, closure)
    assert referral.closure_detail.startswith("Request withdrawn: ")
    assert referral.notices.get().event == "closed"


def test_a_member_who_left_the_plan_closes_the_referral(world):
    """DOMAIN 5.2: the member's request ends when their enrollment does; so does the loop."""
    referral = shelter_referral(world)
    EnrollmentSpan.objects.filter(member=world.member).update(end_date=date(2026, 11, 30))
    with clocks.frozen(MONDAY + timedelta(days=20)):
        requests_end_for_members_left(plan=world.plan, actor=left_plan_job(world.plan))
    referral.refresh_from_db()
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, ClosureReason.MEMBER_LEFT_PLAN)
    assert statuses(referral)[-1] == (ReferralStatus.CLOSED, "system:closed-loop referrals")
