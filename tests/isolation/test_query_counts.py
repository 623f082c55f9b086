"""Every list endpoint runs the same number of queries for 1 and for 30 rows (no query per row)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from members.models import Program
from members.services import program_enrollment_add
from tests.factories import EventFactory, MembershipFactory, activated, enrolled_member

LISTS = [
    "/api/v1/members/",
    "/api/v1/program-enrollments/",
    "/api/v1/determinations/",
    "/api/v1/utilization-events/",
    "/api/v1/scans/",
    "/api/v1/memberships/",
    "/api/v1/api-keys/",
    "/api/v1/holidays/",
    "/api/v1/notifications/",
]


def grow(plan, admin, count):
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    for _ in range(count):
        member = enrolled_member(plan)
        EventFactory(member=member, service_date=date(2026, 5, 4) + timedelta(days=count))
        program_enrollment_add(
            plan=plan,
            member=member,
            program=Program.objects.get(code="cbas"),
            start_date=date(2025, 1, 1),
            actor=OPERATOR,
        )
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=date(2025, 1, 1),
            criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
        MembershipFactory(plan=plan)
        notification_send(plan=plan, recipient=admin.user, text="Note")


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_list_endpoints_do_not_query_per_row(path, plan_a, admin_a, make_api_client):
    client = make_api_client(admin_a)
    with scopes_disabled():
        grow(plan_a, admin_a, 1)
    few = queries(client, path)
    with scopes_disabled():
        grow(plan_a, admin_a, 29)
    assert queries(client, path) == few


@pytest.mark.parametrize(
    "path", ["/members/?name=Member", "/eligibility/worklist/?pof=HOMELESS", "/eligibility/scans/", "/notifications/"]
)
def test_list_pages_do_not_query_per_row(path, client, plan_a, admin_a):
    client.force_login(admin_a.user)
    with scopes_disabled():
        grow(plan_a, admin_a, 1)
    queries(client, path)  # the first request after login also writes the session
    with clocks.frozen(clocks.now()):  # nor later ones (activity is recorded at most every 5 s)
        few = queries(client, path)
        with scopes_disabled():
            grow(plan_a, admin_a, 29)
        assert queries(client, path) == few


def test_the_role_does_not_matter_for_query_counts(plan_a, make_membership, make_api_client):
    client = make_api_client(make_membership(plan_a, Role.REVIEWER))
    assert queries(client, "/api/v1/members/") == queries(client, "/api/v1/members/")


# --- The provider network (DOMAIN 7) --------------------------------------------------------------

PROVIDER_LISTS = [
    "/api/v1/provider-organizations/",
    "/api/v1/contracts/",
    "/api/v1/care-managers/",
    "/api/v1/assignments/",
    "/api/v1/provider-change-requests/",
    "/api/v1/deadlines/",  # the assignments' provider and PCP clocks (the plan administrator's)
]
PROVIDER_PAGES = ["/providers/", "/providers/capacity/", "/providers/assignments/", "/deadlines/"]


def grow_network(plan, count):
    """`count` more organizations, each with a contract, a care manager, an assigned member (with
    its Lead Care Manager) and a change request."""
    from stdnum import luhn

    from ecm_platform import clocks
    from ecm_platform.tenancy.models import County
    from providers.models import ProviderOrganization
    from providers.services import (
        assignment_assign,
        assignment_set_lead_care_manager,
        care_manager_add,
        contract_create,
        organization_create,
        provider_change_request,
    )

    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    start = ProviderOrganization.objects.count()
    for number in range(start, start + count):
        stem = f"1{number:08d}"
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi=stem + luhn.calc_check_digit("80840" + stem), tax_id=f"{number:09d}",
            name=f"Provider {number}", organization_type="cbo", enrollment_pathway="mcp_vetting",
            counties=list(County.objects.filter(code="01")), pof_experience=[pof],
        )  # fmt: skip
        activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code__in=["01", "07"])),
            pofs=[pof], capacity=1, start_date=date(2025, 1, 1),
        ))  # fmt: skip
        manager = care_manager_add(plan=plan, actor=OPERATOR, organization=organization, name=f"Manager {number}")
        member = enrolled_member(plan, pcp_npi="1003000126")
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=date(2025, 1, 1),
            criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
        with clocks.frozen(clocks.start_of_day(date(2026, 11, 20))):
            assignment = assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR)
        assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=manager, actor=OPERATOR)
        provider_change_request(
            plan=plan, member=member, organization=organization, requested_on=date(2026, 11, 21), actor=OPERATOR
        )


@pytest.mark.parametrize("path", PROVIDER_LISTS)
def test_provider_list_endpoints_do_not_query_per_row(path, plan_a, admin_a, make_api_client):
    client = make_api_client(admin_a)
    with scopes_disabled():
        grow_network(plan_a, 1)
    few = queries(client, path)
    with scopes_disabled():
        grow_network(plan_a, 29)
    assert queries(client, path) == few


@pytest.mark.parametrize("path", PROVIDER_PAGES)
def test_provider_pages_do_not_query_per_row(path, client, plan_a, admin_a):
    client.force_login(admin_a.user)
    with scopes_disabled():
        grow_network(plan_a, 1)
    queries(client, path)  # the first request after login also writes the session
    with clocks.frozen(clocks.now()):  # nor later ones (activity is recorded at most every 5 s)
        few = queries(client, path)
        with scopes_disabled():
            grow_network(plan_a, 29)
        assert queries(client, path) == few


def grow_awaiting(plan, count):
    """`count` more members authorized while no provider has a place: the awaiting list (DOMAIN 7)."""
    from ecm_platform import clocks
    from providers.services import assignment_request

    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    for _ in range(count):
        member = enrolled_member(plan)
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=date(2025, 1, 1),
            criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
        with clocks.frozen(clocks.start_of_day(date(2026, 11, 20))):
            assert (
                assignment_request(plan=plan, actor=OPERATOR, member=member, authorized_on=date(2026, 11, 20)) is None
            )


def test_the_awaiting_assignment_page_does_not_query_per_row(client, plan_a, admin_a):
    """Each waiting member's row offers the plan's contracted organizations: read once per page."""
    client.force_login(admin_a.user)
    with scopes_disabled():
        grow_network(plan_a, 2)  # every place taken
        grow_awaiting(plan_a, 1)
    queries(client, "/providers/awaiting/")  # the first request after login also writes the session
    with clocks.frozen(clocks.now()):  # nor later ones (activity is recorded at most every 5 s)
        few = queries(client, "/providers/awaiting/")
        with scopes_disabled():
            grow_awaiting(plan_a, 20)
        assert queries(client, "/providers/awaiting/") == few
