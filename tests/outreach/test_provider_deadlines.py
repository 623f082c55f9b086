"""Clocks a provider organization's staff owe (DOMAIN 8: the first outreach attempt to an assigned
member): the monitor tells that organization's staff, not the plan's; a notification reaches staff
of an organization under contract with the plan, and no one else."""

from datetime import timedelta

import pytest

from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.deadlines.services import deadline_monitor
from ecm_platform.errors import DomainError
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.models import ProviderRole
from tests.outreach.world import (  # noqa: F401
    NPIS,
    approved_member,
    coordinator_fixture,
    engagement_of,
    identified_member,
    organization_of,
    provider_fixture,
    provider_staff_fixture,
    reviewer_fixture,
    staff_of,
    synced,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")


def test_an_overdue_first_attempt_is_told_to_the_providers_staff(
    plan_a, coordinator, reviewer, provider, provider_staff
):
    """DOMAIN 8: the ECM Provider's staff owe the first attempt to an assigned member; the plan's
    coordinators are not told, nor another organization's staff, nor an inactive login."""
    manager = staff_of(plan_a, provider, role=ProviderRole.CARE_MANAGER)
    gone = staff_of(plan_a, provider)
    type(gone.provider_membership).objects.filter(pk=gone.provider_membership.pk).update(is_active=False)
    stranger = staff_of(plan_a, organization_of(plan_a, npi=NPIS[1], name="Westside Care"))
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    engagement = engagement_of(plan_a, request.member)
    with clocks.frozen(engagement.first_attempt_due + timedelta(minutes=5)):
        counts = deadline_monitor(plan=plan_a)
    clock = Deadline.objects.get(kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT, target_id=engagement.pk)
    assert clock.state == DeadlineState.OVERDUE
    told = Notification.objects.filter(link=f"/provider/outreach/{engagement.pk}/")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([provider_staff.user.pk, manager.user.pk])
    assert counts["notifications"] >= 2
    assert not Notification.objects.filter(recipient__in=[gone.user.pk, stranger.user.pk]).exists()


def test_the_plans_own_outreach_clock_is_told_to_its_coordinators(plan_a, coordinator):
    """DOMAIN 8: an identified member's first attempt is the plan's staff's to make."""
    member = identified_member(plan_a)
    synced(plan_a)
    engagement = engagement_of(plan_a, member)
    with clocks.frozen(engagement.first_attempt_due + timedelta(minutes=5)):
        deadline_monitor(plan=plan_a)
    told = Notification.objects.filter(link=f"/outreach/engagements/{engagement.pk}/")
    assert list(told.values_list("recipient", flat=True)) == [coordinator.pk]


def test_provider_staff_of_a_contracting_organization_may_be_notified(plan_a, provider_staff):
    """ARCHITECTURE (Deadlines): the plan may tell the staff of a provider it contracts with."""
    notification = notification_send(plan=plan_a, recipient=provider_staff.user, text="Outreach due")
    assert notification.recipient == provider_staff.user


@pytest.fixture
def outsider(plan_b):
    """Staff of an organization only plan B contracts with."""
    return staff_of(plan_b, organization_of(plan_b, npi=NPIS[2], name="Bravo-only Care"))


def test_provider_staff_of_an_organization_without_a_contract_are_refused(plan_a, outsider):
    """ARCHITECTURE (Tenancy): a provider the plan does not contract with does not work for it."""
    with pytest.raises(DomainError) as refused:
        notification_send(plan=plan_a, recipient=outsider.user, text="Outreach due")
    assert refused.value.field == "recipient"


def test_provider_staff_read_and_open_their_notifications_in_the_browser(
    plan_a, coordinator, reviewer, provider, provider_staff, client
):
    """Provider staff see the notifications sent to them (the bell, the list), open one to its page
    and mark them read; another user's are not theirs to see or open."""
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    engagement = engagement_of(plan_a, request.member)
    with clocks.frozen(engagement.first_attempt_due + timedelta(minutes=5)):
        deadline_monitor(plan=plan_a)
    mine = Notification.objects.get(recipient=provider_staff.user)
    others = Notification.objects.exclude(recipient=provider_staff.user).first()
    client.force_login(provider_staff.user)
    listed = client.get("/notifications/")
    assert listed.status_code == 200
    assert mine.text in listed.content.decode() and 'class="badge">1<' in listed.content.decode()
    if others is not None:
        assert client.post(f"/notifications/{others.pk}/open/").status_code == 404
    opened = client.post(f"/notifications/{mine.pk}/open/")
    assert (opened.status_code, opened["Location"]) == (302, f"/provider/outreach/{engagement.pk}/")
    mine.refresh_from_db()
    assert mine.read_at is not None
    notification_send(plan=plan_a, recipient=provider_staff.user, text="Second")
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=provider_staff.user, read_at__isnull=True).exists()
