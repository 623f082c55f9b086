"""Authorization requests in a browser: a routine request from its start to approval and assignment,
and a denial to its Notice of Action (DOMAIN 5.1-5.3)."""

import re
from datetime import date
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from ecm_platform.tenancy.services import plan_create
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import EnrollmentPathway, OrganizationType
from providers.services import contract_create, organization_create
from tests.factories import PLAN_CONTACT, TEST_PASSWORD, MembershipFactory, activated, enrolled_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(reference_data):
    """A plan with a coordinator, a reviewer, an eligible homeless member and a contracted provider."""
    with scopes_disabled():
        plan = plan_create(
            code="browser-plan", name="Browser Health Plan", county_codes=["01"], actor=OPERATOR, **PLAN_CONTACT
        )
        member = enrolled_member(plan, first_name="Marisol", last_name="Vega", cin="91234567A")
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
            start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi="1234567893", tax_id="123456789", name="Eastbay Care Partners",
            organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        )  # fmt: skip
        activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
            pofs=[pof], capacity=10, start_date=date(2025, 1, 1),
        ))  # fmt: skip
        return {
            "member": member,
            "coordinator": MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user,
            "reviewer": MembershipFactory(plan=plan, role=Role.REVIEWER).user,
        }


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def review_first_request(page, live_server, reviewer):
    """The reviewer opens the worklist's first request and starts the review."""
    log_in(page, live_server, reviewer)
    page.get_by_role("link", name="Request worklist", exact=True).click()
    expect(page.get_by_role("heading", name="Authorization worklist")).to_be_visible()
    worklist = page.get_by_role("table", name="Open requests by due instant")
    expect(worklist.get_by_role("row").filter(has_text="Vega, Marisol")).to_contain_text("left")
    worklist.get_by_role("link", name=re.compile(r"^Request \d+$")).first.click()
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_text("The request is in review.")).to_be_visible()


def test_a_routine_request_from_the_worklist_to_approval_and_assignment(page, live_server, world):
    # DOMAIN 5.1: the plan identified the member; one click starts a routine request.
    log_in(page, live_server, world["coordinator"])
    page.goto(f"{live_server.url}/eligibility/worklist/?pof=HOMELESS")
    page.get_by_role("link", name="Vega, Marisol").click()
    expect(page.get_by_role("heading", name=re.compile("Marisol Vega"))).to_be_visible()
    expect(page.get_by_text("Eligible", exact=True)).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Start request Vega, Marisol").click()
    expect(page.get_by_text(re.compile(r"Request \d+ started for Marisol Vega\."))).to_be_visible()
    expect(page.get_by_text("Plan identification (e.g. the scan)")).to_be_visible()
    # Coordinators prepare; they see no decision buttons (DOMAIN 5.2).
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    log_out(page)

    # DOMAIN 5.2: the reviewer decides, with the eligibility evidence beside the buttons.
    review_first_request(page, live_server, world["reviewer"])
    evidence = page.get_by_role("region", name="Eligibility today")
    expect(evidence).to_contain_text("Eligible")
    expect(evidence).to_contain_text("experiencing homelessness")
    approve = page.get_by_role("region", name="Approve")
    approve.get_by_label("Explanation").fill("Meets the Homeless Population of Focus.")
    approve.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.", exact=True)).to_be_visible()
    expect(page.locator(".status")).to_have_text("Approved")
    # DOMAIN 7: approval assigns an ECM Provider.
    provider = page.get_by_role("region", name="ECM Provider")
    expect(provider).to_contain_text("Eastbay Care Partners")


def test_a_denial_to_its_notice_of_action(page, live_server, world, tmp_path):
    # DOMAIN 5.1: the member asks for ECM herself.
    member = world["member"]
    log_in(page, live_server, world["coordinator"])
    page.goto(f"{live_server.url}/authorizations/new/?member={member.pk}")
    page.get_by_label("Source").select_option("self_referral")
    page.get_by_label("Requester name").fill("Marisol Vega")
    page.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_text(re.compile("Request received: the decision is due"))).to_be_visible()
    log_out(page)

    # DOMAIN 5.2-5.3: a denial needs a reason code and a plain-language explanation, and gets a NOA.
    review_first_request(page, live_server, world["reviewer"])
    deny = page.get_by_role("region", name="Deny")
    deny.get_by_label("Reason code").select_option("insufficient_information")
    deny.get_by_label("Plain-language explanation").fill("We did not receive the records that show you need ECM.")
    deny.get_by_role("button", name="Deny").click()
    expect(page.get_by_text("Denied.", exact=True)).to_be_visible()
    notices = page.get_by_role("table", name="Notices of Action")
    expect(notices.get_by_role("cell", name="Denial")).to_be_visible()

    notices.get_by_role("link", name="Preview").click()
    expect(page.get_by_text("Marisol Vega").first).to_be_visible()
    expect(page.get_by_text("We did not receive the records that show you need ECM.")).to_be_visible()
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("table", name="Notices of Action").get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert re.fullmatch(r"notice-\d+-denial-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    saved = Path(tmp_path) / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
