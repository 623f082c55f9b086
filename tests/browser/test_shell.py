"""The browser walks in: sign in, see the plan, switch plan, sign out."""

from datetime import timedelta

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.services import membership_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(reference_data, plan_a, plan_b, make_membership):
    membership = make_membership(plan_a, Role.CARE_COORDINATOR)
    with scopes_disabled():
        membership_create(user=membership.user, plan=plan_b, role=Role.REVIEWER, actor=OPERATOR)
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


def sign_in(page, live_server, user, password=TEST_PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_idle_warning_lets_the_user_stay_then_signs_out(page, live_server, coordinator, settings):
    # Shortened: 8 s idle timeout, warning 5 s before.
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=8)
    settings.SESSION_IDLE_WARNING = timedelta(seconds=5)
    sign_in(page, live_server, coordinator)
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=6000)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", name="Alpha Health Plan")).to_be_visible()
    # No answer this time: the next warning passes and the session ends.
    expect(warning).to_be_visible(timeout=6000)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10000)
    expect(page.get_by_text("You were signed out after")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_ten_wrong_passwords_lock_the_account(page, live_server, coordinator):
    for _ in range(9):
        sign_in(page, live_server, coordinator, password="not the password at all")
        expect(page.get_by_role("alert")).to_contain_text("did not match")
    sign_in(page, live_server, coordinator, password="not the password at all")
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    sign_in(page, live_server, coordinator)
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
