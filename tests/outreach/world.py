"""Builders and fixtures of the outreach service tests (DOMAIN 8): a plan's coordinator and
reviewer, a contracted ECM Provider and its staff, a member the plan identified, and a member
approved and assigned. Everything goes through the apps' services; import the fixtures by name."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from authorizations.models import AuthorizationRequest, RequestSource
from authorizations.services import request_approve, request_start_review, request_submit
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from outreach.models import Engagement
from outreach.targets import targets_sync
from providers.models import EnrollmentPathway, OrganizationType
from providers.selectors import open_assignment
from providers.services import (
    assignment_set_lead_care_manager,
    care_manager_add,
    contract_create,
    organization_create,
)
from providers.staff import provider_membership_create
from tests.conftest import membership_of
from tests.factories import UserFactory, activated, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)  # the Monday before Thanksgiving 2026
NPIS = ["1234567893", "1245319599", "1679576722"]


def organization_of(plan, npi=NPIS[0], name="Eastbay ECM"):
    """An activated ECM contract for HOMELESS members in county 01."""
    organization = organization_create(
        plan=plan, actor=OPERATOR, npi=npi, tax_id="123456789", name=name,
        organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
    )  # fmt: skip
    activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2025, 1, 1),
    ))  # fmt: skip
    return organization


def staff_of(plan, organization, role=ProviderRole.OUTREACH_STAFF):
    login = provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)
    return Principal.of_provider_membership(login, plan_ids=[plan.pk])


def identified_member(plan, start=date(2026, 11, 2)):
    """DOMAIN 8: an open POF determination, no request."""
    member = enrolled_member(plan)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=start,
        criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    return member


def approved_member(plan, coordinator, reviewer, at=MONDAY):
    """DOMAIN 8: approved and assigned (to the plan's one provider taking HOMELESS in 01)."""
    member = identified_member(plan)
    with clocks.frozen(at):
        request = request_submit(plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL)
        request = request_start_review(plan=plan, actor=reviewer, request=request)
        request_approve(plan=plan, actor=reviewer, request=request)
    return AuthorizationRequest.objects.get(pk=request.pk)


def lead_care_manager_named(plan, member):
    assignment = open_assignment(plan=plan, member=member)
    care_manager = care_manager_add(plan=plan, actor=OPERATOR, organization=assignment.organization, name="Lee Park")
    assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=care_manager, actor=OPERATOR)


def synced(plan, at=MONDAY) -> dict:
    with clocks.frozen(at):
        return targets_sync(plan=plan)


def engagement_of(plan, member, **filters) -> Engagement:
    return Engagement.objects.get(plan=plan, member=member, **filters)


@pytest.fixture(name="coordinator")
def coordinator_fixture(plan_a):
    return membership_of(plan_a, Role.CARE_COORDINATOR).user


@pytest.fixture(name="reviewer")
def reviewer_fixture(plan_a):
    return membership_of(plan_a, Role.REVIEWER).user


@pytest.fixture(name="provider")
def provider_fixture(plan_a):
    return organization_of(plan_a)


@pytest.fixture(name="provider_staff")
def provider_staff_fixture(plan_a, provider):
    return staff_of(plan_a, provider)


@pytest.fixture(name="at_monday")
def at_monday_fixture():
    with clocks.frozen(MONDAY):
        yield MONDAY
