"""The isolation harness (ARCHITECTURE.md, Tenancy): for every role, a user of plan B acts against
plan A's objects on every page and API operation. Foreign objects are 404 (403 where the role may
not use the route at all), plan A's rows never appear, and refused writes change nothing.

A route without a spec here fails `test_every_route_is_covered`; later issues add their objects to
the fixtures and their routes to the specs, not new logic.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiPurpose
from ecm_platform.audit.services import phi_access_record
from ecm_platform.calendars.models import Holiday
from ecm_platform.calendars.services import holiday_create
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY
from ecm_platform.tenancy.models import Membership, PlanApiKey, Role
from tests.isolation import harness

MARKER = "ALPHA-SECRET"


@dataclass(frozen=True)
class Call:
    method: str
    url: str  # with {kind} placeholders for objects
    foreign: bool = False  # the url names plan A objects
    data: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.method.upper()} {self.url}"


PAGE_SPECS = {
    "home": [Call("get", "/")],
    "notification-list": [Call("get", "/notifications/")],
    "notification-read-all": [Call("post", "/notifications/read-all/")],
    "notification-open": [Call("post", "/notifications/{notification}/open/", foreign=True)],
    "audit-events": [Call("get", "/audit/events/"), Call("get", "/audit/events/?export=csv")],
    "audit-phi-access": [
        Call("get", "/audit/phi-access/"),
        Call("get", "/audit/phi-access/?export=csv"),
    ],
}
API_SPECS = {
    ("GET", "/api/v1/me/"): [Call("get", "/api/v1/me/")],
    ("GET", "/api/v1/counties/"): [Call("get", "/api/v1/counties/")],
    ("GET", "/api/v1/counties/{code}/"): [Call("get", "/api/v1/counties/01/")],
    ("GET", "/api/v1/memberships/"): [Call("get", "/api/v1/memberships/")],
    ("GET", "/api/v1/memberships/{id}/"): [
        Call("get", "/api/v1/memberships/{membership}/", foreign=True)
    ],
    ("GET", "/api/v1/api-keys/"): [Call("get", "/api/v1/api-keys/")],
    ("POST", "/api/v1/api-keys/"): [
        Call("post", "/api/v1/api-keys/", data={"membership": "{membership}", "name": "stolen"})
    ],
    ("GET", "/api/v1/api-keys/{prefix}/"): [
        Call("get", "/api/v1/api-keys/{api_key}/", foreign=True)
    ],
    ("POST", "/api/v1/api-keys/{prefix}/revoke/"): [
        Call("post", "/api/v1/api-keys/{api_key}/revoke/", foreign=True)
    ],
    ("GET", "/api/v1/holidays/"): [Call("get", "/api/v1/holidays/?page_size=500")],
    ("POST", "/api/v1/holidays/"): [
        Call("post", "/api/v1/holidays/", data={"date": "2026-10-12", "name": "B closure"})
    ],
    ("GET", "/api/v1/holidays/{id}/"): [Call("get", "/api/v1/holidays/{holiday}/", foreign=True)],
    ("DELETE", "/api/v1/holidays/{id}/"): [
        Call("delete", "/api/v1/holidays/{holiday}/", foreign=True)
    ],
    ("GET", "/api/v1/notifications/"): [Call("get", "/api/v1/notifications/")],
    ("GET", "/api/v1/notifications/{id}/"): [
        Call("get", "/api/v1/notifications/{notification}/", foreign=True)
    ],
    ("POST", "/api/v1/notifications/{id}/read/"): [
        Call("post", "/api/v1/notifications/{notification}/read/", foreign=True)
    ],
    ("POST", "/api/v1/notifications/read-all/"): [Call("post", "/api/v1/notifications/read-all/")],
}
PAGE_CALLS = [
    (role, call) for role in Role.values for calls in PAGE_SPECS.values() for call in calls
]
API_CALLS = [(role, call) for role in Role.values for calls in API_SPECS.values() for call in calls]


def test_every_route_is_covered():
    assert harness.uncovered(set(PAGE_SPECS), set(API_SPECS)) == set()


def test_a_route_added_without_coverage_fails_the_harness():
    missing = harness.uncovered(
        set(PAGE_SPECS), set(API_SPECS), urlconf="tests.isolation.extra_urls"
    )
    assert missing == {"extra-page", "GET /api/v1/extra/"}


def objects_of(plan, admin):
    """One object of every kind the routes take, in `plan`."""
    with scopes_disabled():
        return {
            "membership": admin.pk,
            "api_key": PlanApiKey.objects.filter(plan=plan).first().prefix,
            "holiday": Holiday.objects.filter(plan=plan).first().pk,
            "notification": Notification.objects.filter(plan=plan)
            .values_list("pk", flat=True)
            .first(),
        }


@pytest.fixture
def plan_a_world(plan_a, admin_a, make_membership, make_api_client):
    """Plan A with one object of every kind, each carrying MARKER where it holds text."""
    integrator = make_membership(plan_a, Role.INTEGRATOR)
    with scopes_disabled():
        integrator.user.username = f"{MARKER}-integrator"
        integrator.user.save()
    make_api_client(integrator)
    with scopes_disabled():
        PlanApiKey.objects.filter(plan=plan_a).update(name=f"{MARKER} key")
        holiday_create(
            plan=plan_a, day=date(2026, 10, 12), name=f"{MARKER} closure", actor=admin_a.user
        )
        notification_send(plan=plan_a, recipient=admin_a.user, text=f"{MARKER} notice", link="/")
        phi_access_record(
            plan=plan_a,
            user=admin_a.user,
            purpose=PhiPurpose.CARE_COORDINATION,
            member_label=f"{MARKER}-CIN",
        )
    return objects_of(plan_a, admin_a)


@pytest.fixture
def plan_b_user(plan_b, admin_b, make_membership, make_api_client):
    """A plan B user of the requested role, with plan B objects of its own to compare against."""

    def make(role):
        membership = admin_b if role == Role.PLAN_ADMINISTRATOR else make_membership(plan_b, role)
        make_api_client(admin_b)  # plan B owns a key too
        with scopes_disabled():
            notification_send(plan=plan_b, recipient=membership.user, text="B notice", link="/")
        return membership

    return make


def snapshot(plan):
    with scopes_disabled():
        return (
            sorted(Holiday.objects.filter(plan=plan).values_list("pk", "date", "name")),
            sorted(PlanApiKey.objects.filter(plan=plan).values_list("prefix", "name", "revoked")),
            sorted(Notification.objects.filter(plan=plan).values_list("pk", "text", "read_at")),
            sorted(Membership.objects.filter(plan=plan).values_list("pk", "role", "is_active")),
            AuditEvent.objects.filter(plan=plan).count(),
            PhiAccess.objects.filter(plan=plan).count(),
        )


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def fill(template: str, objects: dict) -> str:
    return template.format(**objects)


def act(client, call: Call, objects: dict):
    url = fill(call.url, objects)
    data = {key: fill(str(value), objects) for key, value in call.data.items()}
    if call.method == "get":
        return client.get(url)
    return getattr(client, call.method)(url, data, content_type="application/json")


def check(client, call, plan_a, plan_a_world, own_objects):
    before = snapshot(plan_a)
    response = act(client, call, plan_a_world)
    content = body(response)
    assert MARKER.encode() not in content, f"{call} showed plan A data"
    if call.foreign:
        assert response.status_code in (403, 404), (str(call), response.status_code)
        if call.method == "get" and act(client, call, own_objects).status_code == 200:
            assert response.status_code == 404, f"{call}: another plan's object must look missing"
    assert snapshot(plan_a) == before, f"{call} changed plan A"


@pytest.mark.parametrize(("role", "call"), PAGE_CALLS, ids=[f"{r}-{c}" for r, c in PAGE_CALLS])
def test_pages_of_plan_b_never_reach_plan_a(
    role, call, plan_a, plan_b, plan_a_world, plan_b_user, admin_b
):
    membership = plan_b_user(role)
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan_b.pk
    session.save()
    check(
        client,
        call,
        plan_a,
        plan_a_world,
        objects_of(plan_b, admin_b) | own_notification(membership),
    )


@pytest.mark.parametrize(("role", "call"), API_CALLS, ids=[f"{r}-{c}" for r, c in API_CALLS])
def test_api_of_plan_b_never_reaches_plan_a(
    role, call, plan_a, plan_b, plan_a_world, plan_b_user, admin_b, make_api_client
):
    membership = plan_b_user(role)
    client = make_api_client(membership)
    check(
        client,
        call,
        plan_a,
        plan_a_world,
        objects_of(plan_b, admin_b) | own_notification(membership),
    )


def own_notification(membership):
    with scopes_disabled():
        notification = Notification.objects.filter(
            plan=membership.plan, recipient=membership.user
        ).first()
    return {"notification": notification.pk}


def test_a_user_of_both_plans_sees_only_the_session_plans_rows(
    client, plan_a, plan_b, plan_a_world, admin_a
):
    # The same person works for both plans: with plan B chosen, plan A's notifications stay hidden.
    with scopes_disabled():
        Membership.objects.create(user=admin_a.user, plan=plan_b, role=Role.CARE_COORDINATOR)
    client.force_login(admin_a.user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan_b.pk
    session.save()
    assert MARKER.encode() not in client.get("/notifications/").content
    assert client.get("/api/v1/notifications/").json()["results"] == []
    assert client.post(f"/notifications/{plan_a_world['notification']}/open/").status_code == 404
