"""The closed loop of issue 18 in a browser (DOMAIN 9, 11): a shelter refers a member for Housing
Transition Navigation (the coordinator enters what it sent), the plan authorizes it, the provider
accepts and starts the service, the provider's invoice line becomes an encounter (the coordinator
converts it: the provider sends no claims), the provider closes the loop "services received", and
the shelter has its three notices — the decision (the DOMAIN 5.3 requester notice, counted once),
the assignment and the closure — by email, each recorded on the referral's page."""

from datetime import date

import pytest
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from authorizations.services import request_approve, request_start_review
from benefits.models import CatalogueService, Election
from community_supports.models import Referral
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, ProviderRole, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import plan_create
from eligibility.models import PopulationOfFocus
from encounters.models import Encounter
from providers.models import EnrollmentPathway, OrganizationType
from providers.services import contract_create, organization_create
from providers.staff import provider_membership_create
from tests.factories import PLAN_CONTACT, TEST_PASSWORD, MembershipFactory, UserFactory, activated, enrolled_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAVIGATION = "housing-transition-navigation"
SHELTER = "intake@hope-shelter.example.org"


@pytest.fixture
def world(reference_data):
    """The plan offers housing navigation in county 01 and contracts Eastbay Housing Partners for it."""
    with scopes_disabled():
        plan = plan_create(
            code="loop-plan", name="Loop Health Plan", county_codes=["01"], actor=OPERATOR, **PLAN_CONTACT
        )
        navigation = CatalogueService.objects.get(code=NAVIGATION)
        Election.objects.create(
            plan=plan, county=County.objects.get(code="01"), service=navigation, effective_from=date(2026, 1, 1),
            created_at=clocks.now(),
        )  # fmt: skip
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi="1234567893", tax_id="123456789", name="Eastbay Housing Partners",
            organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
        )  # fmt: skip
        activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": navigation, "capacity": 5}], start_date=date(2025, 1, 1),
        ))  # fmt: skip
        provider_staff = provider_membership_create(
            actor=OPERATOR, organization=organization, user=UserFactory(), role=ProviderRole.CARE_MANAGER
        ).user
        return {
            "plan": plan,
            "organization": organization,
            "coordinator": MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user,
            "reviewer": MembershipFactory(plan=plan, role=Role.REVIEWER).user,
            "provider_staff": provider_staff,
            "member": enrolled_member(plan, first_name="Rosa", last_name="Reyes", cin="93456789A", email=""),
        }


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_shelters_referral_is_tracked_to_its_closure_and_the_shelter_told_three_times(page, live_server, world):
    mail.outbox.clear()
    log_in(page, live_server, world["coordinator"])
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Record a referral").click()
    page.get_by_label("Member").fill(world["member"].cin)
    page.get_by_label("Service").select_option(NAVIGATION)
    page.get_by_label("Provider referred to").select_option(str(world["organization"].pk))
    page.get_by_label("Who referred").select_option("shelter")
    page.get_by_label("Referring entity's name").fill("Hope Shelter")
    page.get_by_label("Referring entity's email").fill(SHELTER)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("heading", name="Referral of Rosa Reyes for Housing Transition Navigation")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    with scopes_disabled():
        referral = Referral.objects.get()
    with plan_scope(world["plan"]):  # the reviewer authorizes the request the referral opened
        request = request_start_review(plan=world["plan"], actor=world["reviewer"], request=referral.request)
        request_approve(
            plan=world["plan"], actor=world["reviewer"], request=request,
            criteria_met=request.service.eligibility_criteria, preferred_organization=world["organization"],
        )  # fmt: skip

    log_in(page, live_server, world["provider_staff"])
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Reyes, Rosa").click()
    accept = page.get_by_role("form", name="Accept")
    accept.get_by_label("Provider contact").fill("(510) 555-0100")
    accept.get_by_role("button", name="Accept").click()
    page.get_by_role("form", name="Start-service").get_by_role("button", name="Record the start").click()
    expect(page.get_by_text("Service started").first).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, world["coordinator"])
    page.get_by_role("link", name="Encounters").click()
    page.get_by_role("link", name="Record one invoice line").click()
    today = clocks.local_date(clocks.now()).isoformat()
    for label, value in [
        ("Provider NPI", world["organization"].npi), ("Invoice number", "EHP-1001"), ("Line number", "1"),
        ("Member CIN", world["member"].cin), ("First day of service", today), ("HCPCS code", "H0043"),
        ("Modifier 1", "U6"), ("Units", "1"),
    ]:  # fmt: skip
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", name="Housing Transition Navigation")).to_be_visible()
    expect(page.get_by_text("Recorded.")).to_be_visible()
    with scopes_disabled():
        encounter = Encounter.objects.select_related("service").get()
    assert (encounter.member_id, encounter.service.code, encounter.in_person) == (world["member"].pk, NAVIGATION, True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, world["provider_staff"])
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Reyes, Rosa").click()
    close = page.get_by_role("form", name="Close")
    close.get_by_label("Reason").select_option("services_received")
    close.get_by_role("button", name="Close").click()
    expect(page.get_by_text("Closed").first).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, world["coordinator"])
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    notices = page.get_by_role("table", name="The notices of the referral's events")
    for event in ("Authorized (the 5.3 decision notice)", "Assigned to the provider", "Loop closed"):
        expect(notices.get_by_role("row").filter(has_text=event).filter(has_text=SHELTER)).to_have_count(1)
    to_shelter = [message for message in mail.outbox if message.to == [SHELTER]]
    assert len(to_shelter) == 3, [message.subject for message in to_shelter]
    assert "approved" in to_shelter[0].body.lower()
    assert "Eastbay Housing Partners accepted it" in to_shelter[1].body
    assert "is closed: Services received." in to_shelter[2].body
