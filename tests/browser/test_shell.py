"""The browser walks in: sign in, see the plan, switch plan, sign out."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.services import membership_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(reference_data, plan_a, plan_b, make_membership):
    membership = make_membership(plan_a, Role.CARE_COORDINATOR)
    with scopes_disabled():
        membership_create(user=membership.user, plan=plan_b, role=Role.REVIEWER)
    return membership.user


def test_sign_in_see_the_plan_switch_and_sign_out(page, live_server, coordinator):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Alpha Health Plan")).to_be_visible()
    expect(page.get_by_text("Care coordinator")).to_be_visible()

    page.get_by_label("Plan").select_option(label="Bravo Health Plan")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name="Bravo Health Plan")).to_be_visible()
    expect(page.get_by_text("Utilization reviewer")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_shows_a_clear_message(page, live_server, coordinator):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
