"""Adding and removing the plan's Community Supports elections (DOMAIN 9): the windows with field
messages naming the next valid date, the plan's counties only, Community Supports only, mandatory
services, no overlap, the audit trail and the care coordinators' notification."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from benefits import services
from benefits.election_selectors import elections_of, offered_services
from benefits.models import Election
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.notifications.models import Notification
from tests.benefits.election_world import (  # noqa: F401
    administrator_fixture,
    alameda_fixture,
    coordinator_fixture,
    ecm_fixture,
    frozen_today_fixture,
    meals_fixture,
    outside_fixture,
    rent_fixture,
    respite_fixture,
)

pytestmark = pytest.mark.usefixtures("in_plan_a", "frozen_today")
JAN_2027 = date(2027, 1, 1)


def add(plan, actor, county, service, effective_from=JAN_2027, **kwargs):
    return services.election_add(
        plan=plan, actor=actor, county=county, service=service, effective_from=effective_from, **kwargs
    )


def ours(plan, county, on) -> set:
    """What is offered among this module's own services (the catalogue migration loads the real ones)."""
    return set(offered_services(plan=plan, county=county, on=on).filter(code__startswith="test-"))


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_an_administrator_elects_a_service_on_an_anchor(plan_a, administrator, alameda, respite):
    """DOMAIN 9: an addition on 1 January; the audit trail records it."""
    election = add(plan_a, administrator, alameda, respite, note="Board approved")
    assert (election.effective_from, election.effective_to, election.created_by) == (JAN_2027, None, administrator)
    event = AuditEvent.objects.get(code="benefits.election.added")
    assert event.target_id == str(election.pk) and event.payload["service"] == respite.code


def test_a_care_coordinator_may_not_elect(plan_a, coordinator, alameda, respite):
    """DOMAIN 1: elections are the plan administrator's."""
    with pytest.raises(ActionNotPermitted):
        add(plan_a, coordinator, alameda, respite)
    assert not Election.objects.exists()


def test_an_addition_off_the_anchors_names_the_next_valid_date(plan_a, administrator, alameda, respite):
    """DOMAIN 9: 2027-03-01 is refused, the message names 2027-07-01."""
    error = refusal(lambda: add(plan_a, administrator, alameda, respite, effective_from=date(2027, 3, 1)))
    assert error.field == "effective_from" and "2027-07-01" in error.message


def test_only_the_plans_counties(plan_a, administrator, outside, respite):
    """DOMAIN 9: elected per county of the plan."""
    error = refusal(lambda: add(plan_a, administrator, outside, respite))
    assert error.field == "county"


def test_ecm_is_not_elected(plan_a, administrator, alameda, ecm):
    """DOMAIN 9: only Community Supports are elected per county."""
    error = refusal(lambda: add(plan_a, administrator, alameda, ecm))
    assert error.field == "service" and "not a Community Support" in error.message


def test_a_mandatory_service_needs_no_election(plan_a, administrator, alameda, rent):
    """DOMAIN 9: Transitional Rent is mandatory from 2026-01-01, offered everywhere without one."""
    error = refusal(lambda: add(plan_a, administrator, alameda, rent))
    assert error.field == "service" and "mandatory" in error.message
    assert ours(plan_a, alameda, date(2026, 1, 1)) == {rent}
    assert ours(plan_a, alameda, date(2025, 12, 31)) == set()


def test_no_overlap(plan_a, administrator, alameda, respite):
    """DOMAIN 9: one election at a time per county and service."""
    add(plan_a, administrator, alameda, respite)
    error = refusal(lambda: add(plan_a, administrator, alameda, respite, effective_from=date(2027, 7, 1)))
    assert error.code == "overlap" and "2027-01-01" in error.message


def test_no_state_approval_in_the_future(plan_a, administrator, alameda, respite):
    """DOMAIN 9: subject to state approval, which has happened when recorded."""
    error = refusal(lambda: add(plan_a, administrator, alameda, respite, state_approved_on=date(2026, 12, 2)))
    assert error.field == "state_approved_on"


