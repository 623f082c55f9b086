"""Every plan API list and detail costs at most 8 queries, the same for one row as for many (issue 15:
"at most 8 queries per API request, constant in page size"), and on PostgreSQL the lists that grow
with the plan are served by an index (keyset pages, ARCHITECTURE.md, API).

The queries counted are every statement of the request: the key lookup, the page, its prefetches
and the PHI access log's write (its BEGIN and COMMIT included).
"""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.api.urls import router
from ecm_platform.calendars.services import holiday_create
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.services import api_key_issue
from providers.models import Contract
from tests.conftest import module_row_copies
from tests.factories import enrolled_member
from tests.isolation import (
    specs_community_supports,
    specs_encounters,
    specs_outreach_pages,
    specs_referrals,
    test_isolation,
)
from tests.isolation.test_isolation import authorization_world
from tests.isolation.test_query_counts import grow, grow_awaiting, grow_network

# Plan A with one object of every kind (test_isolation's world, built once for this module too).
module_rows = test_isolation.module_rows
plan_a, admin_a, plan_a_world = module_row_copies("plan_a", "admin_a", "plan_a_world")

BUDGET = 8
MANY = 6

# Every plan API list and detail route, with the URL that reaches one of plan A's objects
# ({name} from test_isolation.objects_of). The provider API (/api/v1/provider/) is its own axis.
PLAN_ROUTES = {
    "county-list": "/api/v1/counties/",
    "county-detail": "/api/v1/counties/01/",
    "membership-list": "/api/v1/memberships/",
    "membership-detail": "/api/v1/memberships/{membership}/",
    "api-key-list": "/api/v1/api-keys/",
    "api-key-detail": "/api/v1/api-keys/{api_key}/",
    "holiday-list": "/api/v1/holidays/",
    "holiday-detail": "/api/v1/holidays/{holiday}/",
    "notification-list": "/api/v1/notifications/",
    "notification-detail": "/api/v1/notifications/{notification}/",
    "deadline-list": "/api/v1/deadlines/",
    "member-list": "/api/v1/members/",
    "member-detail": "/api/v1/members/{member}/",
    "program-list": "/api/v1/programs/",
    "program-detail": "/api/v1/programs/cbas/",
    "program-enrollment-list": "/api/v1/program-enrollments/",
    "program-enrollment-detail": "/api/v1/program-enrollments/{program_enrollment}/",
    "pof-list": "/api/v1/pofs/",
    "pof-detail": "/api/v1/pofs/HOMELESS/",
    "determination-list": "/api/v1/determinations/",
    "determination-detail": "/api/v1/determinations/{determination}/",
    "utilization-event-list": "/api/v1/utilization-events/",
    "utilization-event-detail": "/api/v1/utilization-events/{event}/",
    "scan-list": "/api/v1/scans/",
    "scan-detail": "/api/v1/scans/{scan}/",
    "provider-change-request-list": "/api/v1/provider-change-requests/",
    "provider-change-request-detail": "/api/v1/provider-change-requests/{change_request}/",
    "provider-organization-list": "/api/v1/provider-organizations/",
    "provider-organization-detail": "/api/v1/provider-organizations/{organization}/",
    "contract-list": "/api/v1/contracts/",
    "contract-detail": "/api/v1/contracts/{contract}/",
    "care-manager-list": "/api/v1/care-managers/",
    "care-manager-detail": "/api/v1/care-managers/{care_manager}/",
    "assignment-list": "/api/v1/assignments/",
    "assignment-detail": "/api/v1/assignments/{assignment}/",
    "awaiting-assignment-list": "/api/v1/awaiting-assignments/",
    "awaiting-assignment-detail": "/api/v1/awaiting-assignments/{awaiting}/",
    "authorization-list": "/api/v1/authorizations/",
    "authorization-detail": "/api/v1/authorizations/{request}/",
    "notice-list": "/api/v1/notices/",
    "notice-detail": "/api/v1/notices/{notice}/",
    "appeal-list": "/api/v1/appeals/",
    "appeal-detail": "/api/v1/appeals/{appeal}/",
    "grievance-list": "/api/v1/grievances/",
    "grievance-detail": "/api/v1/grievances/{grievance}/",
    "outreach-engagement-list": "/api/v1/outreach/engagements/",
    "outreach-engagement-detail": "/api/v1/outreach/engagements/{engagement}/",
    "outreach-attempt-list": "/api/v1/outreach/attempts/",
    "outreach-attempt-detail": "/api/v1/outreach/attempts/{attempt}/",
    "outreach-measure-run-list": "/api/v1/outreach/measure-runs/",
    "outreach-measure-run-detail": "/api/v1/outreach/measure-runs/{measure_run}/",
    "community-supports-election-list": "/api/v1/community-supports/elections/",
    "community-supports-election-detail": "/api/v1/community-supports/elections/{election}/",
    "community-supports-clock-list": "/api/v1/community-supports/clocks/",
    "community-supports-clock-detail": "/api/v1/community-supports/clocks/respite/",
    "community-supports-delivery-list": "/api/v1/community-supports/deliveries/",
    "community-supports-delivery-detail": "/api/v1/community-supports/deliveries/{delivery}/",
    "referral-list": "/api/v1/referrals/",
    "referral-detail": "/api/v1/referrals/{referral}/",
    "catalogue-service-list": "/api/v1/catalogue/services/",
    "catalogue-service-detail": "/api/v1/catalogue/services/respite/",
    "encounter-list": "/api/v1/encounters/",
    "encounter-detail": "/api/v1/encounters/{encounter}/",
    "column-map-list": "/api/v1/column-maps/",
    "column-map-detail": "/api/v1/column-maps/invoice/",
}
# The worklist and the searches the benchmark drives (issue 15), and a member's eligibility (DOMAIN 3-4).
EXTRA_PATHS = [
    "/api/v1/members/{member}/eligibility/",
    "/api/v1/authorizations/?is_open=true",
    "/api/v1/members/?name=Example",
    "/api/v1/members/?cin={member_cin}",
    "/api/v1/me/",
]


