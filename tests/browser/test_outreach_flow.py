"""Outreach in a browser (DOMAIN 8): the plan's outreach worker reaches a member the plan
identified. A robo-call that left a pre-recorded message is recorded, the form saying before it is
saved that it will not count (FAQ 20); then a call that left a live message (counts) and a visit
that reached the member (counts, successful). The member agrees and is enrolled (a request is
submitted, source plan identification). A measures run built afterwards shows it: targeted 1,
reached 1, attempts 2, successful 1.

Time is fixed with time-machine (ticking), which the live server's thread sees too."""

from datetime import UTC, datetime

import pytest
import time_machine
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import plan_create
from outreach.models import Attempt, Engagement, EngagementState
from outreach.targets import targets_sync
from tests.factories import PLAN_CONTACT, TEST_PASSWORD, MembershipFactory
from tests.outreach.test_pages import identified_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY = datetime(2026, 11, 23, 17, tzinfo=UTC)  # 09:00 in Los Angeles


@pytest.fixture
def world(reference_data):
    with time_machine.travel(MONDAY, tick=False), scopes_disabled():
        plan = plan_create(
            code="outreach-plan", name="Outreach Health Plan", county_codes=["01"], actor=OPERATOR, **PLAN_CONTACT
        )
        worker = MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user
        analyst = MembershipFactory(plan=plan, role=Role.REPORTING_ANALYST).user
    with time_machine.travel(MONDAY, tick=False), plan_scope(plan):
        member = identified_member(plan, first_name="Rosa", last_name="Robles")
        targets_sync(plan=plan)
        engagement = Engagement.objects.get(plan=plan, member=member)
    return {"plan": plan, "worker": worker, "analyst": analyst, "engagement": engagement}


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def record(page, method, outcome, minutes, *, will):
    """Fill the attempt form; the verdict region says whether it will count before saving."""
    form = page.get_by_role("region", name="Record an attempt")
    form.get_by_label("Method").select_option(label=method)
    form.get_by_label("Outcome").select_option(label=outcome)
    form.get_by_label("Time spent (minutes)").fill(str(minutes))
    expect(form.get_by_role("status")).to_contain_text(will)
    form.get_by_role("button", name="Save the attempt").click()
    expect(page.locator(".messages")).to_contain_text("Attempt recorded")


def test_an_outreach_worker_reaches_and_enrolls_a_member_and_the_measures_show_it(page, live_server, world):
    engagement = world["engagement"]
    with time_machine.travel(MONDAY, tick=True):
        log_in(page, live_server, world["worker"])
        page.get_by_role("link", name="Outreach worklist").click()
        row = page.get_by_role("row", name="Robles, Rosa")
        expect(row).to_contain_text("No attempt yet")
        row.get_by_role("link", name="Robles, Rosa").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Outreach: Rosa Robles")

        record(page, "Robo-call", "Pre-recorded message only", 1, will="This attempt will not count.")
        expect(page.get_by_role("table", name="Outreach attempts, newest first")).to_contain_text("Does not count")
        record(page, "Telephone", "Live message left by staff", 4, will="This attempt will count.")
        record(page, "In person", "Reached the member", 30, will="Successful: an actual interaction")
        expect(page.get_by_role("region", name="Attempt policy")).to_contain_text(
            "The member was reached on 2026-11-23"
        )

        page.get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("heading", name="Enroll the member in ECM?")).to_be_visible()
        page.get_by_role("button", name="Enroll").click()
        expect(page.locator(".messages")).to_contain_text("Enrolled.")
        expect(page.locator(".status-line")).to_have_text("Enrolled")
        page.get_by_role("button", name="Log out").click()

        log_in(page, live_server, world["analyst"])
        page.goto(f"{live_server.url}/outreach/measures/")
        expect(page.get_by_text("No measures built yet.")).to_be_visible()
        build = page.get_by_role("region", name="Build a quarter")
        build.get_by_label("Quarter").select_option(label="Q4")
        build.get_by_role("button", name="Build").click()
        expect(page.locator(".messages")).to_contain_text("Outreach measures for 2026 Q4 built.")
        total = page.locator(".measures-total")
        for key, value in {"targeted": "1", "reached": "1", "attempts": "2", "successful": "1"}.items():
            expect(total.locator(f'dd[data-measure="{key}"]')).to_have_text(value)
        expect(page.get_by_role("img", name="Total outreach attempts by county: Alameda: 2.")).to_be_visible()

    with scopes_disabled():
        engagement.refresh_from_db()
        assert engagement.state == EngagementState.ENROLLED and engagement.request.source == "mcp_identification"
        assert list(Attempt.objects.filter(engagement=engagement).order_by("id").values_list("counts", flat=True)) == [
            False, True, True,
        ]  # fmt: skip
