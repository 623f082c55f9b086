"""Community Supports delivered (DOMAIN 9): a delivery is recorded under an active authorization,
inside its authorized period and quantity, by the plan's coordinators or the provider the member is
placed with, and the service's limits are checked again before it is recorded as delivered
(respite 336 hours per calendar year, both sides of the boundary and across a year).

The authorizations are made through the real lifecycle: submitted, reviewed, approved on the
service's checklist (placing the member with the contracted provider) and started."""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from authorizations.models import RequestSource
from authorizations.services import request_approve, request_start_review, request_start_services, request_submit
from benefits.models import CatalogueService, Election
from community_supports.models import Delivery
from community_supports.services import delivery_record
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import County, ProviderRole, Role
from eligibility.models import PopulationOfFocus
from providers.models import AssignmentEndReason
from providers.services import contract_create, service_assignment_end
from providers.staff import provider_membership_create
from tests.factories import UserFactory, activated, enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")
LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, 10, tzinfo=LA)  # the authorizations are decided and started that day
LATER = datetime(2027, 4, 1, 10, tzinfo=LA)  # deliveries are recorded once they happened


def service(code) -> CatalogueService:
    return CatalogueService.objects.get(code=code)


def cs_contract(plan, org, lines):
    return activated(
        contract_create(
            plan=plan, actor=OPERATOR, organization=org, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": code, "capacity": capacity} for code, capacity in lines.items()],
            start_date=date(2025, 1, 1),
        )
    )  # fmt: skip


def staff_of(plan, org, role=ProviderRole.CARE_MANAGER) -> Principal:
    login = provider_membership_create(actor=OPERATOR, organization=org, user=UserFactory(), role=role)
    return Principal.of_provider_membership(login, plan_ids=[plan.pk])


def cs_world(plan, make_membership):
    """The plan elects respite and medically tailored meals in county 01 (DOMAIN 9); Bayside holds
    their contract lines, Harbor a respite line elsewhere; a member with no ECM."""
    for code in ("respite", "medically-tailored-meals"):
        Election.objects.create(
            plan=plan, county=County.objects.get(code="01"), service=service(code),
            effective_from=date(2026, 1, 1), created_at=clocks.now(),
        )  # fmt: skip
    bayside = organization(plan, 0)
    cs_contract(plan, bayside, {"respite": 5, "medically-tailored-meals": 5})
    harbor = organization(plan, 1)
    return SimpleNamespace(
        plan=plan,
        coordinator=make_membership(plan, Role.CARE_COORDINATOR).user,
        reviewer=make_membership(plan, Role.REVIEWER).user,
        bayside=bayside,
        harbor=harbor,
        member=enrolled_member(plan),
    )


@pytest.fixture
def world(plan_a, make_membership):
    return cs_world(plan_a, make_membership)


def active_request(world, code, *, service_from, service_to, quantity, override="", member=None):
    """DOMAIN 5.2, 9: submitted, reviewed, approved on the service's checklist (the member placed
    with the contracted provider) and started, all on MONDAY."""
    with clocks.frozen(MONDAY):
        request = request_submit(
            plan=world.plan, actor=world.coordinator, member=member or world.member,
            source=RequestSource.PROVIDER_REFERRAL, service=service(code), service_from=service_from,
            service_to=service_to, quantity=quantity,
        )  # fmt: skip
        request = request_start_review(plan=world.plan, actor=world.reviewer, request=request)
        request = request_approve(
            plan=world.plan, actor=world.reviewer, request=request,
            criteria_met=service(code).eligibility_criteria, limit_override_reason=override,
        )  # fmt: skip
        return request_start_services(plan=world.plan, actor=world.coordinator, request=request)


@pytest.fixture
def respite(world):
    """Respite authorized from MONDAY to 31 March 2027, 200 hours."""
    return active_request(
        world, "respite", service_from=date(2026, 11, 16), service_to=date(2027, 3, 31), quantity=Decimal("200")
    )


def record(world, request, first, last, quantity=None, actor=None, **fields):
    with clocks.frozen(LATER):
        return delivery_record(
            plan=world.plan, actor=actor or world.coordinator, request=request, delivered_from=first,
            delivered_to=last, quantity=None if quantity is None else Decimal(quantity), **fields,
        )  # fmt: skip


