"""The plan's expedited clock per Community Support (DOMAIN 5.1; FAQ 28): the plan administrator
sets 1 to 72 hours or clears it, audited; `expedited_hours_of` reads it; other roles are refused."""

import re

import pytest

from benefits import clock_services
from benefits.models import ServiceClock
from benefits.selectors import expedited_hours_of, service_get
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans
from tests.benefits.election_world import administrator_fixture, ecm_fixture, respite_fixture  # noqa: F401
from tests.conftest import api_client_of, membership_of

pytestmark = pytest.mark.usefixtures("in_plan_a")
PAGE = "/settings/community-supports/clocks/"
API = "/api/v1/community-supports/clocks/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_shorter_clock_is_read_by_the_decision_clock(plan_a, administrator, respite):
    """DOMAIN 5.1 / FAQ 28: 12 hours for the plan, the catalogue's 72 after it is cleared."""
    assert expedited_hours_of(plan=plan_a, service=respite) == 72
    clock_services.service_clock_set(plan=plan_a, actor=administrator, service=respite, expedited_hours=12)
    assert expedited_hours_of(plan=plan_a, service=respite) == 12
    clock_services.service_clock_set(plan=plan_a, actor=administrator, service=respite, expedited_hours=24)
    assert ServiceClock.objects.get().expedited_hours == 24
    clock_services.service_clock_clear(plan=plan_a, actor=administrator, service=respite)
    assert expedited_hours_of(plan=plan_a, service=respite) == 72
    events = AuditEvent.objects.filter(code__startswith="benefits.service_clock.").order_by("pk")
    assert [(e.code, e.payload.get("expedited_hours"), e.payload["previous"]) for e in events] == [
        ("benefits.service_clock.set", 12, None),
        ("benefits.service_clock.set", 24, 12),
        ("benefits.service_clock.cleared", None, 24),
    ]


@pytest.mark.parametrize("hours", [0, 73])
def test_the_range_is_1_to_72_hours(plan_a, administrator, respite, hours):
    """DOMAIN 5.1: never longer than the 72-hour expedited clock, never zero."""
    with pytest.raises(DomainError) as refused:
        clock_services.service_clock_set(plan=plan_a, actor=administrator, service=respite, expedited_hours=hours)
    assert refused.value.field == "expedited_hours" and not ServiceClock.objects.exists()


def test_ecm_has_no_plan_clock(plan_a, administrator):
    """DOMAIN 5.1: the shorter clock is per Community Support; ECM keeps 72 hours."""
    with pytest.raises(DomainError) as refused:
        clock_services.service_clock_set(
            plan=plan_a, actor=administrator, service=service_get("ecm"), expedited_hours=12
        )
    assert refused.value.field == "service"


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.REVIEWER, Role.REPORTING_ANALYST])
def test_other_roles_are_refused(plan_a, respite, role):
    """DOMAIN 1: plan settings are the administrator's: the service, the page and the API refuse."""
    membership = membership_of(plan_a, role)
    with pytest.raises(ActionNotPermitted):
        clock_services.service_clock_set(plan=plan_a, actor=membership.user, service=respite, expedited_hours=12)
    api = api_client_of(membership)
    assert api.get(API).status_code == 403
    assert api.put(f"{API}{respite.code}/", {"expedited_hours": 12}).status_code == 403
    assert api.delete(f"{API}{respite.code}/").status_code == 403
    assert not ServiceClock.objects.exists()


def test_the_page_sets_and_clears(client, plan_a, administrator, respite):
    """DOMAIN 5.1: the page lists the catalogue clock, saves the plan's and clears it; 73 is refused on the form."""
    client.force_login(administrator)
    assert "Test respite 72 hours —" in text_of(client.get(PAGE))
    refused = client.post(PAGE, {"service": respite.code, "expedited_hours": 73})
    assert refused.status_code == 400 and not ServiceClock.objects.exists()
    assert client.post(PAGE, {"service": respite.code, "expedited_hours": 12}).status_code == 302
    page = text_of(client.get(PAGE))
    assert "Test respite 72 hours 12 hours" in page and "Clear the clock of Test respite" in page
    assert client.post(f"{PAGE}{respite.code}/clear/").status_code == 302
    assert not ServiceClock.objects.exists()
    assert client.get(PAGE.replace("/clocks/", "/clocks/no-such/clear/")).status_code in (404, 405)


def test_the_page_is_the_administrators(client, plan_a):
    """DOMAIN 1: a care coordinator is refused."""
    client.force_login(membership_of(plan_a, Role.CARE_COORDINATOR).user)
    assert client.get(PAGE).status_code == 403


def test_the_api_sets_lists_and_clears(plan_a, respite):
    """DOMAIN 5.1: PUT 12 hours, listed as the plan's; a value past 72 is a field error; DELETE clears."""
    api = api_client_of(membership_of(plan_a, Role.PLAN_ADMINISTRATOR))
    put = api.put(f"{API}{respite.code}/", {"expedited_hours": 12})
    assert put.status_code == 200 and put.json() == {
        "service": respite.code, "name": respite.name, "catalogue_hours": 72, "plan_hours": 12,
    }  # fmt: skip
    listed = {row["service"]: row["plan_hours"] for row in api.get(API).json()}
    assert listed[respite.code] == 12 and "ecm" not in listed
    assert api.get(f"{API}{respite.code}/").json()["plan_hours"] == 12
    refused = api.put(f"{API}{respite.code}/", {"expedited_hours": 73})
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "expedited_hours"
    assert api.put(f"{API}ecm/", {"expedited_hours": 12}).status_code == 404
    assert api.delete(f"{API}{respite.code}/").status_code == 204
    assert not ServiceClock.objects.exists()


def test_another_plans_clock_is_untouched(plan_a, plan_b, respite):
    """ARCHITECTURE: plan A's administrator lists and clears plan A's clock only."""
    with across_plans(reason="test: plan B's clock"):
        ServiceClock.objects.create(plan=plan_b, service=respite, expedited_hours=6, updated_at="2026-11-01T00:00Z")
    api = api_client_of(membership_of(plan_a, Role.PLAN_ADMINISTRATOR))
    listed = {row["service"]: row["plan_hours"] for row in api.get(API).json()}
    assert listed[respite.code] is None
    assert api.delete(f"{API}{respite.code}/").status_code == 204
    with across_plans(reason="test: plan B's clock stays"):
        assert ServiceClock.objects.get(plan=plan_b).expedited_hours == 6
