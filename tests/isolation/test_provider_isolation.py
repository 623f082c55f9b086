"""The isolation harness, provider dimension (issue 13; ARCHITECTURE.md, Tenancy): provider X's
staff, of every provider role, act against provider Y's objects and plan B's members on every
provider API operation, and against every plan route.

Xavier is contracted by plan A only (its plan B contracts, ECM and respite, have ended, though the member plan B
assigned there is still open, awaiting reassignment); Yolo by plans A and B. Yolo's members and key
carry MARKER. Foreign objects are 404 where X's own would be 200 (403 where the role may not use
the route), Yolo's rows never appear, and nothing of Yolo's changes. Plan routes refuse provider
principals outright: they act in no plan's staff role.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from authorizations.models import AuthorizationRequest
from authorizations.services import request_start_presumptive
from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccessMember
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole
from eligibility.models import PopulationOfFocus
from providers.models import Assignment, Contract, ProviderApiKey, ProviderMembership
from providers.services import assignment_assign, contract_create, organization_create
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.conftest import PLAN_A, PLAN_B, built_once_per_module, module_row_copies, plan_of
from tests.factories import UserFactory, activated, enrolled_member
from tests.isolation import (
    specs_catalogue,
    specs_community_supports,
    specs_encounters,
    specs_outreach_api,
    specs_outreach_pages,
    specs_provider_api,
    specs_referrals,
)
from tests.isolation import test_isolation as plan_harness

MARKER = "YOLO-SECRET"
FOREIGN_SETS = ["other_organization", "other_plan_same_organization", "other_plan_other_organization"]
PROVIDER_CALLS = [
    (role, call, foreign_set)
    for role in ProviderRole.values
    for calls in (
        specs_provider_api.SPECS
        | specs_outreach_api.PROVIDER_SPECS
        | specs_community_supports.PROVIDER_SPECS
        | specs_referrals.PROVIDER_SPECS
        | specs_encounters.PROVIDER_SPECS
    ).values()
    for call in calls
    for foreign_set in FOREIGN_SETS
]
# The provider outreach and Community Supports pages (and the verdict), which provider staff use in
# the browser.
PROVIDER_PAGES = (
    specs_outreach_pages.PROVIDER_CALLS
    + specs_community_supports.PROVIDER_PAGE_CALLS
    + specs_referrals.PROVIDER_PAGE_CALLS
)
PROVIDER_PAGE_CALLS = [
    (role, call, foreign_set) for role in ProviderRole.values for call in PROVIDER_PAGES for foreign_set in FOREIGN_SETS
]
PLAN_API_CALLS = [call for calls in plan_harness.API_SPECS.values() for call in calls if "/provider/" not in call.url]
PLAN_PAGE_CALLS = [
    call
    for calls in plan_harness.PAGE_SPECS.values()
    for call in calls
    if call not in plan_harness.ADMIN_CALLS and call not in PROVIDER_PAGES
]


def organization(plan, name, npi):
    return organization_create(
        plan=plan, actor=OPERATOR, npi=npi, tax_id="123456789", name=f"{name} Clinic", organization_type="cbo",
        enrollment_pathway="mcp_vetting",
    )  # fmt: skip


def contract(plan, organization):
    return activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=9, start_date=date(2025, 1, 1),
        is_presumptive_capable=True,
    ))  # fmt: skip


def presumptive(plan, organization, name):
    """A request the organization's staff started presumptively for a new member of `plan`."""
    login = staff(organization, ProviderRole.CARE_MANAGER)
    return request_start_presumptive(
        plan=plan, actor=Principal.of_provider_membership(login, plan_ids=[plan.pk]),
        member=enrolled_member(plan, first_name=name, last_name=name), organization=organization,
    )  # fmt: skip


def assigned(plan, organization, name):
    member = enrolled_member(plan, first_name=name, last_name=name)
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        return assignment_assign(
            plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR,
            preferred_organization=organization,
        )  # fmt: skip


def staff(organization, role):
    return provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)


def key(provider_membership, name):
    return provider_api_key_issue(actor=OPERATOR, provider_membership=provider_membership, name=name)


