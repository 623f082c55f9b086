"""Community Supports requests through the DOMAIN 5 lifecycle (DOMAIN 5.1, 5.2, 9): the service's
own clock (a plan's 12-hour sobering center clock, urgent services always expedited), the
sobering-center retro rule, one live request per member and service, and presumptive starts by a
contracted Community Supports provider where its contract allows."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from authorizations.models import RequestSource, Status, Urgency
from authorizations.services import request_start_presumptive, request_submit
from authorizations.views import clock_of
from benefits.models import CatalogueService, Election, ServiceClock
from ecm_platform import clocks
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from eligibility.models import PopulationOfFocus
from providers.models import Assignment
from providers.services import contract_create
from providers.staff import provider_membership_create
from tests.factories import UserFactory, activated, enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, 10, tzinfo=LA)  # a Monday, after every go-live and inside every contract


def cs_contract(plan, org, lines, presumptive=False, counties=("01",)):
    """An activated contract of `lines` ({code: capacity}) in `counties`."""
    return activated(
        contract_create(
            plan=plan, actor=OPERATOR, organization=org, counties=list(County.objects.filter(code__in=counties)),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": code, "capacity": capacity} for code, capacity in lines.items()],
            start_date=date(2025, 1, 1), is_presumptive_capable=presumptive,
        )
    )  # fmt: skip


def elect(plan, *codes, county="01"):
    """The plan offers `codes` in `county` from 1 January 2026 (DOMAIN 9)."""
    for code in codes:
        Election.objects.create(
            plan=plan, county=County.objects.get(code=county), service=CatalogueService.objects.get(code=code),
            effective_from=date(2026, 1, 1), created_at=clocks.now(),
        )  # fmt: skip


def staff_of(plan, org):
    """A care manager of `org`, acting for it in `plan`."""
    login = provider_membership_create(
        actor=OPERATOR, organization=org, user=UserFactory(), role=ProviderRole.CARE_MANAGER
    )
    return Principal.of_provider_membership(login, plan_ids=[plan.pk])


def service(code):
    return CatalogueService.objects.get(code=code)


def build_world(plan, make_membership):
    """The plan elects sobering centers and respite in county 01; Bayside (presumptive-capable)
    holds ECM, sobering and respite lines there; a member with no Population of Focus."""
    elect(plan, "sobering-centers", "respite")
    bayside = organization(plan, 0)
    cs_contract(plan, bayside, {"ecm": 5, "sobering-centers": 5, "respite": 5}, presumptive=True)
    return SimpleNamespace(
        plan=plan,
        coordinator=make_membership(plan, Role.CARE_COORDINATOR).user,
        reviewer=make_membership(plan, Role.REVIEWER).user,
        bayside=bayside,
        member=enrolled_member(plan),
    )


@pytest.fixture
def world(plan_a, make_membership):
    return build_world(plan_a, make_membership)


def submit(world, code, at=MONDAY, member=None, urgency=Urgency.ROUTINE, **fields):
    with clocks.frozen(at):
        return request_submit(
            plan=world.plan, actor=world.coordinator, member=member or world.member, source=RequestSource.PROVIDER_REFERRAL,
            urgency=urgency, received_at=at, service=service(code), **fields,
        )  # fmt: skip


# --- DOMAIN 5.1: each service's own clock ---------------------------------------------------------


def test_a_sobering_center_stay_is_decided_on_the_plans_12_hour_clock(world):
    """DOMAIN 5.1 / FAQ 28: the plan's 12-hour clock for sobering centers; the stay is urgent, so
    a request sent as routine is expedited. Due at receipt + 12 h: on time a minute before, overdue
    a minute after."""
    ServiceClock.objects.create(
        plan=world.plan, service=service("sobering-centers"), expedited_hours=12, updated_at=clocks.now()
    )
    request = submit(world, "sobering-centers")
    assert request.urgency == Urgency.EXPEDITED
    assert request.due_at == MONDAY + timedelta(hours=12)
    assert clock_of(request.due_at, MONDAY + timedelta(hours=11, minutes=59)).state != "overdue"
    assert clock_of(request.due_at, MONDAY + timedelta(hours=12, minutes=1)).state == "overdue"


def test_without_a_plan_clock_an_urgent_service_is_expedited_on_the_catalogues_72_hours(world):
    """DOMAIN 5.1: recuperative care is urgent (FAQ 28): always expedited, 72 elapsed hours."""
    request = submit(world, "recuperative-care")
    assert request.urgency == Urgency.EXPEDITED
    assert request.due_at == MONDAY + timedelta(hours=72)


def test_a_non_urgent_service_asked_as_routine_is_routine(world):
    """DOMAIN 5.1: respite is not urgent: routine, due by the end of the 5th working day
    (Mon 16 Nov 2026 → Mon 23 Nov, 23:59:59 PST), as ECM would be."""
    request = submit(world, "respite", service_from=date(2026, 11, 20), service_to=date(2026, 11, 22),
                     quantity=Decimal("48"))  # fmt: skip
    assert request.urgency == Urgency.ROUTINE
    assert request.due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=LA)
    assert (request.service_from, request.service_to, request.quantity) == (
        date(2026, 11, 20), date(2026, 11, 22), Decimal("48"),
    )  # fmt: skip


def test_a_period_ending_before_it_starts_or_no_quantity_is_refused(world):
    """DOMAIN 9: the authorized period runs forward and the quantity is more than zero."""
    with pytest.raises(DomainError) as backwards:
        submit(world, "respite", service_from=date(2026, 11, 20), service_to=date(2026, 11, 19))
    assert backwards.value.field == "service_to"
    with pytest.raises(DomainError) as nothing:
        submit(world, "respite", quantity=Decimal("0"))
    assert nothing.value.field == "quantity"


def test_a_community_support_claims_no_population_of_focus(world):
    """DOMAIN 9: Populations of Focus are ECM's; a Community Support has its own criteria."""
    with pytest.raises(DomainError) as refused:
        submit(world, "respite", pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")))
    assert refused.value.field == "pofs"


# --- DOMAIN 9: sobering centers may be authorized retroactively -----------------------------------


def test_a_sobering_center_stay_is_authorized_after_it_began(world):
    """DOMAIN 9: a sobering center stay that began three hours before the request."""
    began = MONDAY - timedelta(hours=3)
    request = submit(world, "sobering-centers", service_began_at=began)
    assert request.service_began_at == began


def test_a_retroactive_stay_begins_before_the_request(world):
    """DOMAIN 9: retroactive means before receipt; a stay beginning after it is not retroactive."""
    with pytest.raises(DomainError) as refused:
        submit(world, "sobering-centers", service_began_at=MONDAY + timedelta(minutes=5))
    assert refused.value.field == "service_began_at"


@pytest.mark.parametrize("code", ["respite", "ecm"])
def test_no_other_service_is_authorized_retroactively(world, code):
    """DOMAIN 9: only sobering centers; the refusal names the rule."""
    with pytest.raises(DomainError) as refused:
        submit(world, code, service_began_at=MONDAY - timedelta(hours=3))
    assert refused.value.field == "service_began_at"
    assert refused.value.code == "retroactive_not_allowed"
    assert "only sobering center" in refused.value.message


# --- DOMAIN 5.2 duplicates: per member and service ------------------------------------------------


def test_a_member_holds_one_live_request_per_service(world):
    """DOMAIN 5.2/9: a second sobering request is a duplicate (409); respite alongside is not, and
    neither needs ECM."""
    submit(world, "sobering-centers")
    with pytest.raises(ConflictError) as duplicate:
        submit(world, "sobering-centers")
    assert duplicate.value.code == "open_request_exists"
    assert submit(world, "respite").status == Status.RECEIVED
    assert not world.member.authorization_requests.filter(service__code="ecm").exists()


def test_an_ecm_request_takes_no_service_period(world):
    """ECM is unchanged: no Community Support fields."""
    with pytest.raises(DomainError) as refused:
        submit(world, "ecm", quantity=Decimal("1"))
    assert refused.value.field == "quantity"


# --- DOMAIN 5.1/9: presumptive starts by a contracted Community Supports provider ------------------


def start_presumptive(world, org, code, member=None, **fields):
    with clocks.frozen(MONDAY):
        return request_start_presumptive(
            plan=world.plan, actor=staff_of(world.plan, org), member=member or world.member, organization=org,
            service=service(code), **fields,
        )  # fmt: skip


def test_a_presumptive_capable_provider_starts_a_community_support_on_its_line(world):
    """DOMAIN 5.1/9: Bayside's presumptive-capable contract has a sobering line: the member is placed
    there (a ServiceAssignment), not given an ECM Assignment."""
    request = start_presumptive(world, world.bayside, "sobering-centers")
    assert request.status == Status.PRESUMPTIVE
    assert request.service.code == "sobering-centers"
    placement = request.service_assignment
    assert placement.organization == world.bayside
    assert placement.line.service.code == "sobering-centers" and placement.started_on == date(2026, 11, 16)
    assert not Assignment.objects.filter(member=world.member).exists()


def test_a_provider_whose_contract_is_not_presumptive_capable_cannot_start(world):
    """DOMAIN 5.1: only a presumptive-capable contract allows it."""
    harbor = organization(world.plan, 1)
    cs_contract(world.plan, harbor, {"respite": 5}, presumptive=False)
    with pytest.raises(DomainError) as refused:
        start_presumptive(world, harbor, "respite")
    assert refused.value.field == "organization"
    assert not world.member.authorization_requests.exists()


def test_a_presumptive_contract_without_a_line_for_the_service_cannot_start_it(world):
    """DOMAIN 9: the contract in force must cover that service."""
    elect(world.plan, "medically-tailored-meals")
    with pytest.raises(DomainError) as refused:
        start_presumptive(world, world.bayside, "medically-tailored-meals")
    assert refused.value.field == "organization"
    assert "Medically Tailored Meals" in refused.value.message


def test_a_presumptive_start_needs_a_place_on_the_line(world):
    """DOMAIN 7/9: a full line takes no presumptive member; nothing is written."""
    quay = organization(world.plan, 2)
    cs_contract(world.plan, quay, {"sobering-centers": 1}, presumptive=True)
    start_presumptive(world, quay, "sobering-centers", member=enrolled_member(world.plan))
    with pytest.raises(DomainError) as refused:
        start_presumptive(world, quay, "sobering-centers")
    assert refused.value.code == "no_capacity"
    assert not world.member.authorization_requests.exists()
