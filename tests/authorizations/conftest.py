"""Shared authorization fixtures: the people who prepare and decide requests, an eligible member, a
contracted ECM Provider and a request factory. Built with scopes disabled (tests/conftest.py);
test bodies enter a plan's scope where they query."""

from datetime import UTC, date, datetime

import pytest
from django_scopes import scopes_disabled

from authorizations.models import RequestSource, Urgency
from authorizations.services import request_start_review, request_submit
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import EnrollmentPathway, OrganizationType
from providers.services import contract_create, organization_create
from tests.authorizations import helpers
from tests.factories import activated, enrolled_member

# A Monday morning in Los Angeles, after the county go-live dates and inside every contract.
MONDAY = datetime(2026, 11, 16, 18, tzinfo=UTC)
VALID_NPIS = ["1234567893", "1245319599", "1679576722", "1003000126"]


@pytest.fixture
def coordinator_a(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR)


@pytest.fixture
def reviewer_a(plan_a, make_membership):
    return make_membership(plan_a, Role.REVIEWER)


@pytest.fixture
def make_eligible_member(db):
    """A member enrolled since 2020 in county 01 with an open HOMELESS determination (eligible)."""

    def make(plan, **fields):
        with scopes_disabled():
            member = enrolled_member(plan, **fields)
            pof = PopulationOfFocus.objects.get(code="HOMELESS")
            determination_record(
                plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
                start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
            )  # fmt: skip
            return member

    return make


@pytest.fixture
def eligible_member_a(plan_a, make_eligible_member):
    return make_eligible_member(plan_a)


@pytest.fixture
def make_provider(db):
    """A contracted, presumptive-capable ECM Provider serving HOMELESS members in county 01."""

    def make(plan, npi=VALID_NPIS[0], capacity=10, **contract_fields):
        with scopes_disabled():
            organization = organization_create(
                plan=plan, actor=OPERATOR, npi=npi, tax_id="123456789", name=f"Provider {npi}",
                organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
            )  # fmt: skip
            activated(
                contract_create(
                    plan=plan,
                    actor=OPERATOR,
                    organization=organization,
                    counties=list(County.objects.filter(code="01")),
                    pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
                    capacity=capacity,
                    start_date=date(2025, 1, 1),
                    is_presumptive_capable=contract_fields.pop("is_presumptive_capable", True),
                    **contract_fields,
                )
            )
            return organization

    return make


@pytest.fixture
def provider_a(plan_a, make_provider):
    return make_provider(plan_a)


@pytest.fixture
def make_request(db):
    """Submit a request through the service at `at` (default MONDAY) by a care coordinator."""

    def make(plan, actor, member, at=MONDAY, source=RequestSource.SELF_REFERRAL, urgency=Urgency.ROUTINE, **fields):
        with scopes_disabled(), clocks.frozen(at):
            return request_submit(
                plan=plan, actor=actor, member=member, source=source, urgency=urgency, received_at=at, **fields
            )

    return make


# The lifecycle tests' people, provider and member (tests/authorizations/helpers.py has their helpers).


@pytest.fixture
def coordinator(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR).user


@pytest.fixture
def reviewer(plan_a, make_membership):
    return make_membership(plan_a, Role.REVIEWER).user


@pytest.fixture
def provider(plan_a):
    """Eastbay ECM: an activated, presumptive-capable contract for HOMELESS members in county 01, capacity 5."""
    organization = organization_create(
        plan=plan_a, actor=OPERATOR, npi="1234567893", tax_id="123456789", name="Eastbay ECM",
        organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
    )  # fmt: skip
    activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2025, 1, 1),
        is_presumptive_capable=True,
    ))  # fmt: skip
    return organization


@pytest.fixture
def member(plan_a):
    return helpers.homeless_member(plan_a)


@pytest.fixture
def at_monday():
    """Frozen at helpers.MONDAY, the Monday before Thanksgiving 2026."""
    with clocks.frozen(helpers.MONDAY):
        yield helpers.MONDAY


# The API tests' clients and request (tests/authorizations/api_helpers.py has their helpers).


@pytest.fixture
def coordinator_api(coordinator_a, make_api_client):
    return make_api_client(coordinator_a)


@pytest.fixture
def reviewer_api(reviewer_a, make_api_client):
    return make_api_client(reviewer_a)


@pytest.fixture
def under_review(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request):
    """A self-referral received on MONDAY and put in review."""
    request = make_request(plan_a, coordinator_a.user, eligible_member_a)
    with scopes_disabled(), clocks.frozen(MONDAY):
        return request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
