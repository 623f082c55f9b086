"""Isolation specs for Community Supports placements, deliveries and expedited clocks (DOMAIN 5.1, 9),
merged into test_isolation.py's specs (plan B's roles against plan A) and test_provider_isolation.py's
(provider X's staff against provider Y's and plan B's placements).

Objects: {cs_request}, an active respite authorization of {member} placed with a provider
(placement_world below), and {delivery}, one delivery under it noted with the plan's marker; plan A
also sets its own respite clock. Every write names plan A's authorization or clock in plan A's
scope only, so it must be refused (4xx) or touch plan B's own rows; cs_snapshot is what the
harnesses compare.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, RequestSource, Status
from benefits.clock_services import service_clock_set
from benefits.models import CatalogueService, Election, ServiceClock
from community_supports.models import Delivery
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import ServiceAssignment
from providers.services import contract_create, service_assignment_create
from tests.factories import UserFactory, activated
from tests.isolation.harness import Call

STARTED = datetime(2026, 11, 16, 18, tzinfo=UTC)
PERIOD = {"service_from": date(2026, 11, 16), "service_to": date(2027, 3, 31), "quantity": Decimal("200")}
DELIVERY_FORM = {"delivered_from": "2026-11-20", "delivered_to": "2026-11-20", "quantity": "4"}
DELIVERY = {"request": "{cs_request}"} | DELIVERY_FORM
CLOCKS = "/api/v1/community-supports/clocks/"
DELIVERIES = "/api/v1/community-supports/deliveries/"
PROVIDER_AUTHORIZATIONS = "/api/v1/provider/authorizations/"
PROVIDER_DELIVERIES = "/api/v1/provider/community-supports/deliveries/"
PLACEMENT_PAGE = "/provider/community-supports/{cs_request}/"

PAGE_SPECS: dict = {
    "community-supports-deliveries": [Call("get", "/community-supports/deliveries/")],
    "community-supports-member": [Call("get", "/community-supports/members/{member}/", foreign=True)],
    "community-supports-request": [
        Call("get", "/community-supports/requests/{cs_request}/", foreign=True),
        Call("post", "/community-supports/requests/{cs_request}/", foreign=True, data=DELIVERY_FORM),
    ],
    "settings-service-clocks": [
        Call("get", "/settings/community-supports/clocks/"),
        Call("post", "/settings/community-supports/clocks/", data={"service": "respite", "expedited_hours": "30"}),
    ],
    "settings-service-clock-clear": [Call("post", "/settings/community-supports/clocks/respite/clear/")],
    "provider-authorizations": [Call("get", "/provider/authorizations/")],
    "provider-community-supports": [Call("get", "/provider/community-supports/")],
    "provider-community-supports-offered": [
        Call("get", "/provider/community-supports/offered/?plan=plan-a&county=01&on=2027-01-01"),
        Call("get", "/provider/community-supports/offered/?plan=plan-b&county=01&on=2027-01-01"),
    ],
    "provider-community-supports-placement": [
        Call("get", PLACEMENT_PAGE, foreign=True),
        Call("post", PLACEMENT_PAGE, foreign=True, data=DELIVERY_FORM),
    ],
}
# The pages provider staff use: the provider harness runs them, and leaves them out of "plan pages
# refuse provider staff".
PROVIDER_PAGES = [name for name in sorted(PAGE_SPECS) if name.startswith("provider-")]
PROVIDER_PAGE_CALLS = [call for name in PROVIDER_PAGES for call in PAGE_SPECS[name]]

API_SPECS: dict = {
    ("GET", CLOCKS): [Call("get", CLOCKS)],
    ("GET", f"{CLOCKS}{{code}}/"): [Call("get", f"{CLOCKS}respite/")],
    ("PUT", f"{CLOCKS}{{code}}/"): [Call("put", f"{CLOCKS}respite/", data={"expedited_hours": 30})],
    ("DELETE", f"{CLOCKS}{{code}}/"): [Call("delete", f"{CLOCKS}respite/")],
    ("GET", DELIVERIES): [
        Call("get", DELIVERIES, lists="delivery"),
        Call("get", f"{DELIVERIES}?request={{cs_request}}&member={{member}}", lists="delivery"),
    ],
    ("POST", DELIVERIES): [Call("post", DELIVERIES, data=DELIVERY)],
    ("GET", f"{DELIVERIES}{{id}}/"): [Call("get", f"{DELIVERIES}{{delivery}}/", foreign=True)],
}
PROVIDER_SPECS: dict = {
    ("GET", PROVIDER_AUTHORIZATIONS): [
        Call("get", PROVIDER_AUTHORIZATIONS, lists="cs_request"),
        Call("get", f"{PROVIDER_AUTHORIZATIONS}?plan=plan-b", lists="cs_request"),
    ],
    ("GET", f"{PROVIDER_AUTHORIZATIONS}{{id}}/"): [
        Call("get", f"{PROVIDER_AUTHORIZATIONS}{{cs_request}}/", foreign=True)
    ],
    ("GET", PROVIDER_DELIVERIES): [
        Call("get", PROVIDER_DELIVERIES, lists="delivery"),
        Call("get", f"{PROVIDER_DELIVERIES}?plan=plan-b", lists="delivery"),
    ],
    ("POST", PROVIDER_DELIVERIES): [Call("post", PROVIDER_DELIVERIES, data=DELIVERY)],
}


def placement_world(plan, organization, member, name) -> AuthorizationRequest:
    """The plan offers respite in county 01 and contracts `organization` for it; `member` is placed
    there under an active respite authorization (200 hours to 31 March 2027) with one delivery
    noted with `name`. Rows as the lifecycle leaves them: the lifecycle's own tests are elsewhere."""
    with scopes_disabled():
        county, respite = County.objects.get(code="01"), CatalogueService.objects.get(code="respite")
        Election.objects.get_or_create(
            plan=plan, county=county, service=respite,
            defaults={"effective_from": date(2026, 1, 1), "created_at": STARTED},
        )  # fmt: skip
        contract = activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=[county],
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), lines=[{"service": respite, "capacity": 5}],
            start_date=date(2025, 1, 1),
        ))  # fmt: skip
        placement = service_assignment_create(
            plan=plan, actor=OPERATOR, member=member, line=contract.lines.get(), started_on=PERIOD["service_from"],
            until=PERIOD["service_to"],
        )  # fmt: skip
        request = AuthorizationRequest.objects.create(
            plan=plan, member=member, service=respite, source=RequestSource.PROVIDER_REFERRAL, received_at=STARTED,
            due_at=STARTED, status=Status.ACTIVE, decision="full", decided_at=STARTED,
            services_started_on=PERIOD["service_from"], service_assignment=placement, notes=f"{name} respite",
            created_at=STARTED, updated_at=STARTED, **PERIOD,
        )  # fmt: skip
        Delivery.objects.create(
            plan=plan, request=request, member=member, organization=organization, delivered_from=date(2026, 11, 18),
            delivered_to=date(2026, 11, 18), quantity=Decimal("6"), notes=f"{name} delivery",
            recorded_by=UserFactory(), recorded_at=STARTED,
        )  # fmt: skip
        return request


