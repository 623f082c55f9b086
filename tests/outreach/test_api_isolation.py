"""The outreach API's isolation specs (tests/isolation/specs_outreach_api.py) run here on a world of
their own until the harnesses merge them: every plan role of plan B against plan A's engagement,
attempt and measure run, and provider staff of an organization plan A does not contract with
against the same (ARCHITECTURE.md, Tenancy; DOMAIN 8). Foreign objects are 404 (403 where the role
may not use the route), plan A's rows are never listed or shown, and nothing of plan A changes."""

from datetime import UTC, date, datetime

import pytest
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccess
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import ProviderRole, Role
from providers.services import assignment_assign
from tests.conftest import PLAN_A, PLAN_B, api_client_of, built_once_per_module, membership_of, plan_of
from tests.factories import enrolled_member
from tests.isolation import specs_outreach_api, specs_outreach_pages
from tests.isolation.test_isolation import act, body
from tests.outreach.test_api_provider import provider_client
from tests.outreach.world import NPIS, organization_of

MARKER = "ALPHA-SECRET"
PLAN_CALLS = [(role, call) for role in Role.values for calls in specs_outreach_api.API_SPECS.values() for call in calls]
PROVIDER_CALLS = [
    (role, call)
    for role in ProviderRole.values
    for calls in specs_outreach_api.PROVIDER_SPECS.values()
    for call in calls
]


def outreach_of(plan, name, npi):
    """A member assigned to the plan's ECM Provider, with specs_outreach_pages' outreach world."""
    organization = organization_of(plan, npi=npi, name=f"{name} ECM")
    member = enrolled_member(plan, first_name=name, last_name=name)
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        assignment_assign(
            plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR,
            preferred_organization=organization,
        )  # fmt: skip
    specs_outreach_pages.outreach_world(plan, member, name)
    objects = {"member": member.pk} | specs_outreach_pages.objects_of(plan) | specs_outreach_api.objects_of(plan)
    return organization, objects


@built_once_per_module
def module_rows():
    plan_a, plan_b = plan_of(PLAN_A), plan_of(PLAN_B)
    _, objects_a = outreach_of(plan_a, MARKER, NPIS[0])
    organization_b, objects_b = outreach_of(plan_b, "Bravo", NPIS[1])
    return {"plan_a": plan_a, "plan_b": plan_b, "a": objects_a, "b": objects_b, "organization_b": organization_b}


@pytest.fixture
def world(module_rows, db):
    return module_rows


def plan_a_state(plan):
    with scopes_disabled():
        return specs_outreach_api.outreach_snapshot(plan), PhiAccess.objects.filter(plan=plan).count()


def check(client, call, foreign: dict, own: dict, plan):
    before = plan_a_state(plan)
    response = act(client, call, foreign)
    assert MARKER.encode() not in body(response), f"{call} showed plan A data"
    if call.links_foreign:
        assert 400 <= response.status_code < 500, (f"{call} linked plan A objects", response.status_code)
    if call.lists and response.status_code == 200:
        assert foreign[call.lists] not in {row["id"] for row in response.json()["results"]}, f"{call} listed it"
    if call.foreign:
        assert response.status_code in (403, 404), (str(call), response.status_code)
        if call.method == "get" and act(client, call, own).status_code == 200:
            assert response.status_code == 404, f"{call}: another plan's object must look missing"
    assert plan_a_state(plan) == before, f"{call} changed or read plan A"


@pytest.mark.parametrize(("role", "call"), PLAN_CALLS, ids=[f"{r}-{c}" for r, c in PLAN_CALLS])
def test_plan_b_never_reaches_plan_as_outreach(world, role, call):
    client = api_client_of(membership_of(world["plan_b"], role))
    check(client, call, world["a"], world["b"], world["plan_a"])


@pytest.mark.parametrize(("role", "call"), PROVIDER_CALLS, ids=[f"{r}-{c}" for r, c in PROVIDER_CALLS])
def test_another_organizations_staff_never_reach_plan_as_outreach(world, role, call):
    with scopes_disabled():
        client = provider_client(world["organization_b"], role)
    check(client, call, world["a"], world["b"], world["plan_a"])


def test_the_checks_can_fail(world):
    """The control: plan A's coordinator and its provider's staff see what the checks say the others
    cannot, so a leak would be caught."""
    own = api_client_of(membership_of(world["plan_a"], Role.CARE_COORDINATOR))
    listed = own.get("/api/v1/outreach/engagements/").json()["results"]
    assert [row["id"] for row in listed] == [world["a"]["engagement"]]
    assert MARKER.encode() in own.get(f"/api/v1/outreach/attempts/?engagement={world['a']['engagement']}").content
    analyst = api_client_of(membership_of(world["plan_a"], Role.REPORTING_ANALYST))
    assert analyst.get(f"/api/v1/outreach/measure-runs/{world['a']['measure_run']}/").status_code == 200
    before = plan_a_state(world["plan_a"])
    admin = api_client_of(membership_of(world["plan_a"], Role.PLAN_ADMINISTRATOR))
    assert admin.put("/api/v1/settings/outreach/", specs_outreach_api.SETTINGS, format="json").status_code == 200
    assert plan_a_state(world["plan_a"]) != before
    with scopes_disabled():
        provider_b = provider_client(world["organization_b"])
    rows = provider_b.get("/api/v1/provider/outreach/engagements/").json()["results"]
    assert [row["id"] for row in rows] == [world["b"]["engagement"]]
