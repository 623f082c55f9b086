"""The capacity dashboard and the provider directory in a browser, with the demo providers."""

from datetime import date

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from demo.synthetic import load_providers
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.services import plan_create
from tests.factories import PLAN_CONTACT, TEST_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(reference_data):
    with scopes_disabled():
        plan = plan_create(
            code="demo-like",
            name="Demo-like Plan",
            county_codes=["01", "07", "10", "34"],
            actor=OPERATOR,
            **PLAN_CONTACT,
        )
        # The demo's contracts are vetted and activated by a plan administrator (a check names its reviewer).
        administrator = MembershipFactory(plan=plan, role=Role.PLAN_ADMINISTRATOR).user
        load_providers(plan, administrator, date(2026, 11, 20))
        return MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user


def test_capacity_dashboard_and_directory(page, live_server, coordinator):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Capacity").click()
    expect(page.get_by_role("heading", name="Provider capacity")).to_be_visible()
    grid = page.get_by_role("table", name="Capacity by county and Population of Focus")
    alameda = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Alameda"))
    expect(alameda.get_by_role("cell").nth(0)).to_contain_text("0 / 40")  # HOMELESS: Eastbay's contract
    sacramento = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Sacramento"))
    expect(sacramento.get_by_role("cell").nth(0)).to_contain_text("0 / 25")  # HOMELESS: the housing collaborative

    page.get_by_role("link", name="Directory").click()
    expect(page.get_by_role("link", name="Delta Behavioral Health Partners")).to_be_visible()
    page.get_by_role("link", name="Delta Behavioral Health Partners").click()
    expect(page.get_by_role("heading", name="Delta Behavioral Health Partners")).to_be_visible()
    expect(page.get_by_text("Alex Delta — caseload 0")).to_be_visible()
