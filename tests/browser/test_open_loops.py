"""The loops issue 14 closes, in a browser (DOMAIN 5.2, 5.3, 5.4, 7): a decided discontinuation is
scheduled, the member stays active until its effective date, then the assignment ends and the
provider's capacity comes back on the dashboard; a second member who appeals in time keeps
services past that date, and the overturned appeal cancels the discontinuation.

Time moves with time-machine, which the live server's thread sees too; the discontinuation job
runs between the steps as the scheduler would run it, as its system principal."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from authorizations.models import AuthorizationRequest, RequestSource, Status
from authorizations.services import (
    discontinuations_take_effect,
    request_approve,
    request_start_review,
    request_start_services,
    request_submit,
)
from authorizations.services.discontinuation import discontinuation_job
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import plan_create
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import EnrollmentPathway, OrganizationType
from providers.selectors import open_assignment
from providers.services import (
    assignment_set_lead_care_manager,
    care_manager_add,
    contract_create,
    organization_create,
)
from tests.factories import PLAN_CONTACT, TEST_PASSWORD, MembershipFactory, activated, enrolled_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active_member(plan, coordinator, reviewer, manager, first_name, last_name, cin):
    """An eligible homeless member whose ECM is active with the provider and its Lead Care Manager."""
    member = enrolled_member(plan, first_name=first_name, last_name=last_name, cin=cin)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    request = request_submit(
        plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL, requester_name="Self"
    )
    request = request_start_review(plan=plan, actor=reviewer, request=request)
    request = request_approve(plan=plan, actor=reviewer, request=request)
    assignment = open_assignment(plan=plan, member=member)
    assignment_set_lead_care_manager(plan=plan, actor=coordinator, assignment=assignment, care_manager=manager)
    return request_start_services(plan=plan, actor=coordinator, request=request)


@pytest.fixture
def world(reference_data):
    """Two members active with Eastbay Care Partners, whose one contract (capacity 2) is full."""
    with scopes_disabled():
        plan = plan_create(
            code="loops-plan", name="Loops Health Plan", county_codes=["01"], actor=OPERATOR, **PLAN_CONTACT
        )
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi="1234567893", tax_id="123456789", name="Eastbay Care Partners",
            organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        )  # fmt: skip
        activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=2, start_date=date(2025, 1, 1),
        ))  # fmt: skip
        manager = care_manager_add(plan=plan, actor=OPERATOR, organization=organization, name="Lee Manager")
        coordinator = MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user
        reviewer = MembershipFactory(plan=plan, role=Role.REVIEWER).user
    with plan_scope(plan):
        ending = active_member(plan, coordinator, reviewer, manager, "Ana", "Alvarez", "91234567A")
        appealing = active_member(plan, coordinator, reviewer, manager, "Beto", "Baca", "92345678A")
    return {
        "plan": plan,
        "coordinator": coordinator,
        "reviewer": reviewer,
        "ending": ending,
        "appealing": appealing,
    }


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def run_the_discontinuation_job(plan) -> list[int]:
    with plan_scope(plan):
        return discontinuations_take_effect(plan=plan, actor=discontinuation_job(plan))


def status_of(request) -> str:
    with scopes_disabled():
        return AuthorizationRequest.objects.get(pk=request.pk).status


def discontinue(page, live_server, request, effective_on: date):
    """The reviewer decides the discontinuation on the request's page (DOMAIN 6: one of the four
    reasons; the notice at least 10 days before the effective date)."""
    page.goto(f"{live_server.url}/authorizations/{request.pk}/")
    decision = page.get_by_role("region", name="Discontinue")
    decision.get_by_label("Reason").select_option(index=1)
    decision.get_by_label("Effective date").fill(f"{effective_on:%Y-%m-%d}")
    decision.get_by_role("button", name="Discontinue").click()
    # DOMAIN 5.2: decided, not immediate: services go on until the effective date.
    expect(page.locator(".status-line")).to_have_text("Services active")
    expect(page.get_by_text(f"effective {effective_on:%Y-%m-%d}; services continue until then")).to_be_visible()


def capacity_cell(page, live_server):
    page.goto(f"{live_server.url}/providers/capacity/")
    grid = page.get_by_role("table", name="Capacity by county and Population of Focus")
    alameda = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Alameda"))
    return alameda.get_by_role("cell").nth(0)  # HOMELESS


def test_a_discontinuation_takes_effect_on_its_date_and_a_timely_appeal_keeps_services(page, live_server, world):
    plan, ending, appealing = world["plan"], world["ending"], world["appealing"]
    today = clocks.local_date(clocks.now())
    effective_on = today + timedelta(days=10)  # DOMAIN 5.3: the notice 10 calendar days before

    log_in(page, live_server, world["reviewer"])
    expect(capacity_cell(page, live_server)).to_contain_text("2 / 2")
    discontinue(page, live_server, ending, effective_on)
    discontinue(page, live_server, appealing, effective_on)
    log_out(page)

    # DOMAIN 5.3, 5.4: the second member appeals the discontinuation notice within 10 days.
    log_in(page, live_server, world["coordinator"])
    page.goto(f"{live_server.url}/authorizations/{appealing.pk}/")
    page.get_by_role("link", name="File an appeal").click()
    page.get_by_label("What the member disagrees with").fill("I still need my care manager.")
    page.get_by_role("button", name="Record the appeal").click()
    expect(page.get_by_text("while the appeal is pending (aid paid pending)")).to_be_visible()
    appeal_url = page.url
    log_out(page)

    # The day before the effective date: both members are still served (DOMAIN 5.2).
    assert run_the_discontinuation_job(plan) == []
    assert (status_of(ending), status_of(appealing)) == (Status.ACTIVE, Status.ACTIVE)

    day_after = datetime.combine(effective_on + timedelta(days=1), datetime.min.time(), clocks.LOCAL_ZONE)
    with time_machine.travel(day_after.replace(hour=9), tick=True):
        assert run_the_discontinuation_job(plan) == [ending.pk]
        log_in(page, live_server, world["reviewer"])
        page.goto(f"{live_server.url}/authorizations/{ending.pk}/")
        expect(page.locator(".status-line")).to_contain_text("Discontinued")
        page.goto(f"{live_server.url}/authorizations/{appealing.pk}/")
        expect(page.locator(".status-line")).to_have_text("Services active")
        expect(page.get_by_text("Discontinuation pending appeal")).to_be_visible()  # held by the timely appeal
        # DOMAIN 7: the ended assignment frees its place in the contract's capacity.
        expect(capacity_cell(page, live_server)).to_contain_text("1 / 2")

        # The reviewer overturns the appeal: the discontinuation is cancelled (DOMAIN 5.2).
        page.goto(appeal_url)
        page.get_by_label("Outcome").select_option("overturned")
        page.get_by_label("Resolution summary").fill("The member is still engaged.")
        page.get_by_role("button", name="Resolve…").click()
        page.get_by_role("button", name="Yes, resolve the appeal").click()
        expect(page.get_by_text("The appeal is resolved: overturned.")).to_be_visible()

        assert run_the_discontinuation_job(plan) == []
        assert status_of(appealing) == Status.ACTIVE
        page.goto(f"{live_server.url}/authorizations/{appealing.pk}/")
        expect(page.locator(".status-line")).to_have_text("Services active")
        request_card = page.get_by_role("region", name="Request", exact=True)
        expect(request_card).to_contain_text("Services active")
        expect(request_card).not_to_contain_text("Discontinu")  # cancelled
        expect(capacity_cell(page, live_server)).to_contain_text("1 / 2")


def test_a_member_no_provider_could_take_is_assigned_later_in_the_browser(page, live_server, world):
    # DOMAIN 7: an approved member with no provider waits on a worklist; once the plan
    # administrator raises the contract's capacity, a coordinator assigns them, records the Lead
    # Care Manager, and services start (DOMAIN 5.2: only with both).
    plan = world["plan"]
    with plan_scope(plan):
        member = enrolled_member(plan, first_name="Cruz", last_name="Castro", cin="93456789A")
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
        request = request_submit(
            plan=plan, actor=world["coordinator"], member=member, source=RequestSource.SELF_REFERRAL,
            requester_name="Self",
        )  # fmt: skip
        request = request_start_review(plan=plan, actor=world["reviewer"], request=request)
        request = request_approve(plan=plan, actor=world["reviewer"], request=request)
        assert open_assignment(plan=plan, member=member) is None  # the one contract is full
        administrator = MembershipFactory(plan=plan, role=Role.PLAN_ADMINISTRATOR).user

    log_in(page, live_server, administrator)
    page.goto(f"{live_server.url}/providers/")
    page.get_by_role("link", name="Eastbay Care Partners").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("ECM capacity", exact=True).fill("3")
    page.get_by_role("button", name="Save the terms").click()
    expect(page.get_by_text("The contract with Eastbay Care Partners is updated.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, world["coordinator"])
    page.get_by_role("link", name="Assignments", exact=True).click()
    page.get_by_role("link", name="Members awaiting a provider").click()
    waiting = (
        page.get_by_role("table", name="Members awaiting assignment").get_by_role("row").filter(has_text="Castro, Cruz")
    )
    expect(waiting).to_contain_text("0 days")
    waiting.get_by_role("button", name="Assign now").click()
    expect(page.get_by_text("Cruz Castro is assigned to Eastbay Care Partners; tell the provider.")).to_be_visible()
    page.get_by_role("combobox", name="Lead Care Manager").select_option(label="Lee Manager")
    page.get_by_role("button", name="Record the Lead Care Manager").click()
    expect(page.get_by_text("Lee Manager is the member's Lead Care Manager.")).to_be_visible()

    page.goto(f"{live_server.url}/authorizations/{request.pk}/")
    page.get_by_role("button", name="Start services").click()
    expect(page.locator(".status-line")).to_have_text("Services active")
