"""An election removal reaches the members and providers it affects (DOMAIN 9; FAQ 24, 32): the
members holding the Community Support in that county get a discontinuation NOA effective on the
removal date, or 10 days after the notice when that is later (DOMAIN 5.3); the provider's staff are
told in-app; another county's and another service's members are untouched."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from authorizations.models import Notice, NoticeType, Status
from authorizations.services import request_start_services
from benefits import services
from benefits.models import Election
from ecm_platform import clocks
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import County, Role
from ecm_platform.tenancy.scoping import plan_scope
from tests.authorizations import helpers
from tests.community_supports.test_cs_approval import approve, reviewed
from tests.community_supports.test_cs_requests import MONDAY, build_world, cs_contract, elect, staff_of
from tests.factories import enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
LA = ZoneInfo("America/Los_Angeles")
TUESDAY = MONDAY + timedelta(days=1)
JAN_2027 = date(2027, 1, 1)


@pytest.fixture
def world(plan_a, make_membership):
    """build_world (sobering and respite in county 01 with Bayside) plus respite in county 07 with
    Provider 1, the plan administrator, and a care manager at each provider."""
    world = build_world(plan_a, make_membership)
    elect(plan_a, "respite", county="07")
    world.northside = organization(plan_a, 1)
    cs_contract(plan_a, world.northside, {"respite": 5}, counties=("07",))
    world.administrator = make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user
    world.bayside_staff = staff_of(plan_a, world.bayside).user
    world.northside_staff = staff_of(plan_a, world.northside).user
    return world


PERIOD = {"service_from": date(2026, 11, 17), "service_to": date(2027, 3, 31)}


def active(world, code, member=None, **fields):
    fields = {**PERIOD, **fields}
    request = approve(world, reviewed(world, code, member=member, **fields))
    with clocks.frozen(TUESDAY):
        return request_start_services(plan=world.plan, actor=world.coordinator, request=helpers.reload(request))


def remove(world, code, county="01", removal_date=JAN_2027, today=datetime(2026, 12, 1, 12, tzinfo=LA)):
    election = Election.objects.get(plan=world.plan, service__code=code, county__code=county)
    with clocks.frozen(today):
        return services.election_remove(
            plan=world.plan, actor=world.administrator, election=election, removal_date=removal_date
        )


def discontinuation_notices(request):
    return Notice.objects.filter(request=request, notice_type=NoticeType.DISCONTINUATION)


def test_the_member_in_the_county_gets_the_discontinuation_notice_and_the_provider_is_told(world):
    """DOMAIN 9 / FAQ 24: respite removed in county 01 from 2027-01-01: the member's respite is
    discontinued from that day with its NOA; the sobering center stay, and respite in county 07,
    are untouched; Bayside's care manager is told, Provider 1's staff are not."""
    respite = active(world, "respite", quantity=Decimal("24"))
    sobering = active(world, "sobering-centers", quantity=Decimal("12"))
    away = enrolled_member(world.plan, county=County.objects.get(code="07"))
    respite_away = active(world, "respite", member=away, quantity=Decimal("24"))
    remove(world, "respite")
    respite, sobering, respite_away = (helpers.reload(r) for r in (respite, sobering, respite_away))
    assert (respite.status, respite.discontinuation_effective_on) == (Status.ACTIVE, JAN_2027)
    assert respite.discontinuation_criterion == "service-no-longer-offered"
    assert discontinuation_notices(respite).count() == 1
    for untouched in (sobering, respite_away):
        assert untouched.discontinuation_effective_on is None and not discontinuation_notices(untouched).exists()
    told = Notification.objects.filter(recipient=world.bayside_staff)
    assert [n.text for n in told] == [
        f"Respite Services for member {world.member.cin} is discontinued from 2027-01-01: "
        f"{world.plan} no longer offers it in {respite.member.county}."
    ]
    assert not Notification.objects.filter(recipient=world.northside_staff).exists()


def test_the_notice_gives_ten_days(world):
    """DOMAIN 5.3: removed on 2026-12-28 from 2027-01-01: the discontinuation takes effect on
    2027-01-07, ten days after the notice; the notice is dated the day of the removal."""
    respite = active(world, "respite", quantity=Decimal("24"))
    remove(world, "respite", today=datetime(2026, 12, 28, 9, tzinfo=LA))
    respite = helpers.reload(respite)
    assert respite.discontinuation_effective_on == date(2027, 1, 7)
    assert discontinuation_notices(respite).count() == 1


def test_an_approved_request_not_started_is_left_approved_and_its_people_told(world):
    """DOMAIN 5.2: no services are in place, so no NOA; the coordinator and the provider are told
    to start it before the last day offered or not at all."""
    approved = approve(world, reviewed(world, "respite", quantity=Decimal("24"), **PERIOD))
    remove(world, "respite")
    approved = helpers.reload(approved)
    assert approved.status == Status.APPROVED and approved.discontinuation_effective_on is None
    assert not Notice.objects.filter(request=approved, notice_type=NoticeType.DISCONTINUATION).exists()
    expected = "is approved but not started"
    assert Notification.objects.filter(recipient=world.coordinator, text__contains=expected).count() == 1
    assert Notification.objects.filter(recipient=world.bayside_staff, text__contains=expected).count() == 1


def test_a_request_ending_before_the_removal_is_left_as_it_is(world):
    """DOMAIN 9: a respite period that ends on 2026-12-20 runs out before the service stops."""
    short = active(
        world, "respite", quantity=Decimal("24"), service_from=date(2026, 11, 17), service_to=date(2026, 12, 20)
    )
    remove(world, "respite")
    assert helpers.reload(short).discontinuation_effective_on is None
    assert not discontinuation_notices(short).exists()


def test_another_plans_members_in_the_county_are_untouched(world, plan_b, make_membership):
    """ARCHITECTURE: plan B also offers respite in county 01; plan A's removal leaves its member's
    respite as it is."""
    with plan_scope(plan_b):
        elect(plan_b, "respite")
        cs_contract(plan_b, world.bayside, {"respite": 5})
        theirs = SimpleNamespace(
            plan=plan_b,
            coordinator=make_membership(plan_b, Role.CARE_COORDINATOR).user,
            reviewer=make_membership(plan_b, Role.REVIEWER).user,
            member=enrolled_member(plan_b),
        )
        request = active(theirs, "respite", quantity=Decimal("24"))
    remove(world, "respite")
    with plan_scope(plan_b):
        assert helpers.reload(request).discontinuation_effective_on is None
        assert not discontinuation_notices(request).exists()
