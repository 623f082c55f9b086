"""The referral pages (DOMAIN 9): plan staff record what a shelter sent on the intake form, list the
referrals (by state, stalled only), read one with its history and notices and record its steps;
provider staff answer theirs; the settings page sets the stalled-referral clocks. Each page runs a
bounded number of queries, the same for one row as for many (issue 15: at most 12)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community_supports.referral_models import Referral, ReferralStatus
from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.community_supports.referral_helpers import (
    MONDAY,
    NAVIGATION,
    SHELTER_EMAIL,
    approve,
    referral_world,
    shelter_referral,
)
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")
TUESDAY = MONDAY + timedelta(days=1)
MAX_QUERIES = 12


@pytest.fixture
def world(plan_a, make_membership):
    return referral_world(plan_a, make_membership)


def browser_of(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_the_intake_form_records_a_shelters_referral(world):
    browser = browser_of(world.coordinator)
    form = {
        "member": world.member.cin, "service": NAVIGATION, "organization": world.bayside.pk,
        "referrer_kind": "shelter", "referrer_name": "Hope Shelter", "referrer_email": SHELTER_EMAIL,
        "urgency": "routine",
    }  # fmt: skip
    with clocks.frozen(MONDAY):
        assert browser.get("/referrals/new/").status_code == 200
        response = browser.post("/referrals/new/", form)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    with clocks.frozen(MONDAY):
        refused = browser.post("/referrals/new/", form)
    assert refused.status_code == 409 and b"open referral" in refused.content


def test_the_intake_form_shows_a_refusal_at_its_field(world):
    browser = browser_of(world.coordinator)
    form = {
        "member": world.member.cin, "service": NAVIGATION, "organization": world.bayside.pk,
        "referrer_kind": "hospital", "referrer_name": "County General", "urgency": "routine",
    }  # fmt: skip
    with clocks.frozen(MONDAY):
        response = browser.post("/referrals/new/", form)
    assert response.status_code == 400 and b"validated email" in response.content
    assert not Referral.objects.exists()


def test_the_provider_accepts_and_closes_on_its_pages_and_the_plan_sees_the_history(world):
    referral = shelter_referral(world)
    approve(world, referral.request)
    provider = browser_of(world.bayside_staff.user)
    with clocks.frozen(TUESDAY):
        page = provider.get(f"/provider/referrals/{referral.pk}/")
        assert page.status_code == 200 and b"Accept" in page.content
        provider.post(f"/provider/referrals/{referral.pk}/accept/", {"provider_contact": "(510) 555-0100"})
        provider.post(f"/provider/referrals/{referral.pk}/start-service/", {})
        done = provider.post(f"/provider/referrals/{referral.pk}/close/", {"reason": "services_received"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.closure_reason) == (ReferralStatus.CLOSED, "services_received")
    with clocks.frozen(TUESDAY):
        detail = browser_of(world.coordinator).get(f"/referrals/{referral.pk}/").content.decode()
    assert "Services received" in detail and "Assigned to the provider" in detail and SHELTER_EMAIL in detail
    assert "placed with Provider 0" in detail and "not the provider referred to" not in detail


def test_a_refused_step_is_shown_on_the_page(world):
    referral = shelter_referral(world)
    provider = browser_of(world.bayside_staff.user)
    with clocks.frozen(TUESDAY):
        provider.post(f"/provider/referrals/{referral.pk}/accept/", {"provider_contact": "555"})
        response = provider.post(f"/provider/referrals/{referral.pk}/start-service/", {})
    assert response.status_code == 409 and b"once authorized" in response.content


def test_the_settings_page_is_the_administrators(world, make_membership):
    administrator = browser_of(make_membership(world.plan, Role.PLAN_ADMINISTRATOR).user)
    saved = administrator.post("/settings/referrals/", {"response_business_days": "3", "closure_days": "30"})
    assert saved.status_code == 302
    assert browser_of(world.coordinator).get("/settings/referrals/").status_code == 403


def queries(browser, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def test_the_pages_cost_the_same_for_one_row_as_for_many(world):
    first = shelter_referral(world)
    coordinator, provider = browser_of(world.coordinator), browser_of(world.bayside_staff.user)
    paths = {
        coordinator: ["/referrals/", "/referrals/?status=sent&stalled=on", f"/referrals/{first.pk}/"],
        provider: ["/provider/referrals/", f"/provider/referrals/{first.pk}/"],
    }
    with clocks.frozen(TUESDAY):
        for browser in paths:
            browser.get("/")  # the session's first request loads what later ones keep
        few = {path: queries(browser, path) for browser, listed in paths.items() for path in listed}
    for _ in range(4):
        world.member = enrolled_member(world.plan)
        shelter_referral(world)
    with clocks.frozen(TUESDAY):
        many = {path: queries(browser, path) for browser, listed in paths.items() for path in listed}
    assert {path: count for path, count in many.items() if count > MAX_QUERIES} == {}
    assert many == few
