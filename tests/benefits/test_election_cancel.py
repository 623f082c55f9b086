"""A planned Community Supports addition cancelled before its first day (DOMAIN 9: additions take
effect on 1 January or 1 July): the service, the page button and the API DELETE, audited; 409 once
it is in effect; the plan administrator's only; another plan's election is 404."""

from datetime import date

import pytest

from benefits import services
from benefits.models import Election
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, ConflictError
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans
from tests.benefits.election_world import (  # noqa: F401
    administrator_fixture,
    alameda_fixture,
    coordinator_fixture,
    frozen_today_fixture,
    respite_fixture,
)
from tests.conftest import api_client_of, membership_of

pytestmark = pytest.mark.usefixtures("in_plan_a", "frozen_today")
ELECTIONS = "/api/v1/community-supports/elections/"
PAGE = "/settings/community-supports/"


def elected(plan, county, service, effective_from=date(2027, 1, 1)) -> Election:
    return Election.objects.create(
        plan=plan, county=county, service=service, effective_from=effective_from, created_at="2026-11-01T00:00Z"
    )


def test_a_planned_addition_is_cancelled_and_audited(plan_a, administrator, alameda, respite):
    """DOMAIN 9: offered from 2027-01-01, cancelled on 2026-12-01: never offered."""
    election = elected(plan_a, alameda, respite)
    services.election_cancel(plan=plan_a, actor=administrator, election=election)
    assert not Election.objects.exists()
    event = AuditEvent.objects.get(code="benefits.election.cancelled")
    assert (event.target_id, event.payload["service"], event.payload["effective_from"]) == (
        str(election.pk), respite.code, "2027-01-01",
    )  # fmt: skip


def test_an_election_in_effect_is_a_conflict(plan_a, administrator, alameda, respite):
    """DOMAIN 9: in effect since 2026-07-01, only a removal on 1 January ends it (409 naming 2027-01-01)."""
    election = elected(plan_a, alameda, respite, effective_from=date(2026, 7, 1))
    with pytest.raises(ConflictError) as refused:
        services.election_cancel(plan=plan_a, actor=administrator, election=election)
    assert refused.value.code == "in_effect" and "2027-01-01" in refused.value.message
    assert Election.objects.filter(pk=election.pk).exists()


def test_a_coordinator_may_not_cancel(plan_a, coordinator, alameda, respite):
    """DOMAIN 1: elections are the plan administrator's."""
    election = elected(plan_a, alameda, respite)
    with pytest.raises(ActionNotPermitted):
        services.election_cancel(plan=plan_a, actor=coordinator, election=election)
    assert Election.objects.filter(pk=election.pk).exists()


def test_the_api_deletes_a_planned_addition(plan_a, alameda, respite):
    """DOMAIN 9: 204 for a planned one, 409 for one in effect, 403 for a coordinator."""
    planned = elected(plan_a, alameda, respite)
    assert (
        api_client_of(membership_of(plan_a, Role.CARE_COORDINATOR)).delete(f"{ELECTIONS}{planned.pk}/").status_code
        == 403
    )
    api = api_client_of(membership_of(plan_a, Role.PLAN_ADMINISTRATOR))
    assert api.delete(f"{ELECTIONS}{planned.pk}/").status_code == 204
    assert not Election.objects.exists()
    current = elected(plan_a, alameda, respite, effective_from=date(2026, 1, 1))
    refused = api.delete(f"{ELECTIONS}{current.pk}/")
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "in_effect"


def test_another_plans_election_is_not_found(plan_a, plan_b, respite):
    """ARCHITECTURE: another plan's election is 404 on the API and the page, and stays."""
    with across_plans(reason="test: plan B's planned election"):
        theirs = elected(plan_b, plan_b.counties.first(), respite)
    api = api_client_of(membership_of(plan_a, Role.PLAN_ADMINISTRATOR))
    assert api.delete(f"{ELECTIONS}{theirs.pk}/").status_code == 404
    with across_plans(reason="test: plan B's election stays"):
        assert Election.objects.filter(pk=theirs.pk).exists()


def test_the_page_button(client, plan_a, administrator, alameda, respite):
    """DOMAIN 9: the button shows on the planned row only; it cancels; in effect it answers 409."""
    planned = elected(plan_a, alameda, respite)
    client.force_login(administrator)
    page = client.get(PAGE).content.decode()
    assert f"{PAGE}{planned.pk}/cancel/" in page
    assert client.post(f"{PAGE}{planned.pk}/cancel/").status_code == 302
    assert not Election.objects.exists()
    current = elected(plan_a, alameda, respite, effective_from=date(2026, 7, 1))
    assert f"{PAGE}{current.pk}/cancel/" not in client.get(PAGE).content.decode()
    refused = client.post(f"{PAGE}{current.pk}/cancel/")
    assert refused.status_code == 409 and "remove it on 2027-01-01 instead" in refused.content.decode()
    assert client.post(f"{PAGE}999999/cancel/").status_code == 404