@built_once_per_module
def module_rows():
    """Shared by the module's tests; each test's own writes are undone after it."""
    plan_a, plan_b = plan_of(PLAN_A), plan_of(PLAN_B)
    with scopes_disabled():
        xavier, yolo = organization(plan_a, "Xavier", "1234567893"), organization(plan_a, "Yolo", "1245319599")
        contract(plan_a, xavier)
        contract(plan_b, xavier)
        contract(plan_a, yolo)
        contract(plan_b, yolo)
        own = assigned(plan_a, xavier, "Xavier")
        yolo_a, yolo_b = assigned(plan_a, yolo, f"{MARKER}-A"), assigned(plan_b, yolo, f"{MARKER}-B")
        xavier_b = assigned(plan_b, xavier, f"{MARKER}-BX")
        for assignment in (own, yolo_a, yolo_b, xavier_b):
            specs_outreach_pages.outreach_world(assignment.plan, assignment.member, assignment.member.first_name)
        started = {
            "own": presumptive(plan_a, xavier, "Xavier-P"),
            "other_organization": presumptive(plan_a, yolo, f"{MARKER}-PA"),
            "other_plan_same_organization": presumptive(plan_b, xavier, f"{MARKER}-PBX"),
            "other_plan_other_organization": presumptive(plan_b, yolo, f"{MARKER}-PB"),
        }
        placements = {
            "own": specs_community_supports.placement_world(plan_a, xavier, own.member, "Xavier"),
            "other_organization": specs_community_supports.placement_world(plan_a, yolo, yolo_a.member, MARKER),
            "other_plan_same_organization": specs_community_supports.placement_world(
                plan_b, xavier, xavier_b.member, MARKER
            ),
            "other_plan_other_organization": specs_community_supports.placement_world(
                plan_b, yolo, yolo_b.member, MARKER
            ),
        }
        for assignment, name in ((own, "Xavier"), (yolo_a, MARKER), (xavier_b, MARKER), (yolo_b, MARKER)):
            specs_encounters.encounter_for(assignment.plan, assignment.member, assignment.organization, name)
        referrals = {
            which: specs_referrals.referral_for(request, "Xavier" if which == "own" else MARKER).pk
            for which, request in placements.items()
        }
        yesterday = clocks.local_date(clocks.now()) - timedelta(days=1)
        Contract.objects.filter(plan=plan_b, organization=xavier).update(end_date=yesterday)
        yolo_admin = staff(yolo, ProviderRole.PROVIDER_ADMINISTRATOR)
        yolo_key, _ = key(yolo_admin, f"{MARKER} key")
        xavier_admin = staff(xavier, ProviderRole.PROVIDER_ADMINISTRATOR)
        xavier_key, _ = key(xavier_admin, "Xavier key")
        xavier_colleague = staff(xavier, ProviderRole.OUTREACH_STAFF)
        yolo_notice = notification_send(plan=plan_a, recipient=yolo_admin.user, text=f"{MARKER} notice", link="/")

    def objects(assignment, api_key, login, which):
        return (
            {
                "request": started[which].pk,
                "member": assignment.member_id,
                "member_cin": assignment.member.cin,
                "assignment": assignment.pk,
                "api_key": api_key.prefix,
                "provider_staff": login.pk,
            }
            | specs_outreach_api.provider_objects_of(assignment.member_id)
            | specs_community_supports.provider_objects_of(placements[which])
            | {"referral": referrals[which]}
            | specs_encounters.provider_objects_of(assignment.member)
        )

    return {
        "world": {
            "xavier": xavier,
            "xavier_admin": xavier_admin,
            "own": objects(own, xavier_key, xavier_colleague, "own"),
            "other_organization": objects(yolo_a, yolo_key, yolo_admin, "other_organization"),
            "other_plan_same_organization": objects(xavier_b, yolo_key, yolo_admin, "other_plan_same_organization"),
            "other_plan_other_organization": objects(yolo_b, yolo_key, yolo_admin, "other_plan_other_organization"),
            "foreign_members": [yolo_a.member_id, yolo_b.member_id, xavier_b.member_id],
            "own_members": sorted([own.member_id, started["own"].member_id]),
            "yolo_notice": yolo_notice.pk,
            "yolo_admin": yolo_admin,
        }
    }


