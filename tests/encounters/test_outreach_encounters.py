"""Unsuccessful outreach becomes U8 encounters (DOMAIN 8, 11; cs-codes.csv: G9008 or G9012 U8,
with GQ when not in person): one per attempt, once, recorded with the attempt; successful attempts,
attempts that do not count and the plan's own outreach make none."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits.models import ServiceCode
from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import Role
from encounters.models import Encounter, EncounterSource
from encounters.services import outreach_encounters_record
from outreach.attempts import attempt_record, attempts_record_bulk
from outreach.models import Method, Outcome, TargetKind
from tests.conftest import membership_of
from tests.outreach.world import (
    MONDAY,
    approved_member,
    engagement_of,
    identified_member,
    organization_of,
    staff_of,
    synced,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")
LATER = MONDAY + timedelta(days=1)


@pytest.fixture
def assigned(plan_a):
    """A member approved and assigned to Eastbay, and Eastbay's outreach staff."""
    organization = organization_of(plan_a)
    coordinator = membership_of(plan_a, Role.CARE_COORDINATOR).user
    request = approved_member(plan_a, coordinator, membership_of(plan_a, Role.REVIEWER).user)
    synced(plan_a)
    engagement = engagement_of(plan_a, request.member, kind=TargetKind.ASSIGNED)
    return engagement, staff_of(plan_a, organization), request


def attempt(plan, actor, engagement, method, outcome, at: datetime = MONDAY):
    with clocks.frozen(LATER):
        return attempt_record(
            plan=plan, actor=actor, engagement=engagement, attempted_at=at, method=method,
            asks_for_response=None, outcome=outcome, minutes=10,
        )  # fmt: skip


def test_an_unsuccessful_call_is_a_telephonic_u8_encounter(plan_a, assigned):
    engagement, staff, request = assigned
    made = attempt(plan_a, staff, engagement, Method.TELEPHONE, Outcome.NO_ANSWER)
    encounter = Encounter.objects.get()
    assert (encounter.outreach_attempt, encounter.source, encounter.hcpcs, encounter.modifiers) == (
        made, EncounterSource.OUTREACH_ATTEMPT, "G9012", "U8 GQ",
    )  # fmt: skip
    assert (encounter.service.code, encounter.service_code.modifiers, encounter.in_person) == ("ecm", "U8 GQ", False)
    assert (encounter.member, encounter.organization_id) == (engagement.member, engagement.organization_id)
    assert (encounter.service_from, encounter.authorization_request) == (MONDAY.date(), request)


def test_an_unsuccessful_visit_is_in_person_and_a_successful_one_is_none(plan_a, assigned):
    engagement, staff, _ = assigned
    attempt(plan_a, staff, engagement, Method.IN_PERSON, Outcome.NO_ANSWER)
    attempt(plan_a, staff, engagement, Method.IN_PERSON, Outcome.REACHED_MEMBER, at=MONDAY + timedelta(hours=1))
    assert list(Encounter.objects.values_list("modifier_1", "modifier_2", "in_person")) == [("U8", "", True)]


def test_an_attempt_that_does_not_count_makes_no_encounter(plan_a, assigned):
    """DOMAIN 8: postal mail is never reported as outreach."""
    engagement, staff, _ = assigned
    attempt(plan_a, staff, engagement, Method.POSTAL_MAIL, Outcome.NO_ANSWER)
    assert not Encounter.objects.exists()


def test_a_bulk_load_codes_each_unsuccessful_attempt_once(plan_a, assigned):
    engagement, staff, _ = assigned
    rows = [
        {"engagement": engagement.pk, "attempted_at": MONDAY + timedelta(hours=hour), "method": Method.TELEPHONE,
         "asks_for_response": None, "outcome": Outcome.NO_ANSWER, "minutes": 5}
        for hour in range(3)
    ]  # fmt: skip
    with clocks.frozen(LATER):
        attempts = attempts_record_bulk(plan=plan_a, actor=staff, rows=rows)
    assert sorted(Encounter.objects.values_list("outreach_attempt_id", flat=True)) == sorted(a.pk for a in attempts)
    assert Encounter.objects.filter(idempotency_key=f"outreach-attempt:{attempts[0].pk}").count() == 1


def test_the_plans_own_outreach_makes_no_provider_encounter(plan_a):
    member = identified_member(plan_a)
    synced(plan_a)
    engagement = engagement_of(plan_a, member, kind=TargetKind.IDENTIFIED)
    coordinator = membership_of(plan_a, Role.CARE_COORDINATOR).user
    attempt(plan_a, coordinator, engagement, Method.TELEPHONE, Outcome.NO_ANSWER)
    assert not Encounter.objects.exists()


def test_the_outreach_codes_are_read_once_for_many_attempts(plan_a, assigned):
    """ARCHITECTURE (set-based): the coding guidance is loaded once, not once an attempt."""
    engagement, staff, _ = assigned
    rows = [
        {"engagement": engagement.pk, "attempted_at": MONDAY + timedelta(hours=hour), "method": method,
         "asks_for_response": None, "outcome": Outcome.NO_ANSWER, "minutes": 5}
        for hour, method in enumerate([Method.TELEPHONE, Method.IN_PERSON, Method.TELEPHONE, Method.IN_PERSON])
    ]  # fmt: skip
    with clocks.frozen(LATER):
        attempts = attempts_record_bulk(plan=plan_a, actor=staff, rows=rows)
    Encounter.objects.all().delete()
    job = Principal.system("outreach-encounters", Capability.OUTREACH_ENCOUNTERS_RECORD, plan=plan_a)
    with CaptureQueriesContext(connection) as queries:
        recorded = outreach_encounters_record(plan=plan_a, actor=job, attempts=attempts)
    assert [encounter.modifiers for encounter in recorded] == ["U8 GQ", "U8", "U8 GQ", "U8"]
    table = ServiceCode._meta.db_table
    assert sum(f'FROM "{table}"' in query["sql"] for query in queries.captured_queries) == 1
