"""Isolation specs for the Community Supports elections and the offered list (DOMAIN 9; merged into
test_isolation.py's specs). {election} is the plan's election (benefits_world below), its note
carrying the plan's marker: plan B's administrator may add and remove plan B's elections only, and
never sees plan A's."""

from datetime import UTC, date, datetime

from django_scopes import scopes_disabled

from benefits.models import CatalogueService, Election
from tests.isolation.harness import Call

ELECTIONS = "/api/v1/community-supports/elections/"
ADDITION = {"county": "01", "service": "respite", "effective_from": "2027-07-01"}
REMOVAL = {"removal_date": "2028-01-01"}

PAGE_SPECS: dict = {
    "settings-community-supports": [
        Call("get", "/settings/community-supports/"),
        Call("post", "/settings/community-supports/", data=ADDITION),
    ],
    "settings-community-supports-remove": [
        Call("post", "/settings/community-supports/{election}/remove/", foreign=True, data=REMOVAL)
    ],
    "settings-community-supports-cancel": [
        Call("post", "/settings/community-supports/{election}/cancel/", foreign=True)
    ],
    "community-supports-offered": [Call("get", "/community-supports/offered/?county=01&on=2027-01-01")],
}
API_SPECS: dict = {
    ("GET", ELECTIONS): [Call("get", ELECTIONS, lists="election")],
    ("POST", ELECTIONS): [Call("post", ELECTIONS, data=ADDITION)],
    ("GET", f"{ELECTIONS}{{id}}/"): [Call("get", f"{ELECTIONS}{{election}}/", foreign=True)],
    ("DELETE", f"{ELECTIONS}{{id}}/"): [Call("delete", f"{ELECTIONS}{{election}}/", foreign=True)],
    ("POST", f"{ELECTIONS}{{id}}/remove/"): [
        Call("post", f"{ELECTIONS}{{election}}/remove/", foreign=True, data=REMOVAL)
    ],
    ("GET", "/api/v1/community-supports/offered/"): [
        Call("get", "/api/v1/community-supports/offered/?county=01&on=2027-01-01")
    ],
}


def benefits_world(plan, name):
    """The plan elects Recuperative Care in its first county from 2026-07-01, noted with `name`."""
    with scopes_disabled():
        Election.objects.create(
            plan=plan,
            county=plan.counties.order_by("code").first(),
            service=CatalogueService.objects.get(code="recuperative-care"),
            effective_from=date(2026, 7, 1),
            note=f"{name} election",
            created_at=datetime(2026, 6, 1, tzinfo=UTC),
        )


def objects_of(plan) -> dict:
    with scopes_disabled():
        return {"election": Election.objects.filter(plan=plan).values_list("pk", flat=True).first()}


def elections_snapshot(plan) -> list:
    with scopes_disabled():
        return sorted(Election.objects.filter(plan=plan).values_list("pk", "effective_from", "effective_to", "note"))
