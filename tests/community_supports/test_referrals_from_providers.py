"""A provider refers (DOMAIN 9): an ECM Provider's staff refer a member assigned to their
organization to a Community Supports provider, on /api/v1/provider/referrals/. Their organization
is the referring entity, told in its portal; the request the referral opens is a provider referral
(DOMAIN 5.1). Another organization's member, or a role that may not send, is refused."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from authorizations.models import RequestSource
from community_supports.referral_models import Referral, ReferralNotice, ReferrerKind
from community_supports.referral_services import referral_accept
from ecm_platform import clocks
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, ProviderRole
from eligibility.models import PopulationOfFocus
from providers.models import Assignment, AssignmentRule
from providers.services import contract_create
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.community_supports.referral_helpers import MONDAY, NAVIGATION, referral_world
from tests.factories import UserFactory, activated
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
URL = "/api/v1/provider/referrals/"


@pytest.fixture
def world(plan_a, make_membership):
    """Eastwood, an ECM Provider with the member assigned to it, beside the referral world."""
    world = referral_world(plan_a, make_membership)
    world.eastwood = organization(plan_a, 2)
    contract = activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=world.eastwood, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2025, 1, 1),
    ))  # fmt: skip
    Assignment.objects.create(
        plan=plan_a, member=world.member, organization=world.eastwood, contract=contract, rule=AssignmentRule.values[0],
        authorized_on=date(2026, 11, 2), communication_due=MONDAY, started_on=date(2026, 11, 2), created_at=MONDAY,
    )  # fmt: skip
    return world


def api_of(organization, role=ProviderRole.CARE_MANAGER):
    login = provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)
    _, raw_key = provider_api_key_issue(actor=OPERATOR, provider_membership=login, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    client.login_user = login.user
    return client


def send(client, world, **changes):
    body = {"plan": world.plan.code, "member": world.member.pk, "service": NAVIGATION, "organization": world.bayside.pk}
    with clocks.frozen(MONDAY):
        return client.post(URL, body | changes, format="json")


def test_an_ecm_provider_refers_its_member_and_is_told_of_the_assignment_in_its_portal(world):
    eastwood = api_of(world.eastwood)
    response = send(eastwood, world)
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    assert (referral.referrer_kind, referral.referrer_organization, referral.organization) == (
        ReferrerKind.PROVIDER, world.eastwood, world.bayside,
    )  # fmt: skip
    assert referral.request.source == RequestSource.PROVIDER_REFERRAL
    assert referral.events.get().actor == eastwood.login_user
    with clocks.frozen(MONDAY):
        referral_accept(plan=world.plan, actor=world.bayside_staff, referral=referral, provider_contact="555")
    assert ReferralNotice.objects.get(referral=referral, recipient="referrer").channel == "in_app"
    assert "accepted it" in Notification.objects.get(recipient=eastwood.login_user).text


def test_a_member_not_assigned_to_the_organization_is_refused(world):
    response = send(api_of(world.harbor), world)
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"member"}
    assert not Referral.objects.exists()


def test_outreach_staff_may_not_send(world):
    assert send(api_of(world.eastwood, ProviderRole.OUTREACH_STAFF), world).status_code == 403