(world,) = module_row_copies("world")


@pytest.fixture
def xavier_user(world):
    def make(role):
        if role == ProviderRole.PROVIDER_ADMINISTRATOR:
            return world["xavier_admin"]
        with scopes_disabled():
            return staff(world["xavier"], role)

    return make


def key_client(provider_membership):
    with scopes_disabled():
        _, raw_key = key(provider_membership, "harness")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def snapshot(world):
    """What a provider X user must never change or read: Yolo's staff and keys, plan B's and Yolo's
    assignments, and the PHI log of the foreign members."""
    with scopes_disabled():
        return (
            sorted(ProviderMembership.objects.exclude(organization=world["xavier"]).values_list("pk", "is_active")),
            sorted(ProviderApiKey.objects.exclude(organization=world["xavier"]).values_list("prefix", "revoked")),
            sorted(Assignment.objects.values_list("pk", "organization_id", "ended_on")),
            sorted(AuthorizationRequest.objects.values_list("pk", "status")),
            PhiAccessMember.objects.filter(member_id__in=world["foreign_members"]).count(),
            list(Notification.objects.filter(pk=world["yolo_notice"]).values_list("read_at")),
            specs_outreach_api.outreach_snapshot(),
            specs_community_supports.cs_snapshot(),
            specs_referrals.referrals_snapshot(),
            specs_encounters.encounters_snapshot(),
        )


def fill(template: str, objects: dict) -> str:
    return template.format_map(objects)


def fill_data(value, objects):
    if isinstance(value, dict):
        return {key: fill_data(item, objects) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_data(item, objects) for item in value]
    return fill(value, objects) if isinstance(value, str) else value


def act(client, call, objects):
    url, data = fill(call.url, objects), fill_data(call.data, objects)
    if call.method == "get":
        return client.get(url)
    if not isinstance(client, APIClient):
        return client.post(url, data)  # a browser form
    return getattr(client, call.method)(url, data, format="json")


@pytest.mark.parametrize(
    ("role", "call", "foreign_set"), PROVIDER_CALLS, ids=[f"{r}-{c}-{f}" for r, c, f in PROVIDER_CALLS]
)
def test_provider_x_never_reaches_provider_y_or_plan_bs_members(role, call, foreign_set, world, xavier_user):
    client = key_client(xavier_user(role))
    foreign = world[foreign_set]
    before = snapshot(world)
    response = act(client, call, foreign)
    assert MARKER.encode() not in response.content, f"{call} showed Yolo's or plan B's data"
    if call.lists and response.status_code == 200:
        listed = {row["id"] for row in response.json()["results"]}
        assert foreign[call.lists] not in listed, f"{call} listed a foreign {call.lists}"
    if call.foreign:
        assert response.status_code in (403, 404), (str(call), response.status_code)
        if call.method == "get" and act(client, call, world["own"]).status_code == 200:
            assert response.status_code == 404, f"{call}: a foreign object must look missing"
    assert snapshot(world) == before, f"{call} changed or read Yolo's or plan B's side"


def test_the_provider_harness_can_fail(world, xavier_user):
    # The control: X's own members are listed and readable, and its own presumptive start can be
    # stopped, so the checks above can fail.
    client = key_client(xavier_user(ProviderRole.CARE_MANAGER))
    listed = sorted(row["id"] for row in client.get("/api/v1/provider/members/").json()["results"])
    assert listed == world["own_members"]
    assert client.get(f"/api/v1/provider/members/{world['own']['member']}/").status_code == 200
    withdrawn = client.post(
        f"/api/v1/provider/presumptive-starts/{world['own']['request']}/withdraw/", {"reason": "member_declined"},
        format="json",
    )  # fmt: skip
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")


class AnyObject(dict):
    """Plan routes are refused before any lookup: every placeholder may name object 1."""

    def __missing__(self, key):
        return "1"