def test_a_delivery_inside_the_period_is_recorded_with_the_provider_and_an_audit_event(world, respite):
    """DOMAIN 9: what the member received under the authorization, the placed provider's."""
    delivery = record(world, respite, date(2026, 11, 20), date(2026, 11, 21), "16", notes="Weekend relief")
    assert (delivery.member, delivery.organization, delivery.quantity) == (world.member, world.bayside, Decimal("16"))
    assert delivery.recorded_by == world.coordinator and delivery.limit_override_reason == ""
    event = AuditEvent.objects.get(code="community_supports.delivery.recorded", target_id=str(delivery.pk))
    assert event.payload["request"] == respite.pk and event.payload["quantity"] == "16"


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2026, 11, 15), date(2026, 11, 16), "delivered_from"),  # the day before the period
        (date(2027, 3, 31), date(2027, 4, 1), "delivered_to"),  # a day past it (and today)
        (date(2026, 11, 21), date(2026, 11, 20), "delivered_to"),  # ends before it starts
    ],
)
def test_a_delivery_outside_the_authorized_period_is_refused(world, respite, first, last, field):
    """DOMAIN 9: the delivery's days are inside service_from..service_to."""
    with pytest.raises(DomainError) as refused:
        record(world, respite, first, last, "8")
    assert refused.value.field == field
    assert not Delivery.objects.exists()


def test_the_first_and_last_days_of_the_period_are_inside_it(world, respite):
    """DOMAIN 9: both boundary days of the authorized period may be delivered."""
    record(world, respite, date(2026, 11, 16), date(2026, 11, 16), "4")
    record(world, respite, date(2027, 3, 31), date(2027, 3, 31), "4")
    assert Delivery.objects.count() == 2


def test_a_delivery_before_services_started_or_in_the_future_is_refused(world, make_membership):
    """DOMAIN 9: from the day services started, and only once it happened."""
    request = active_request(
        world, "respite", service_from=date(2026, 11, 2), service_to=date(2027, 12, 31), quantity=Decimal("100")
    )
    with pytest.raises(DomainError) as early:
        record(world, request, date(2026, 11, 10), date(2026, 11, 10), "4")  # authorized, not started yet
    assert (early.value.field, early.value.code) == ("delivered_from", "outside_period")
    with pytest.raises(DomainError) as future:
        record(world, request, date(2027, 4, 1), date(2027, 4, 2), "4")
    assert future.value.field == "delivered_to"


def test_deliveries_never_add_up_above_the_authorized_quantity(world, respite):
    """DOMAIN 9: 200 hours authorized: 150 then 50 fit exactly; one more hour does not."""
    record(world, respite, date(2026, 11, 20), date(2026, 11, 30), "150")
    record(world, respite, date(2026, 12, 1), date(2026, 12, 5), "50")
    with pytest.raises(DomainError) as refused:
        record(world, respite, date(2026, 12, 6), date(2026, 12, 6), "1")
    assert (refused.value.field, refused.value.code) == ("quantity", "above_authorized")
    assert Delivery.objects.count() == 2


def test_an_authorization_with_a_quantity_needs_the_quantity_delivered(world, respite):
    with pytest.raises(DomainError) as refused:
        record(world, respite, date(2026, 11, 20), date(2026, 11, 20))
    assert refused.value.field == "quantity"


def test_meals_a_day_are_compared_per_day_not_added_up(world):
    """DOMAIN 9: medically tailored meals, 2 a day: each delivery's meals a day at most the
    authorized 2, however many deliveries."""
    meals = active_request(
        world, "medically-tailored-meals", service_from=date(2026, 11, 16), service_to=date(2027, 1, 31),
        quantity=Decimal("2"),
    )  # fmt: skip
    record(world, meals, date(2026, 11, 16), date(2026, 11, 22), "2")
    record(world, meals, date(2026, 11, 23), date(2026, 11, 29), "2")
    with pytest.raises(DomainError) as refused:
        record(world, meals, date(2026, 11, 30), date(2026, 12, 6), "3")
    assert refused.value.code == "above_authorized"


def test_the_placed_providers_staff_record_and_another_providers_are_refused(world, respite):
    """DOMAIN 9: the provider the approval placed the member with records its deliveries; staff of
    another provider of the plan may not, nor a plan role without the capability."""
    own = record(world, respite, date(2026, 11, 20), date(2026, 11, 20), "8", actor=staff_of(world.plan, world.bayside))
    assert own.organization == world.bayside
    cs_contract(world.plan, world.harbor, {"respite": 5})
    with pytest.raises(ActionNotPermitted):
        record(world, respite, date(2026, 11, 21), date(2026, 11, 21), "8", actor=staff_of(world.plan, world.harbor))
    with pytest.raises(ActionNotPermitted):  # outreach staff hold no delivery capability
        record(world, respite, date(2026, 11, 21), date(2026, 11, 21), "8",
               actor=staff_of(world.plan, world.bayside, ProviderRole.OUTREACH_STAFF))  # fmt: skip
    with pytest.raises(ActionNotPermitted):
        record(world, respite, date(2026, 11, 21), date(2026, 11, 21), "8", actor=world.reviewer)
    assert list(Delivery.objects.all()) == [own]


