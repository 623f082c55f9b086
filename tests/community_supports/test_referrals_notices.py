"""The closed loop's notices (DOMAIN 9): the member told the provider's name and contact; the
referring entity told of the assignment, of a non-authorization with its reason, and of the
closure, electronically (in-app for portal users, email otherwise; fax does not count), each
recorded once per event and recipient, and sent once per event even when it is also the DOMAIN 5.3
requester notice of the decision."""

from datetime import timedelta

import pytest
from django.core import mail

from authorizations.models import DenialReason, RequesterChannel, RequesterNotice
from community_supports.referral_models import NoticeChannel, ReferralNotice, ReferralStatus, ReferrerKind
from community_supports.referral_notices import notify_referrer, referral_notice_email
from community_supports.referral_services import (
    referral_accept,
    referral_close,
    referral_record,
    referral_start_service,
)
from ecm_platform import clocks
from ecm_platform.notifications.models import Notification
from tests.community_supports.referral_helpers import (
    MONDAY,
    NAVIGATION,
    SHELTER_EMAIL,
    approve,
    deny,
    referral_world,
    service,
    shelter_referral,
    staff_of,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")
TUESDAY = MONDAY + timedelta(days=1)
PHONE = "(510) 555-0100"


@pytest.fixture
def world(plan_a, make_membership):
    return referral_world(plan_a, make_membership)


def notices(referral):
    return sorted(
        ReferralNotice.objects.filter(referral=referral).values_list("event", "recipient", "channel", "email")
    )


def accept(world, referral, on_commit):
    with clocks.frozen(TUESDAY), on_commit(execute=True):
        return referral_accept(plan=world.plan, actor=world.bayside_staff, referral=referral, provider_contact=PHONE)


def test_the_assignment_tells_the_member_the_providers_name_and_contact_and_the_shelter(
    world, django_capture_on_commit_callbacks
):
    referral = shelter_referral(world)
    mail.outbox.clear()
    accept(world, referral, django_capture_on_commit_callbacks)
    assert notices(referral) == [
        ("assigned", "member", NoticeChannel.EMAIL, "member@example.org"),
        ("assigned", "referrer", NoticeChannel.EMAIL, SHELTER_EMAIL),
    ]
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {"member@example.org", SHELTER_EMAIL}
    assert "Your provider is Provider 0; you can reach them at (510) 555-0100." in by_recipient["member@example.org"]
    assert "Provider 0 accepted it" in by_recipient[SHELTER_EMAIL]
    assert all(notice.sent_at == TUESDAY for notice in ReferralNotice.objects.all())


def test_an_email_is_sent_once_however_often_its_task_runs(world, django_capture_on_commit_callbacks):
    referral = accept(world, shelter_referral(world), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    notice = ReferralNotice.objects.get(referral=referral, recipient="referrer")
    assert referral_notice_email(plan=world.plan, notice_id=notice.pk) is False
    assert mail.outbox == []


def test_a_member_without_email_is_recorded_as_not_reached(world, django_capture_on_commit_callbacks):
    world.member.email = ""
    world.member.save()
    referral = accept(world, shelter_referral(world), django_capture_on_commit_callbacks)
    member_notice = ReferralNotice.objects.get(referral=referral, recipient="member")
    assert (member_notice.channel, member_notice.sent_at) == (NoticeChannel.NONE, None)


def test_the_closure_tells_the_referring_entity_with_its_reason(world, django_capture_on_commit_callbacks):
    referral = shelter_referral(world)
    approve(world, referral.request)
    referral = accept(world, referral, django_capture_on_commit_callbacks)
    referral = referral_start_service(plan=world.plan, actor=world.bayside_staff, referral=referral)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral_close(plan=world.plan, actor=world.bayside_staff, referral=referral, reason="services_received")
    closed = ReferralNotice.objects.get(referral=referral, event="closed")
    assert (closed.recipient, closed.channel, closed.email) == ("referrer", NoticeChannel.EMAIL, SHELTER_EMAIL)
    assert [message.to for message in mail.outbox] == [[SHELTER_EMAIL]]
    assert "is closed: Services received." in mail.outbox[0].body


def test_a_denial_is_told_once_the_5_3_requester_notice_being_the_referrals_own(
    world, django_capture_on_commit_callbacks
):
    """DOMAIN 9: "a notice to the referring entity is sent once per event, whether it is owed as the
    5.3 requester notice or as the closed-loop notice"."""
    referral = shelter_referral(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deny(world, referral.request, reason=DenialReason.SERVICE_CRITERIA_NOT_MET, explanation="Housed already.")
    told = RequesterNotice.objects.get(request=referral.request)
    own = ReferralNotice.objects.get(referral=referral)
    assert (own.event, own.recipient, own.requester_notice, own.channel) == (
        "not_authorized", "referrer", told, NoticeChannel.EMAIL,
    )  # fmt: skip
    assert [message.to for message in mail.outbox] == [[SHELTER_EMAIL]]  # the 5.3 notice, and only it
    assert "Does not meet the service's eligibility criteria" in mail.outbox[0].body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED


def test_an_approval_records_the_5_3_notice_as_the_referrals_and_sends_nothing_more(
    world, django_capture_on_commit_callbacks
):
    referral = shelter_referral(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(world, referral.request)
    authorized = ReferralNotice.objects.get(referral=referral)
    assert (authorized.event, authorized.requester_notice.decision) == ("authorized", "approval")
    assert len(mail.outbox) == 1  # the requester notice


def test_a_denial_whose_requester_is_not_the_referrer_is_told_by_the_referrals_own_notice(
    world, django_capture_on_commit_callbacks
):
    """The member's live request came from someone else: the shelter is still told, once."""
    referral = shelter_referral(world)
    referral.request.requester_contact = "someone@else.example.org"
    referral.request.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deny(world, referral.request, reason=DenialReason.OTHER, explanation="Not in the county.")
    own = ReferralNotice.objects.get(referral=referral)
    assert (own.event, own.requester_notice, own.channel) == ("not_authorized", None, NoticeChannel.EMAIL)
    assert sorted(message.to[0] for message in mail.outbox) == [SHELTER_EMAIL, "someone@else.example.org"]


def test_a_notice_is_recorded_once_per_event_and_recipient(world, django_capture_on_commit_callbacks):
    referral = accept(world, shelter_referral(world), django_capture_on_commit_callbacks)
    assert notify_referrer(plan=world.plan, referral=referral, event="assigned") is None
    assert ReferralNotice.objects.filter(referral=referral, event="assigned", recipient="referrer").count() == 1


def test_a_portal_referrer_is_told_in_app_and_by_email_to_its_logins(world, django_capture_on_commit_callbacks):
    """A provider that refers through its portal logins: an in-app notification to each login."""
    referring_staff = staff_of(world.plan, world.harbor)
    with clocks.frozen(MONDAY):
        referral = referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service(NAVIGATION),
            organization=world.bayside, referrer_kind=ReferrerKind.PROVIDER, referrer_name="Harbor",
            referrer_organization=world.harbor,
        )  # fmt: skip
    accept(world, referral, django_capture_on_commit_callbacks)
    notice = ReferralNotice.objects.get(referral=referral, recipient="referrer")
    assert (notice.channel, notice.sent_at) == (NoticeChannel.IN_APP, TUESDAY)
    notification = Notification.objects.get(recipient=referring_staff.user)
    assert "Provider 0 accepted it" in notification.text


def test_a_plan_coordinators_referral_is_told_to_them_in_app(
    world, make_membership, django_capture_on_commit_callbacks
):
    with clocks.frozen(MONDAY):
        referral = referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service(NAVIGATION),
            organization=world.bayside, referrer_kind=ReferrerKind.PLAN,
        )  # fmt: skip
    accept(world, referral, django_capture_on_commit_callbacks)
    notice = ReferralNotice.objects.get(referral=referral, recipient="referrer")
    assert (notice.channel, notice.recipient_label) == (NoticeChannel.IN_APP, world.coordinator.username)
    assert Notification.objects.get(recipient=world.coordinator).link == f"/referrals/{referral.pk}/"


def test_a_portal_requester_notice_counts_for_a_portal_referrer(world, django_capture_on_commit_callbacks):
    """The 5.3 notice in the portal of the referring organization is the referral's own."""
    staff_of(world.plan, world.harbor)
    with clocks.frozen(MONDAY):
        referral = referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service(NAVIGATION),
            organization=world.bayside, referrer_kind=ReferrerKind.PROVIDER, referrer_name="Harbor",
            referrer_organization=world.harbor,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        deny(world, referral.request, reason=DenialReason.OTHER, explanation="Not in the county.")
    told = RequesterNotice.objects.get(request=referral.request)
    assert told.channel == RequesterChannel.IN_APP
    own = ReferralNotice.objects.get(referral=referral)
    assert (own.requester_notice, own.channel) == (told, NoticeChannel.IN_APP)
    assert not Notification.objects.filter(text__contains="not authorized").exists()


def test_a_denial_without_a_requester_notice_is_told_by_the_referrals_own(world, django_capture_on_commit_callbacks):
    """A coordinator's referral opens a plan-identified request, whose denial has no 5.3 requester
    notice (nor letter): the coordinator is still told in-app, with the reason."""
    with clocks.frozen(MONDAY):
        referral = referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service(NAVIGATION),
            organization=world.bayside, referrer_kind=ReferrerKind.PLAN,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        deny(world, referral.request, reason=DenialReason.SERVICE_NOT_OFFERED, explanation="Not in the county.")
    assert not RequesterNotice.objects.exists()
    own = ReferralNotice.objects.get(referral=referral)
    assert (own.event, own.channel, own.requester_notice) == ("not_authorized", NoticeChannel.IN_APP, None)
    text = Notification.objects.get(recipient=world.coordinator).text
    assert "not authorized (The plan does not offer this service in the member's county: Not in the county.)" in text
