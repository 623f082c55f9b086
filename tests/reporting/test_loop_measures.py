"""The quarter's closed-loop referral and encounter measures (issue 18; DOMAIN 9, 10, 11): referrals
through the real services, sent in 2026 Q3 and Q4, answered, started and closed at known days;
encounters per service with in-person and telephonic or telehealth lines and a U8 from outreach.

Each figure is checked against what the dates make it: a referral sent on the quarter's last day is
0 days old, one sent 8 days before it is in the 8-30 band; the state at the quarter's end is the
state then, not now."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from benefits.models import ServiceCode
from community_supports.referral_models import ClosureReason, DeclineReason
from community_supports.referral_services import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_start_service,
)
from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from encounters.models import Encounter, EncounterSource
from outreach.measures import Quarter
from reporting.loop_measures import loop_measures
from tests.community_supports.referral_helpers import LA, NAVIGATION, approve, referral_world, shelter_referral
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")
Q4 = Quarter(2026, 4)
LAST_DAY = datetime(2026, 12, 31, 9, tzinfo=LA)


def at(day: date, hour=10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LA)


@pytest.fixture
def world(plan_a, make_membership):
    """Four of Hope Shelter's referrals to Bayside:
    - `started`: sent 1 October, accepted 3 October, authorized and started 6 October, closed
      "services received" 10 January 2027 (after the quarter: open, service started, at its end);
    - `declined`: sent 23 December (8 days before the last day), declined 24 December;
    - `waiting`: sent 31 December, unanswered (0 days old);
    - `earlier`: sent 15 September (Q3), accepted and closed "member declined" on 5 November."""
    world = referral_world(plan_a, make_membership)
    staff = world.bayside_staff

    def referred(day, **fields):
        world.member = enrolled_member(world.plan, email="member@example.org")
        return shelter_referral(world, at=at(day), **fields)

    world.started = referred(date(2026, 10, 1))
    with clocks.frozen(at(date(2026, 10, 3))):
        referral_accept(plan=world.plan, actor=staff, referral=world.started, provider_contact="(559) 555-0100")
    approve(world, world.started.request, at=at(date(2026, 10, 5)))
    with clocks.frozen(at(date(2026, 10, 6))):
        world.started.refresh_from_db()
        referral_start_service(plan=world.plan, actor=staff, referral=world.started)
    world.declined = referred(date(2026, 12, 23))
    with clocks.frozen(at(date(2026, 12, 24))):
        referral_decline(plan=world.plan, actor=staff, referral=world.declined, reason=DeclineReason.NO_CAPACITY)
    world.waiting = referred(date(2026, 12, 31))
    world.earlier = referred(date(2026, 9, 15))
    with clocks.frozen(at(date(2026, 9, 20))):
        referral_accept(plan=world.plan, actor=staff, referral=world.earlier, provider_contact="(559) 555-0100")
    with clocks.frozen(at(date(2026, 11, 5))):
        world.earlier.refresh_from_db()
        referral_close(plan=world.plan, actor=staff, referral=world.earlier, reason=ClosureReason.MEMBER_DECLINED)
    with clocks.frozen(at(date(2027, 1, 10))):
        world.started.refresh_from_db()
        referral_close(plan=world.plan, actor=staff, referral=world.started, reason=ClosureReason.SERVICES_RECEIVED)
    return world


def by_key(rows, value="count"):
    return {row["key"]: row[value] for row in rows}


def test_referrals_sent_and_closed_in_the_quarter(world):
    figures = loop_measures(plan=world.plan, quarter=Q4)["referrals"]
    assert figures["sent"] == 3
    assert by_key(figures["sent_by_service"]) == {NAVIGATION: 3}
    assert figures["closed"] == 1  # the September referral, closed in November; January's is Q1's
    assert by_key(figures["closed_by_reason"])[ClosureReason.MEMBER_DECLINED] == 1
    assert by_key(figures["closed_by_reason"])[ClosureReason.SERVICES_RECEIVED] == 0


def test_open_referrals_at_the_quarters_end_by_their_state_then_and_age(world):
    figures = loop_measures(plan=world.plan, quarter=Q4)["referrals"]
    # Closed in January, the October referral was still "service started" on 31 December.
    assert by_key(figures["open_at_end_by_state"]) == {"sent": 1, "accepted": 0, "declined": 1, "service_started": 1}
    assert by_key(figures["open_at_end_by_age"]) == {"0-7": 1, "8-30": 1, "31-60": 0, "61+": 1}


def test_days_to_acceptance_and_to_service(world):
    figures = loop_measures(plan=world.plan, quarter=Q4)["referrals"]
    # Accepted in Q4: the October referral, in 2 days (the September one was accepted in Q3).
    assert figures["days_to_acceptance"] == {"count": 1, "median_days": 2, "p90_days": 2, "longest_days": 2}
    assert figures["days_to_service"] == {"count": 1, "median_days": 5, "p90_days": 5, "longest_days": 5}
    q3 = loop_measures(plan=world.plan, quarter=Quarter(2026, 3))["referrals"]
    assert q3["days_to_acceptance"]["median_days"] == 5 and q3["days_to_service"]["count"] == 0


def test_a_quarter_without_referrals_or_encounters_has_empty_figures(world):
    figures = loop_measures(plan=world.plan, quarter=Quarter(2025, 4))
    assert figures["referrals"]["sent"] == 0 and figures["encounters"] == {"lines": 0, "by_service": []}
    assert figures["referrals"]["days_to_service"]["median_days"] is None


def encounter(world, member, hcpcs, modifiers, day, *, in_person, source=EncounterSource.INVOICE, units="1"):
    code = ServiceCode.objects.filter(hcpcs=hcpcs, modifiers=modifiers).first()
    padded = [*modifiers.split(), "", "", ""][:4]
    return Encounter.objects.create(
        plan=world.plan, member=member, organization=world.bayside, service=code.service, service_code=code,
        hcpcs=hcpcs, modifier_1=padded[0], modifier_2=padded[1], modifier_3=padded[2], modifier_4=padded[3],
        service_from=day, service_to=day, units=Decimal(units), in_person=in_person, source=source,
        idempotency_key=f"{hcpcs}-{modifiers}-{member.pk}-{day}", recorded_at=clocks.now(),
    )  # fmt: skip


def test_encounters_per_service_in_person_and_remote(world):
    member, other = world.started.member, world.declined.member
    encounter(world, member, "G9008", "U1", date(2026, 10, 2), in_person=True)
    encounter(world, member, "G9008", "U1 GQ", date(2026, 10, 9), in_person=False)
    encounter(world, other, "G9012", "U2", date(2026, 12, 31), in_person=True, units="2")
    encounter(
        world, other, "G9008", "U8 GQ", date(2026, 11, 2), in_person=False, source=EncounterSource.OUTREACH_ATTEMPT
    )
    encounter(world, other, "G9012", "U2", date(2027, 1, 1), in_person=True)  # Q1 2027
    figures = loop_measures(plan=world.plan, quarter=Q4)["encounters"]
    assert figures["lines"] == 4
    (ecm,) = figures["by_service"]
    assert ecm["key"] == "ecm" and (ecm["lines"], ecm["members"], ecm["units"]) == (4, 2, "5.00")
    assert (ecm["in_person"], ecm["telephonic_or_telehealth"], ecm["unsuccessful_outreach"]) == (2, 2, 1)


def test_the_page_and_the_api_show_the_quarter(client, world, make_membership, make_api_client):
    analyst = make_membership(world.plan, Role.REPORTING_ANALYST)
    client.force_login(analyst.user)
    with clocks.frozen(LAST_DAY):
        page = client.get("/reporting/referrals-encounters/")  # this quarter by default
        api = make_api_client(analyst).get("/api/v1/reporting/referrals-encounters/?year=2026&quarter=4")
        bad = client.get("/reporting/referrals-encounters/?year=2026&quarter=5")
        bad_api = make_api_client(analyst).get("/api/v1/reporting/referrals-encounters/?year=2019")
    assert page.status_code == 200 and b"3 sent in the quarter" in page.content
    assert b"Hope" not in page.content and world.member.last_name.encode() not in page.content  # figures only
    assert api.status_code == 200 and api.json()["referrals"]["sent"] == 3
    assert bad.status_code == 400 and bad_api.status_code == 400 and "year" in bad_api.json()["errors"][0]["attr"]


def test_another_plan_sees_none_of_it(world, plan_b, make_membership, make_api_client):
    api = make_api_client(make_membership(plan_b, Role.REPORTING_ANALYST))
    figures = api.get("/api/v1/reporting/referrals-encounters/?year=2026&quarter=4").json()
    assert figures["referrals"]["sent"] == 0 and figures["encounters"]["lines"] == 0
