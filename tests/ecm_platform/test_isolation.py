"""Plan isolation of every API endpoint that exists (ARCHITECTURE.md, Tenancy): another plan's
objects are 404, its rows are absent from lists, and refused writes change nothing.

`ENDPOINTS` must name every API route; `test_every_api_route_is_covered` fails when a route is
added without an entry here.
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from ecm_platform.calendars.models import Holiday
from ecm_platform.tenancy.models import PlanApiKey, Role

# Routes that carry no plan data.
PUBLIC_ROUTES = {"api:schema", "api:docs"}


@pytest.fixture
def plan_a_objects(plan_a, admin_a, make_membership, make_api_client):
    """A plan-A object of every kind the API exposes."""
    integrator = make_membership(plan_a, Role.INTEGRATOR)
    make_api_client(integrator)  # issues a key
    with scopes_disabled():
        return {
            "membership": integrator.pk,
            "api_key": PlanApiKey.objects.get(membership=integrator).prefix,
            "holiday": Holiday.objects.filter(plan=plan_a).first().pk,
        }


# name -> (method, path template, object kind or None)
ENDPOINTS = {
    "api:me": [("get", "/api/v1/me/", None)],
    "api:county-list": [("get", "/api/v1/counties/", None)],
    "api:county-detail": [("get", "/api/v1/counties/01/", None)],
    "api:membership-list": [("get", "/api/v1/memberships/", None)],
    "api:membership-detail": [("get", "/api/v1/memberships/{membership}/", "membership")],
    "api:api-key-list": [("get", "/api/v1/api-keys/", None), ("post", "/api/v1/api-keys/", None)],
    "api:api-key-detail": [("get", "/api/v1/api-keys/{api_key}/", "api_key")],
    "api:api-key-revoke": [("post", "/api/v1/api-keys/{api_key}/revoke/", "api_key")],
    "api:holiday-list": [("get", "/api/v1/holidays/", None), ("post", "/api/v1/holidays/", None)],
    "api:holiday-detail": [
        ("get", "/api/v1/holidays/{holiday}/", "holiday"),
        ("delete", "/api/v1/holidays/{holiday}/", "holiday"),
    ],
}
OBJECT_ROUTES = [
    (name, method, path, kind)
    for name, calls in ENDPOINTS.items()
    for method, path, kind in calls
    if kind
]


def api_route_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= api_route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and namespace.startswith("api:") and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_api_route_is_covered():
    assert api_route_names() - PUBLIC_ROUTES == set(ENDPOINTS)


def snapshot(plan):
    with scopes_disabled():
        return (
            sorted(Holiday.objects.filter(plan=plan).values_list("pk", "date", "name")),
            sorted(PlanApiKey.objects.filter(plan=plan).values_list("prefix", "revoked")),
        )


@pytest.mark.parametrize(("name", "method", "path", "kind"), OBJECT_ROUTES)
def test_plan_b_gets_404_for_plan_a_objects(
    name, method, path, kind, plan_a, plan_a_objects, admin_b, make_api_client
):
    before = snapshot(plan_a)
    client_b = make_api_client(admin_b)  # the most privileged role of plan B
    response = getattr(client_b, method)(path.format(**plan_a_objects))
    assert response.status_code == 404, (name, response.content)
    assert response.json()["errors"][0]["code"] == "not_found"
    assert snapshot(plan_a) == before


def test_plan_b_lists_never_contain_plan_a_rows(
    plan_a, plan_b, plan_a_objects, admin_b, make_api_client
):
    client_b = make_api_client(admin_b)
    memberships = client_b.get("/api/v1/memberships/").json()["results"]
    assert plan_a_objects["membership"] not in [row["id"] for row in memberships]
    keys = client_b.get("/api/v1/api-keys/").json()["results"]
    assert plan_a_objects["api_key"] not in [row["prefix"] for row in keys]
    holiday_ids = {
        row["id"] for row in client_b.get("/api/v1/holidays/?page_size=500").json()["results"]
    }
    with scopes_disabled():
        assert holiday_ids == set(Holiday.objects.filter(plan=plan_b).values_list("pk", flat=True))
    assert client_b.get("/api/v1/me/").json()["plan"]["code"] == "plan-b"


def test_plan_b_cannot_issue_a_key_for_a_plan_a_membership(
    plan_a, plan_a_objects, admin_b, make_api_client
):
    before = snapshot(plan_a)
    response = make_api_client(admin_b).post(
        "/api/v1/api-keys/", {"membership": plan_a_objects["membership"], "name": "stolen"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "does_not_exist",
        "detail": f'Invalid pk "{plan_a_objects["membership"]}" - object does not exist.',
        "attr": "membership",
    }
    assert snapshot(plan_a) == before


def test_a_holiday_created_by_plan_b_stays_in_plan_b(plan_a, plan_b, admin_b, make_api_client):
    before = snapshot(plan_a)
    response = make_api_client(admin_b).post(
        "/api/v1/holidays/", {"date": "2026-10-12", "name": "Indigenous Peoples' Day"}
    )
    assert response.status_code == 201
    assert snapshot(plan_a) == before
    with scopes_disabled():
        assert Holiday.objects.get(pk=response.json()["id"]).plan == plan_b
        assert Holiday.objects.filter(date=date(2026, 10, 12)).count() == 1