def test_a_removal_ends_the_day_before_the_anchor_and_notifies_coordinators(
    plan_a, administrator, coordinator, alameda, respite, meals
):
    """DOMAIN 9: a removal takes effect on 1 January; the last day offered is 31 December; the care
    coordinators are told (the members and providers affected come with authorizations, part 2)."""
    election = add(plan_a, administrator, alameda, respite, effective_from=date(2026, 7, 1))
    add(plan_a, administrator, alameda, meals, effective_from=date(2026, 7, 1))
    services.election_remove(plan=plan_a, actor=administrator, election=election, removal_date=JAN_2027)
    election.refresh_from_db()
    assert (election.effective_to, election.removed_by) == (date(2026, 12, 31), administrator)
    assert AuditEvent.objects.filter(code="benefits.election.removed", target_id=str(election.pk)).exists()
    notice = Notification.objects.get(recipient=coordinator)
    assert respite.name in notice.text and "2027-01-01" in notice.text
    assert ours(plan_a, alameda, date(2026, 12, 31)) == {respite, meals}
    assert ours(plan_a, alameda, JAN_2027) == {meals}
    # After the removal a new addition may start on a later anchor, not before the end.
    assert add(plan_a, administrator, alameda, respite, effective_from=date(2027, 7, 1)).effective_to is None


@pytest.mark.parametrize(
    ("removal_date", "next_valid"), [(date(2027, 7, 1), "2028-01-01"), (date(2026, 12, 31), "2027-01-01")]
)
def test_a_removal_off_the_anchor_names_the_next_valid_date(
    plan_a, administrator, alameda, respite, removal_date, next_valid
):
    """DOMAIN 9: removals once a year, on 1 January only."""
    election = add(plan_a, administrator, alameda, respite, effective_from=date(2026, 7, 1))
    error = refusal(
        lambda: services.election_remove(plan=plan_a, actor=administrator, election=election, removal_date=removal_date)
    )
    assert error.field == "removal_date" and next_valid in error.message
    assert not Notification.objects.exists()


def test_a_removal_takes_effect_in_the_future(plan_a, administrator, alameda, respite):
    """DOMAIN 9: a removal notifies ahead of it; 2026-01-01 has passed."""
    election = add(plan_a, administrator, alameda, respite, effective_from=date(2025, 7, 1))
    error = refusal(
        lambda: services.election_remove(
            plan=plan_a, actor=administrator, election=election, removal_date=date(2026, 1, 1)
        )
    )
    assert error.field == "removal_date" and "2027-01-01" in error.message


def test_a_removed_election_is_not_removed_twice(plan_a, administrator, alameda, respite):
    """DOMAIN 9: the removal is recorded once."""
    election = add(plan_a, administrator, alameda, respite, effective_from=date(2026, 7, 1))
    services.election_remove(plan=plan_a, actor=administrator, election=election, removal_date=JAN_2027)
    with pytest.raises(ConflictError):
        services.election_remove(plan=plan_a, actor=administrator, election=election, removal_date=date(2028, 1, 1))


def test_a_coordinator_may_not_remove(plan_a, administrator, coordinator, alameda, respite):
    """DOMAIN 1: removals are the plan administrator's."""
    election = add(plan_a, administrator, alameda, respite)
    with pytest.raises(ActionNotPermitted):
        services.election_remove(plan=plan_a, actor=coordinator, election=election, removal_date=date(2028, 1, 1))


def test_every_plan_role_reads_the_elections(plan_a, administrator, coordinator, alameda, respite):
    """DOMAIN 9: the elections are readable by every plan role."""
    election = add(plan_a, administrator, alameda, respite)
    assert list(elections_of(plan=plan_a, principal=coordinator)) == [election]


def test_the_demo_elects_services_in_its_counties(db):
    """DOMAIN 9 (issue 17): the demo plan elects several services in its counties, one removed."""
    call_command("demo_load", stdout=io.StringIO())
    with scopes_disabled():
        elections = Election.objects.filter(plan__code="golden-state")
        assert elections.count() >= 10 and elections.filter(removed_at__isnull=False).count() == 1
        assert AuditEvent.objects.filter(code="benefits.election.removed").count() == 1
