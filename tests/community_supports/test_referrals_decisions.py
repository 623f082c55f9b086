"""How the plan's decisions and the referral's own checks meet (DOMAIN 5.3, 6, 9), found in review:
a request referred twice (the first provider declined) is decided once and closes both loops; a
discontinuation closes the loop with its reason and date; a decision never fails on a loop the
provider closed meanwhile; a provider contracted in another county only is not referred; the
provider's page offers only its own steps."""

from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from authorizations.models import DenialReason, RequesterNotice
from authorizations.services import request_discontinue, request_start_services
from community_supports.referral_models import ClosureReason, DeclineReason, Referral, ReferralNotice, ReferralStatus
from community_supports.referral_receivers import JOB_NAME
from community_supports.referral_services import referral_close_by_decision, referral_decline
from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import County
from tests.community_supports.referral_helpers import (
    MONDAY,
    NAVIGATION,
    SHELTER_EMAIL,
    approve,
    contract_for,
    deny,
    referral_world,
    shelter_referral,
)
from tests.factories import enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(plan_a, make_membership):
    return referral_world(plan_a, make_membership)


def referred_twice(world):
    """Bayside declines; the plan refers the same request to Harbor."""
    first = shelter_referral(world)
    with clocks.frozen(MONDAY):
        referral_decline(plan=world.plan, actor=world.bayside_staff, referral=first, reason=DeclineReason.NO_CAPACITY)
    second = shelter_referral(world, at=TUESDAY, organization=world.harbor)
    assert second.request_id == first.request_id
    return first, second


def test_a_request_referred_twice_is_denied_once_and_closes_both_loops(world):
    first, second = referred_twice(world)
    deny(world, first.request, at=TUESDAY, reason=DenialReason.SERVICE_CRITERIA_NOT_MET, explanation="No lease.")
    for referral in (first, second):
        referral.refresh_from_db()
        assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, ClosureReason.NOT_AUTHORIZED)
    told = RequesterNotice.objects.filter(request=first.request).count()
    notices = ReferralNotice.objects.filter(referral__in=[first, second], event="not_authorized", recipient="referrer")
    assert notices.count() == 2 and told <= 1  # one 5.3 notice stands for both referrals' own


def test_a_request_referred_twice_is_approved_once(world):
    first, second = referred_twice(world)
    with scopes_disabled():
        approve(world, first.request, at=TUESDAY)
    second.refresh_from_db()
    assert second.status == ReferralStatus.SENT
    assert ReferralNotice.objects.filter(referral=second, event="authorized", recipient="referrer").count() == 1


def test_a_discontinuation_closes_the_loop_with_its_criterion_and_date(world):
    """DOMAIN 6, 9: a Community Support's discontinuation names the service's own criterion."""
    referral = shelter_referral(world)
    request = approve(world, referral.request)
    with clocks.frozen(TUESDAY):
        request = request_start_services(plan=world.plan, actor=world.coordinator, request=request)
    criterion = request.service.discontinuation_criteria[0]
    with clocks.frozen(TUESDAY + timedelta(days=1)):
        request_discontinue(
            plan=world.plan, actor=world.reviewer, request=request, effective_on=date(2026, 12, 31),
            criterion=criterion["code"],
        )  # fmt: skip
    referral.refresh_from_db()
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, ClosureReason.OTHER)
    assert referral.closure_detail == f"Services discontinued from 2026-12-31: {criterion['en']}"
    closed = ReferralNotice.objects.get(referral=referral, event="closed", recipient="referrer")
    assert closed.email == SHELTER_EMAIL


def test_a_decision_leaves_a_loop_the_provider_closed_meanwhile(world):
    """The provider's step landed first: the decision's closure is skipped, not a failure."""
    referral = shelter_referral(world)
    stale = Referral.objects.get(pk=referral.pk)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.CLOSED, closure_reason="member_declined")
    loop = Principal.system(JOB_NAME, Capability.REFERRALS_MANAGE, plan=world.plan)
    closed = referral_close_by_decision(
        plan=world.plan, actor=loop, referral=stale, reason=ClosureReason.NOT_AUTHORIZED, detail="Denied"
    )
    assert closed is None
    referral.refresh_from_db()
    assert referral.closure_reason == "member_declined"


def test_a_provider_contracted_in_another_county_only_is_not_referred(world):
    elsewhere = organization(world.plan, 2)
    contract = contract_for(world.plan, elsewhere, [NAVIGATION])
    contract.counties.set([County.objects.get(code="07")])
    world.member = enrolled_member(world.plan, email="m@example.org")  # county 01
    with pytest.raises(DomainError) as refused:
        shelter_referral(world, organization=elsewhere)
    assert refused.value.field == "organization"


def test_the_provider_page_offers_only_the_providers_steps(client, world):
    referral = shelter_referral(world)
    client.force_login(world.bayside_staff.user)
    sent = client.get(f"/provider/referrals/{referral.pk}/").content.decode()
    assert 'aria-label="Accept"' in sent and 'aria-label="Close"' not in sent
    with clocks.frozen(TUESDAY):
        client.post(f"/provider/referrals/{referral.pk}/accept/", {"provider_contact": "(510) 555-0100"})
    accepted = client.get(f"/provider/referrals/{referral.pk}/").content.decode()
    assert 'aria-label="Close"' in accepted
    assert 'value="services_received"' in accepted and 'value="provider_declined"' not in accepted
    assert 'value="member_left_plan"' not in accepted


def test_the_api_refuses_a_referring_organization_the_plan_does_not_contract(world, make_membership, make_api_client):
    from ecm_platform.tenancy.models import Role

    stranger = organization(world.plan, 3)  # in the directory, no contract with the plan
    api = make_api_client(make_membership(world.plan, Role.INTEGRATOR))
    response = api.post(
        "/api/v1/referrals/",
        {
            "member": world.member.pk, "service": NAVIGATION, "organization": world.bayside.pk,
            "referrer_kind": "provider", "referrer_name": "Stranger", "referrer_organization": stranger.pk,
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "referrer_organization"