def community_supports_world(plan, member, organization, name):
    """The plan's placement (placement_world) and its own 12-hour respite clock."""
    placement_world(plan, organization, member, name)
    with scopes_disabled():
        service_clock_set(
            plan=plan, actor=OPERATOR, service=CatalogueService.objects.get(code="respite"), expedited_hours=12
        )


def objects_of(plan) -> dict:
    with scopes_disabled():
        delivery = Delivery.objects.filter(plan=plan).values_list("pk", "request_id").first()
    return {"delivery": delivery[0], "cs_request": delivery[1]}


def provider_objects_of(request: AuthorizationRequest) -> dict:
    """For the provider harness: a placement's authorization and its delivery."""
    with scopes_disabled():
        delivery = Delivery.objects.filter(request=request).values_list("pk", flat=True).get()
    return {"cs_request": request.pk, "delivery": delivery}


def cs_snapshot(plan=None) -> tuple:
    """Placements, deliveries and clocks (of `plan`, or of every plan for the provider harness)."""
    where = {"plan": plan} if plan is not None else {}
    with scopes_disabled():
        return (
            sorted(ServiceAssignment.objects.filter(**where).values_list("pk", "organization_id", "ended_on")),
            sorted(Delivery.objects.filter(**where).values_list("pk", "request_id", "quantity")),
            sorted(ServiceClock.objects.filter(**where).values_list("plan_id", "service_id", "expedited_hours")),
        )