def grow_everything(plan, admin, start, count):
    """`count` more rows of every kind the routes list (numbered from `start`)."""
    with scopes_disabled():
        grow(plan, admin, count)
        grow_network(plan, count)
        grow_awaiting(plan, count)
        specs_outreach_pages.outreach_grow(plan)  # the new organizations' assigned members
        provider = Contract.objects.filter(plan=plan).first().organization
        for number in range(start, start + count):
            authorization_world(plan, enrolled_member(plan), f"More {number}")
            placed = specs_community_supports.placement_world(plan, provider, enrolled_member(plan), f"More {number}")
            specs_referrals.referral_for(placed, f"More {number}")
            specs_encounters.encounter_for(plan, enrolled_member(plan), provider, f"More {number}")
            holiday_create(plan=plan, day=date(2026, 3, 2) + timedelta(weeks=number), name="Closure", actor=OPERATOR)
            api_key_issue(
                plan=plan, membership=admin, name=f"more {number}", expires_at=clocks.now() + timedelta(days=9),
                actor=OPERATOR,
            )  # fmt: skip


def costs(client, paths):
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        counts[path] = len(captured)
    return counts


def test_every_plan_api_list_and_detail_is_in_the_table():
    """A new list or detail route must join PLAN_ROUTES, and so its query budget."""
    routes = {url.name for url in router.urls if url.name.endswith(("-list", "-detail"))}
    provider_api = {name for name in routes if name.startswith("provider-") and "/provider/" in _pattern(name)}
    assert routes - provider_api - set(PLAN_ROUTES) == set()


def _pattern(name):
    return next(str(url.pattern) for url in router.urls if url.name == name).replace("^", "/")


def test_plan_api_lists_and_details_cost_at_most_8_queries_whatever_the_rows(
    plan_a, admin_a, plan_a_world, make_api_client
):
    client = make_api_client(admin_a)
    paths = [template.format(**plan_a_world) for template in [*PLAN_ROUTES.values(), *EXTRA_PATHS]]
    grow_everything(plan_a, admin_a, 0, 1)  # a name search's first match
    few = costs(client, paths)
    grow_everything(plan_a, admin_a, 1, MANY)
    many = costs(client, paths)
    over = {path: count for path, count in many.items() if count > BUDGET}
    changed = {path: (few[path], many[path]) for path in paths if few[path] != many[path]}
    assert (over, changed) == ({}, {})
