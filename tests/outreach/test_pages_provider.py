"""Provider staff's outreach pages (DOMAIN 8; ARCHITECTURE.md, the provider axis): their
organization's engagements only, per contracting plan; another organization's, the plan's own or
another plan's engagement is missing (404); the ECM Provider records attempts and closes out its
members; plan staff cannot open the provider pages and provider staff cannot open the plan's."""

from datetime import date, timedelta

import pytest

from authorizations.models import Status
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, ProviderRole, Role
from ecm_platform.tenancy.scoping import plan_scope
from eligibility.models import PopulationOfFocus
from outreach.models import Attempt, Engagement, EngagementState, Method, Outcome, TargetKind
from providers.services import contract_create
from tests.factories import activated
from tests.outreach.test_pages import ATTEMPT, engagement_of, text_of
from tests.outreach.world import (
    MONDAY,
    NPIS,
    approved_member,
    identified_member,
    lead_care_manager_named,
    organization_of,
    staff_of,
    synced,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")

LATER = MONDAY + timedelta(hours=6)  # the member was targeted at 10:00 on Monday
AFTERNOON = ATTEMPT | {"attempted_at": "2026-11-23T15:00"}


def get(client, url):
    with clocks.frozen(LATER):
        return client.get(url)


def post(client, url, data=None):
    with clocks.frozen(LATER):
        return client.post(url, data or {})


@pytest.fixture
def network(plan_a, plan_b, make_membership):
    """Plan A: Eastbay ECM's member (approved and assigned), Other ECM's member, a member the plan
    identified. Plan B: Bravo ECM's member. Engagements as the targeting job opens them."""
    coordinator_a = make_membership(plan_a, Role.CARE_COORDINATOR).user
    reviewer_a = make_membership(plan_a, Role.REVIEWER).user
    eastbay = organization_of(plan_a)
    own_request = approved_member(plan_a, coordinator_a, reviewer_a)
    identified = identified_member(plan_a)
    synced(plan_a)
    other = organization_of(plan_a, NPIS[1], "Other ECM")
    other_member = identified_member(plan_a)
    other_engagement = engagement_of(plan_a, other_member, organization=other)
    bravo = organization_of(plan_b, NPIS[2], "Bravo ECM")
    request_b = approved_member(
        plan_b, make_membership(plan_b, Role.CARE_COORDINATOR).user, make_membership(plan_b, Role.REVIEWER).user
    )
    synced(plan_b)
    return {
        "eastbay": eastbay,
        "bravo": bravo,
        "own": Engagement.objects.get(member=own_request.member, state=EngagementState.OPEN),
        "request": own_request,
        "identified": Engagement.objects.get(member=identified, kind=TargetKind.IDENTIFIED),
        "other": other_engagement,
        "plan_b": Engagement.objects.get(member=request_b.member),
        "staff": staff_of(plan_a, eastbay),
    }


@pytest.fixture
def provider_client(client, network):
    client.force_login(network["staff"].user)
    return client


def test_the_provider_worklist_shows_only_the_organizations_members_with_their_plan(network, provider_client):
    """DOMAIN 8: the ECM Provider reaches out to the members assigned to it."""
    response = get(provider_client, "/provider/outreach/")
    page = text_of(response)
    assert f'href="/provider/outreach/{network["own"].pk}/"' in page and "<td>Alpha Health Plan</td>" in page
    for foreign in ("other", "identified", "plan_b"):
        assert f'href="/provider/outreach/{network[foreign].pk}/"' not in page
    assert '<nav class="tabs"' not in page  # one contracting plan
    assert 'href="/provider/outreach/" aria-current="page">Outreach worklist' in page
    assert 'href="/outreach/"' not in page, page[page.find('href="/outreach/"') - 300 :][:600]
    assert 'href="/notifications/"' in page  # provider staff read what is sent to them


def test_a_provider_contracted_by_two_plans_sees_one_plan_at_a_time(network, provider_client, plan_b):
    """The provider axis: the plans contracting with the organization today, as tabs."""
    with plan_scope(plan_b):
        activated(contract_create(
            plan=plan_b, actor=OPERATOR, organization=network["eastbay"], capacity=5, start_date=date(2025, 1, 1),
            counties=list(County.objects.filter(code="01")), pofs=list(PopulationOfFocus.objects.filter(code="SMI_SUD")),
        ))  # fmt: skip
    page = text_of(get(provider_client, "/provider/outreach/"))
    assert '<a href="?plan=plan-a" aria-current="page">Alpha Health Plan</a>' in page
    assert f'href="/provider/outreach/{network["own"].pk}/"' in page
    bravo = text_of(get(provider_client, "/provider/outreach/?plan=plan-b"))
    assert '<a href="?plan=plan-b" aria-current="page">Bravo Health Plan</a>' in bravo
    assert "No open outreach with these filters." in bravo  # plan B's member is Bravo ECM's


def test_another_organizations_the_plans_own_and_another_plans_engagements_are_missing(network, provider_client):
    for foreign in ("other", "identified", "plan_b"):
        pk = network[foreign].pk
        assert get(provider_client, f"/provider/outreach/{pk}/").status_code == 404, foreign
        assert post(provider_client, f"/provider/outreach/{pk}/attempts/", AFTERNOON).status_code == 404, foreign
        assert post(provider_client, f"/provider/outreach/{pk}/decline/", {"confirmed": "yes"}).status_code == 404
    assert not Attempt.objects.exists()
    assert Engagement.objects.filter(state=EngagementState.OPEN).count() == 3


def test_the_provider_engagement_page_has_the_attempt_form_and_close_outs_but_no_referral(network, provider_client):
    page = text_of(get(provider_client, f"/provider/outreach/{network['own'].pk}/"))
    assert "Record an attempt" in page and "End the outreach" in page
    assert f'action="/provider/outreach/{network["own"].pk}/attempts/"' in page
    assert "Refer to the plan's other programs" not in page
    assert "/members/" not in page  # the plan's member pages are not theirs


def test_provider_staff_record_an_attempt_for_their_organization(network, provider_client):
    """DOMAIN 8: each attempt records staff and organization; the verdict is shown before saving."""
    url = f"/provider/outreach/{network['own'].pk}/attempts/"
    visit = AFTERNOON | {"method": Method.IN_PERSON, "outcome": Outcome.REACHED_MEMBER, "minutes": "40"}
    checked = post(provider_client, url, visit | {"check": "1"})
    assert "This attempt will count." in text_of(checked) and "Successful: an actual interaction" in text_of(checked)
    assert post(provider_client, url, visit).status_code == 302
    attempt = Attempt.objects.get()
    assert (attempt.organization, attempt.staff, attempt.successful) == (
        network["eastbay"], network["staff"].user, True,
    )  # fmt: skip
    verdict = get(provider_client, "/outreach/attempts/verdict/?method=text&asks_for_response=0&outcome=no_answer")
    assert verdict.json()["counts"] is False


def test_provider_staff_enroll_their_member_and_services_start(network, provider_client, plan_a):
    """DOMAIN 8: for an approved member, enrollment is the start-services transition."""
    lead_care_manager_named(plan_a, network["own"].member)
    url = f"/provider/outreach/{network['own'].pk}/enroll/"
    confirm = post(provider_client, url, {"note": ""})
    assert "Services start under the approved request" in text_of(confirm)
    assert post(provider_client, url, {"note": "", "confirmed": "yes"}).status_code == 302
    network["own"].refresh_from_db()
    network["request"].refresh_from_db()
    assert network["own"].state == EngagementState.ENROLLED
    assert network["request"].status == Status.ACTIVE


def test_unable_to_reach_before_the_policy_is_met_is_refused_with_why(network, provider_client):
    url = f"/provider/outreach/{network['own'].pk}/unreachable/"
    response = post(provider_client, url, {"confirmed": "yes"})
    assert response.status_code == 302
    page = text_of(get(provider_client, response["Location"]))
    assert "The attempt policy needs 3 more counting attempt(s) (of 3)" in page
    network["own"].refresh_from_db()
    assert network["own"].state == EngagementState.OPEN


@pytest.mark.parametrize("role", [ProviderRole.PROVIDER_ADMINISTRATOR, ProviderRole.CARE_MANAGER])
def test_every_provider_role_sees_the_worklist(network, client, plan_a, role):
    client.force_login(staff_of(plan_a, network["eastbay"], role).user)
    assert get(client, "/provider/outreach/").status_code == 200


def test_plan_staff_cannot_open_provider_pages_nor_provider_staff_plan_pages(network, client, plan_a, make_membership):
    own = network["own"].pk
    client.force_login(make_membership(plan_a, Role.CARE_COORDINATOR).user)
    for url in ("/provider/outreach/", f"/provider/outreach/{own}/"):
        assert get(client, url).status_code == 403, url
    assert post(client, f"/provider/outreach/{own}/attempts/", ATTEMPT).status_code == 403
    client.force_login(network["staff"].user)
    plan_pages = ("/outreach/", f"/outreach/engagements/{own}/", f"/members/{network['own'].member_id}/outreach/",
                  "/outreach/measures/", "/settings/outreach/")  # fmt: skip
    for url in plan_pages:
        assert get(client, url).status_code == 403, url
    assert post(client, f"/outreach/engagements/{own}/attempts/", ATTEMPT).status_code == 403
    assert not Attempt.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(network, client):
    response = client.get("/provider/outreach/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/outreach/attempts/verdict/?method=text&outcome=no_answer").status_code == 403


def test_attempts_are_refused_at_a_time_before_the_member_was_targeted(network, provider_client):
    url = f"/provider/outreach/{network['own'].pk}/attempts/"
    response = post(provider_client, url, ATTEMPT | {"attempted_at": "2026-11-20T09:00"})
    assert response.status_code == 400
    assert "Outreach began on 2026-11-23: the attempt is earlier." in text_of(response)
    assert not Attempt.objects.exists()
