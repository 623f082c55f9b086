"""The world of the closed-loop referral tests (DOMAIN 9): the plan offers Housing Transition
Navigation and Sobering Centers in county 01 and contracts Bayside for both; a shelter refers by
email; the member has an email address. Requests go through the real lifecycle."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from authorizations.services import request_approve, request_deny, request_start_review
from benefits.models import CatalogueService, Election
from community_supports.referral_models import ReferrerKind
from community_supports.referral_services import referral_record
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from eligibility.models import PopulationOfFocus
from providers.services import contract_create
from providers.staff import provider_membership_create
from tests.factories import UserFactory, activated, enrolled_member
from tests.providers.test_assignments import organization

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, 10, tzinfo=LA)  # referrals are sent that day
NAVIGATION, SOBERING = "housing-transition-navigation", "sobering-centers"
SHELTER_EMAIL = "intake@hope-shelter.example.org"


def service(code) -> CatalogueService:
    return CatalogueService.objects.get(code=code)


def staff_of(plan, org, role=ProviderRole.CARE_MANAGER) -> Principal:
    login = provider_membership_create(actor=OPERATOR, organization=org, user=UserFactory(), role=role)
    return Principal.of_provider_membership(login, plan_ids=[plan.pk])


def contract_for(plan, org, codes):
    return activated(
        contract_create(
            plan=plan, actor=OPERATOR, organization=org, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": service(code), "capacity": 5} for code in codes], start_date=date(2025, 1, 1),
        )
    )  # fmt: skip


def referral_world(plan, make_membership):
    for code in (NAVIGATION, SOBERING):
        Election.objects.create(
            plan=plan, county=County.objects.get(code="01"), service=service(code),
            effective_from=date(2026, 1, 1), created_at=clocks.now(),
        )  # fmt: skip
    bayside, harbor = organization(plan, 0), organization(plan, 1)
    contract_for(plan, bayside, [NAVIGATION, SOBERING])
    contract_for(plan, harbor, [NAVIGATION])
    return SimpleNamespace(
        plan=plan,
        coordinator=make_membership(plan, Role.CARE_COORDINATOR).user,
        reviewer=make_membership(plan, Role.REVIEWER).user,
        bayside=bayside,
        harbor=harbor,
        bayside_staff=staff_of(plan, bayside),
        member=enrolled_member(plan, email="member@example.org"),
    )


def shelter_referral(world, *, at=MONDAY, code=NAVIGATION, organization=None, **fields):
    """Hope Shelter refers the member to Bayside (or `organization`), by email, as the coordinator enters it."""
    with clocks.frozen(at):
        return referral_record(
            plan=world.plan, actor=world.coordinator, member=world.member, service=service(code),
            organization=organization or world.bayside, referrer_kind=ReferrerKind.SHELTER, referrer_name="Hope Shelter",
            referrer_email=SHELTER_EMAIL, **fields,
        )  # fmt: skip


def approve(world, request, at=MONDAY):
    with clocks.frozen(at):
        request = request_start_review(plan=world.plan, actor=world.reviewer, request=request)
        return request_approve(
            plan=world.plan, actor=world.reviewer, request=request, criteria_met=request.service.eligibility_criteria,
            preferred_organization=world.bayside,
        )  # fmt: skip


def deny(world, request, at=MONDAY, **fields):
    with clocks.frozen(at):
        request = request_start_review(plan=world.plan, actor=world.reviewer, request=request)
        return request_deny(plan=world.plan, actor=world.reviewer, request=request, **fields)
