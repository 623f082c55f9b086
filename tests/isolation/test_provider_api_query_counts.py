"""Every provider API list and detail (/api/v1/provider/) costs at most 8 queries, the same for one
row as for many (issue 15: "at most 8 queries per API request, constant in page size"), for a
provider administrator's key: the key lookup, the contracting plans, the page, its prefetches and
the PHI access log's write.
"""

from django_scopes import scopes_disabled

from ecm_platform.api.urls import router
from ecm_platform.tenancy.models import HealthPlan, ProviderRole
from tests.conftest import module_row_copies
from tests.isolation import specs_community_supports, specs_encounters, specs_outreach_pages, specs_referrals
from tests.isolation import test_provider_isolation as provider_harness
from tests.isolation.test_api_query_counts import costs

# Xavier, Yolo and their plans (test_provider_isolation's world, built once for this module too).
module_rows = provider_harness.module_rows
(world,) = module_row_copies("world")

BUDGET = 8
MANY = 2  # Xavier's plan A contract has room for 9 members: 2 at first, 2 per round of growth

# Every provider API GET list and detail, with Xavier's own objects ({name} from the world's "own").
PROVIDER_PATHS = {
    "provider-member-list": "/api/v1/provider/members/",
    "provider-member-detail": "/api/v1/provider/members/{member}/",
    "provider-assignment-list": "/api/v1/provider/assignments/",
    "provider-staff-list": "/api/v1/provider/staff/",
    "provider-api-key-list": "/api/v1/provider/api-keys/",
    "provider-api-key-detail": "/api/v1/provider/api-keys/{api_key}/",
    "provider-decision-list": "/api/v1/provider/decisions/",
    "provider-outreach-engagement-list": "/api/v1/provider/outreach/engagements/",
    "provider-outreach-engagement-detail": "/api/v1/provider/outreach/engagements/{engagement}/",
    "provider-outreach-attempt-list": "/api/v1/provider/outreach/attempts/",
    "provider-authorization-list": "/api/v1/provider/authorizations/",
    "provider-authorization-detail": "/api/v1/provider/authorizations/{cs_request}/",
    "provider-community-supports-delivery-list": "/api/v1/provider/community-supports/deliveries/",
    "provider-referral-list": "/api/v1/provider/referrals/",
    "provider-referral-detail": "/api/v1/provider/referrals/{referral}/",
    "provider-encounter-list": "/api/v1/provider/encounters/",
    "provider-encounter-detail": "/api/v1/provider/encounters/{encounter}/",
}
EXTRA_PATHS = ["/api/v1/provider/members/?plan=plan-a"]


def grow(world, start, count):
    """`count` more of Xavier's assignments (each with its outreach and a respite placement with a
    delivery), presumptive starts (decisions), logins and keys."""
    with scopes_disabled():
        plan_a = HealthPlan.objects.get(code="plan-a")
        for number in range(start, start + count):
            assignment = provider_harness.assigned(plan_a, world["xavier"], f"More{number}")
            specs_outreach_pages.outreach_world(plan_a, assignment.member, f"More{number}")
            placed = specs_community_supports.placement_world(
                plan_a, world["xavier"], assignment.member, f"More{number}"
            )
            specs_referrals.referral_for(placed, f"More{number}")
            specs_encounters.encounter_for(plan_a, assignment.member, world["xavier"], f"More{number}")
            provider_harness.presumptive(plan_a, world["xavier"], f"Started{number}")
            colleague = provider_harness.staff(world["xavier"], ProviderRole.CARE_MANAGER)
            provider_harness.key(colleague, f"more {number}")


def test_every_provider_api_list_and_detail_is_in_the_table():
    """A new provider list or detail route that answers GET must join PROVIDER_PATHS, and so its
    query budget (the presumptive starts' list route only takes POST)."""
    routes = {
        url.name
        for url in router.urls
        if url.name.startswith("provider-")
        and url.name.endswith(("-list", "-detail"))
        and "provider/" in str(url.pattern)
        and "get" in url.callback.actions
    }
    assert routes - set(PROVIDER_PATHS) == set()


def test_provider_api_lists_and_details_cost_at_most_8_queries_whatever_the_rows(world):
    client = provider_harness.key_client(world["xavier_admin"])
    paths = [template.format(**world["own"]) for template in [*PROVIDER_PATHS.values(), *EXTRA_PATHS]]
    grow(world, 0, 1)
    few = costs(client, paths)
    grow(world, 1, MANY)
    many = costs(client, paths)
    over = {path: count for path, count in many.items() if count > BUDGET}
    changed = {path: (few[path], many[path]) for path in paths if few[path] != many[path]}
    assert (over, changed) == ({}, {})