def test_a_request_not_active_takes_no_delivery(world):
    """DOMAIN 9: only once services started (an approved request has not)."""
    with clocks.frozen(MONDAY):
        request = request_submit(
            plan=world.plan, actor=world.coordinator, member=world.member, source=RequestSource.PROVIDER_REFERRAL,
            service=service("respite"), service_from=date(2026, 11, 16), service_to=date(2027, 3, 31),
            quantity=Decimal("20"),
        )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        record(world, request, date(2026, 11, 20), date(2026, 11, 20), "4")
    assert refused.value.code == "not_active"


@pytest.fixture
def respite_over_the_year(world):
    """400 hours of respite from 16 November 2026 to 31 March 2027, approved above the 336 hours a
    calendar year with a reason (respite allows exceptions, DOMAIN 9)."""
    return active_request(
        world, "respite", service_from=date(2026, 11, 16), service_to=date(2027, 3, 31), quantity=Decimal("400"),
        override="Caregiver hospitalized: more relief needed this winter.",
    )  # fmt: skip


def test_respite_336_hours_a_calendar_year_is_checked_again_on_delivery(world, respite_over_the_year):
    """DOMAIN 9: respite 336 hours per calendar year, weighed on delivery against the member's
    deliveries: 300 + 36 = 336 hours in 2026 is inside the limit; the 337th hour passes it, so it
    needs a reason, and is recorded with one."""
    request = respite_over_the_year
    record(world, request, date(2026, 11, 16), date(2026, 11, 30), "300")
    at_limit = record(world, request, date(2026, 12, 1), date(2026, 12, 10), "36")
    assert at_limit.limit_override_reason == ""
    with pytest.raises(DomainError) as refused:
        record(world, request, date(2026, 12, 11), date(2026, 12, 11), "1")
    assert (refused.value.field, refused.value.code) == ("limit_override_reason", "limit_override_reason_required")
    assert "336" in refused.value.message
    passed = record(world, request, date(2026, 12, 11), date(2026, 12, 11), "1", limit_override_reason="Respite crisis")
    assert passed.limit_override_reason == "Respite crisis"
    event = AuditEvent.objects.get(code="community_supports.delivery.recorded", target_id=str(passed.pk))
    assert len(event.payload["limits_passed_with_reason"]) == 1


def test_respite_hours_of_a_new_calendar_year_count_afresh(world, respite_over_the_year):
    """DOMAIN 9: per calendar year: 336 hours in December 2026, then January 2027 starts at 0."""
    record(world, respite_over_the_year, date(2026, 12, 1), date(2026, 12, 31), "336")
    january = record(world, respite_over_the_year, date(2027, 1, 4), date(2027, 1, 8), "40")
    assert january.limit_override_reason == ""


def test_an_override_reason_is_kept_only_where_a_limit_was_passed(world, respite):
    """DOMAIN 9: a reason given for a delivery within every limit is not recorded as an override."""
    delivery = record(world, respite, date(2026, 11, 20), date(2026, 11, 20), "4", limit_override_reason="Just in case")
    assert delivery.limit_override_reason == ""


def test_a_delivery_after_the_placement_ended_is_refused(world, respite):
    """DOMAIN 9 (review of issue 17): a placement ended early (a contract end) takes no delivery
    dated after its last day; up to it, the late report is still taken."""
    with clocks.frozen(LATER):
        service_assignment_end(
            plan=world.plan, actor=OPERATOR, assignment=respite.service_assignment, on=date(2026, 11, 30),
            reason=AssignmentEndReason.CONTRACT_ENDED,
        )  # fmt: skip
    respite.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        record(world, respite, date(2026, 11, 30), date(2026, 12, 1), "8")
    assert (refused.value.field, refused.value.code) == ("delivered_to", "placement_ended")
    assert record(world, respite, date(2026, 11, 29), date(2026, 11, 30), "8").organization == world.bayside
