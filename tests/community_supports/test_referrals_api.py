"""The referral API (DOMAIN 9): an integrator posts what a referring entity sent to
/api/v1/referrals/ (the request is opened, sobering centers refused), the provider answers on
/api/v1/provider/referrals/ with explicit POST actions, a step the state does not allow is 409, and
another organization's referral is 404; `?stalled=true` lists those past either plan clock; the
plan's clocks are at /api/v1/settings/referrals/. Every read is in the PHI access log."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from community_supports.referral_models import Referral, ReferralStatus
from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccessMember
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import ProviderRole, Role
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.community_supports.referral_helpers import MONDAY, SHELTER_EMAIL, approve, referral_world
from tests.conftest import api_client_of, membership_of
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("in_plan_a")
PLAN_URL = "/api/v1/referrals/"
PROVIDER_URL = "/api/v1/provider/referrals/"
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def world(plan_a, make_membership):
    world = referral_world(plan_a, make_membership)
    world.integrator = api_client_of(membership_of(plan_a, Role.INTEGRATOR))
    world.bayside_api = provider_api(world.bayside)
    return world


def provider_api(organization, role=ProviderRole.CARE_MANAGER) -> APIClient:
    login = provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)
    _, raw_key = provider_api_key_issue(actor=OPERATOR, provider_membership=login, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def post(client, url, data=None, at=MONDAY):
    with clocks.frozen(at):
        return client.post(url, data or {}, format="json")


def intake(world, **changes):
    body = {
        "member": world.member.pk, "service": "housing-transition-navigation", "organization": world.bayside.pk,
        "referrer_kind": "shelter", "referrer_name": "Hope Shelter", "referrer_email": SHELTER_EMAIL,
    }  # fmt: skip
    return post(world.integrator, PLAN_URL, body | changes)


def errors_of(response) -> set:
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def test_an_integrator_records_a_shelters_referral_and_the_request_is_opened(world):
    response = intake(world)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["referrer_kind"], data["request_status"]) == ("sent", "shelter", "received")
    assert Referral.objects.get(pk=data["id"]).request.requester_contact == SHELTER_EMAIL


def test_a_sobering_center_referral_is_refused_at_its_service(world):
    """DOMAIN 9: sobering centers are exempt from the closed loop."""
    response = intake(world, service="sobering-centers")
    assert response.status_code == 400
    assert errors_of(response) == {("service", "closed_loop_exempt")}


def test_a_free_text_contact_is_refused(world):
    response = intake(world, referrer_email="")
    assert (response.status_code, errors_of(response)) == (400, {("referrer_email", "no_electronic_contact")})


def test_the_provider_answers_on_its_own_endpoint_through_the_loop(world):
    referral = intake(world).json()
    url = f"{PROVIDER_URL}{referral['id']}"
    accepted = post(world.bayside_api, f"{url}/accept/", {"provider_contact": "(510) 555-0100"}, at=TUESDAY)
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted"), accepted.content
    assert accepted.json()["plan"]["code"] == world.plan.code
    too_early = post(world.bayside_api, f"{url}/start-service/", at=TUESDAY)
    assert (too_early.status_code, errors_of(too_early)) == (409, {(None, "not_authorized_yet")})
    approve(world, Referral.objects.get(pk=referral["id"]).request, at=TUESDAY)
    assert post(world.bayside_api, f"{url}/start-service/", at=TUESDAY).json()["status"] == "service_started"
    closed = post(world.bayside_api, f"{url}/close/", {"reason": "services_received"}, at=TUESDAY)
    assert closed.json()["closure_reason"] == "services_received"
    with clocks.frozen(TUESDAY):
        detail = world.bayside_api.get(f"{url}/").json()
    assert [event["status"] for event in detail["events"]] == ["sent", "accepted", "service_started", "closed"]
    assert {(n["event"], n["recipient"]) for n in detail["notices"]} == {
        ("authorized", "referrer"), ("assigned", "member"), ("assigned", "referrer"), ("closed", "referrer"),
    }  # fmt: skip


def test_a_second_answer_is_a_conflict_and_changes_nothing(world):
    referral = intake(world).json()
    post(world.bayside_api, f"{PROVIDER_URL}{referral['id']}/decline/", {"reason": "no_capacity"})
    again = post(world.bayside_api, f"{PROVIDER_URL}{referral['id']}/accept/", {"provider_contact": "555"})
    assert (again.status_code, errors_of(again)) == (409, {(None, "invalid_transition")})
    assert Referral.objects.get(pk=referral["id"]).status == ReferralStatus.DECLINED


def test_another_organizations_referral_is_missing_on_the_provider_endpoint(world):
    referral = intake(world).json()
    harbor = provider_api(world.harbor)
    assert harbor.get(f"{PROVIDER_URL}{referral['id']}/").status_code == 404
    refused = post(harbor, f"{PROVIDER_URL}{referral['id']}/accept/", {"provider_contact": "555"})
    assert refused.status_code == 404
    assert harbor.get(PROVIDER_URL).json()["results"] == []
    assert Referral.objects.get(pk=referral["id"]).status == ReferralStatus.SENT


def test_outreach_staff_read_but_may_not_answer(world):
    referral = intake(world).json()
    outreach = provider_api(world.bayside, ProviderRole.OUTREACH_STAFF)
    assert outreach.get(f"{PROVIDER_URL}{referral['id']}/").status_code == 200
    assert post(outreach, f"{PROVIDER_URL}{referral['id']}/accept/", {"provider_contact": "5"}).status_code == 403


def test_the_plan_closes_and_a_role_without_the_capability_is_refused(world, make_membership):
    referral = intake(world).json()
    reviewer = api_client_of(make_membership(world.plan, Role.REVIEWER))
    assert post(reviewer, f"{PLAN_URL}{referral['id']}/close/", {"reason": "member_declined"}).status_code == 403
    coordinator = api_client_of(make_membership(world.plan, Role.CARE_COORDINATOR))
    closed = post(coordinator, f"{PLAN_URL}{referral['id']}/close/", {"reason": "unable_to_reach"})
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    chosen = post(coordinator, f"{PLAN_URL}{referral['id']}/close/", {"reason": "not_authorized"})
    assert chosen.status_code == 409  # closed already: the state is checked first


def test_stalled_lists_those_past_either_clock(world):
    referral = intake(world).json()
    due = Referral.objects.get(pk=referral["id"]).response_due_at
    with clocks.frozen(due):
        assert world.integrator.get(f"{PLAN_URL}?stalled=true").json()["results"] == []
    with clocks.frozen(due + timedelta(seconds=1)):
        assert [r["id"] for r in world.integrator.get(f"{PLAN_URL}?stalled=true").json()["results"]] == [referral["id"]]
        assert world.integrator.get(f"{PLAN_URL}?stalled=false").json()["results"] == []


def test_reads_are_in_the_phi_access_log(world):
    intake(world)
    before = PhiAccessMember.objects.filter(member_id=world.member.pk).count()
    world.integrator.get(PLAN_URL)
    world.bayside_api.get(PROVIDER_URL)
    assert PhiAccessMember.objects.filter(member_id=world.member.pk).count() == before + 2


def test_the_settings_are_the_administrators(world, make_membership):
    administrator = api_client_of(make_membership(world.plan, Role.PLAN_ADMINISTRATOR))
    url = "/api/v1/settings/referrals/"
    assert administrator.get(url).json() == {"response_business_days": 5, "closure_days": 60}
    saved = administrator.put(url, {"response_business_days": 3, "closure_days": 30}, format="json")
    assert saved.json() == {"response_business_days": 3, "closure_days": 30}
    assert world.integrator.put(url, {"response_business_days": 1, "closure_days": 1}, format="json").status_code == 403
    out_of_range = administrator.put(url, {"response_business_days": 0, "closure_days": 30}, format="json")
    assert out_of_range.status_code == 400