@pytest.mark.parametrize("call", PLAN_API_CALLS, ids=[str(c) for c in PLAN_API_CALLS])
def test_plan_api_refuses_provider_principals(call, world, xavier_user):
    client = key_client(xavier_user(ProviderRole.PROVIDER_ADMINISTRATOR))
    before = snapshot(world)
    response = act(client, call, AnyObject())
    assert response.status_code == 403, (str(call), response.status_code)
    assert snapshot(world) == before


# The home page, which shows a provider login no plan's data, and its own notifications (Yolo's
# notice, {notification} below, is not Xavier's: opening it is a 404, marking all read leaves it);
# the catalogue, shared reference data provider staff read too (specs_catalogue.py).
PROVIDER_STAFF_PAGES = {"/", "/notifications/", "/notifications/read-all/"} | specs_catalogue.PROVIDER_STAFF_PAGES


def plan_page_as_provider_staff(browser, call, world):
    before = snapshot(world)
    objects = AnyObject(notification=world["yolo_notice"])
    response = act(browser, call, objects) if call.method == "get" else browser.post(fill(call.url, objects))
    assert MARKER.encode() not in response.content
    assert snapshot(world) == before
    return response


@pytest.mark.parametrize("call", PLAN_PAGE_CALLS, ids=[str(c) for c in PLAN_PAGE_CALLS])
def test_plan_pages_refuse_provider_staff(call, world, xavier_user):
    browser = Client()
    browser.force_login(xavier_user(ProviderRole.PROVIDER_ADMINISTRATOR).user)
    response = plan_page_as_provider_staff(browser, call, world)
    if call.url not in PROVIDER_STAFF_PAGES:
        assert response.status_code in (403, 404), (str(call), response.status_code)


def test_the_admin_refuses_provider_staff(world, xavier_user):
    """The admin's gate is staff status, which provider staff never hold: every admin route sends
    them to its sign-in page, showing and changing nothing."""
    browser = Client()
    browser.force_login(xavier_user(ProviderRole.PROVIDER_ADMINISTRATOR).user)
    for call in plan_harness.ADMIN_CALLS:
        response = plan_page_as_provider_staff(browser, call, world)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), str(call)


@pytest.mark.parametrize(
    ("role", "call", "foreign_set"), PROVIDER_PAGE_CALLS, ids=[f"{r}-{c}-{f}" for r, c, f in PROVIDER_PAGE_CALLS]
)
def test_provider_outreach_pages_of_x_never_reach_y_or_plan_b(role, call, foreign_set, world, xavier_user):
    """DOMAIN 8: Xavier's staff never see, record on or close Yolo's engagements, nor plan B's once
    its contract there ended, on the provider outreach pages."""
    browser = Client()
    browser.force_login(xavier_user(role).user)
    foreign = world[foreign_set]
    before = snapshot(world)
    response = act(browser, call, foreign)
    assert MARKER.encode() not in response.content, f"{call} showed Yolo's or plan B's data"
    if call.foreign:
        assert response.status_code in (403, 404), (str(call), response.status_code)
        if call.method == "get" and act(browser, call, world["own"]).status_code == 200:
            assert response.status_code == 404, f"{call}: a foreign engagement must look missing"
    assert snapshot(world) == before, f"{call} changed or read Yolo's or plan B's side"


def test_the_provider_outreach_pages_can_fail(world, xavier_user):
    """The control: Xavier's outreach staff open their own engagement (its attempt's note shown) and
    list it in the API, and Yolo's notice is listed for Yolo's administrator, so the checks above and
    the notification pages' can fail."""
    browser = Client()
    browser.force_login(xavier_user(ProviderRole.OUTREACH_STAFF).user)
    page = browser.get(f"/provider/outreach/{world['own']['engagement']}/")
    assert page.status_code == 200 and b"Xavier outreach note" in page.content
    client = key_client(xavier_user(ProviderRole.OUTREACH_STAFF))
    listed = client.get("/api/v1/provider/outreach/engagements/").json()["results"]
    assert [row["id"] for row in listed] == [world["own"]["engagement"]]
    yolo = Client()
    yolo.force_login(world["yolo_admin"].user)
    assert MARKER.encode() in yolo.get("/notifications/").content
