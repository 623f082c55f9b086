"""The plan's expedited decision clock per Community Support (DOMAIN 5.1; FAQ 28): the plan
administrator sets a shorter clock than the catalogue's (e.g. 12 hours for a sobering center stay)
or clears it; `benefits.selectors.expedited_hours_of` reads it."""

from django.db import transaction

from benefits.models import CatalogueService, ServiceClock, ServiceKind
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan

MIN_HOURS, MAX_HOURS = 1, 72  # DOMAIN 5.1: never longer than the 72-hour expedited clock


def service_clocks_of(*, plan: HealthPlan, principal):
    """The Community Supports with the plan's clock where it set one (`plan_clock`, else None)."""
    require(principal, Capability.SERVICE_CLOCKS_MANAGE, plan=plan)
    services = list(CatalogueService.objects.filter(kind=ServiceKind.COMMUNITY_SUPPORT))
    configured = dict(ServiceClock.objects.filter(plan=plan).values_list("service_id", "expedited_hours"))
    for service in services:
        service.plan_clock = configured.get(service.pk)
    return services


def _community_support(service: CatalogueService) -> None:
    if service.kind != ServiceKind.COMMUNITY_SUPPORT:
        raise DomainError(
            f"{service.name} is not a Community Support: its expedited clock is 72 hours.", field="service"
        )


@transaction.atomic
def service_clock_set(*, plan: HealthPlan, actor, service: CatalogueService, expedited_hours: int) -> ServiceClock:
    """The plan decides expedited requests for `service` within `expedited_hours` (1 to 72)."""
    require(actor, Capability.SERVICE_CLOCKS_MANAGE, plan=plan)
    _community_support(service)
    if not MIN_HOURS <= expedited_hours <= MAX_HOURS:
        raise DomainError(
            f"An expedited clock is {MIN_HOURS} to {MAX_HOURS} hours (DOMAIN 5.1).", field="expedited_hours"
        )
    previous = ServiceClock.objects.filter(plan=plan, service=service).values_list("expedited_hours", flat=True)
    previous = next(iter(previous), None)
    clock, _ = ServiceClock.objects.update_or_create(
        plan=plan,
        service=service,
        defaults={"expedited_hours": expedited_hours, "updated_by": actor_user(actor), "updated_at": clocks.now()},
    )
    audit_record(
        code="benefits.service_clock.set",
        plan=plan,
        actor=actor,
        target=clock,
        payload={"service": service.code, "expedited_hours": expedited_hours, "previous": previous},
    )
    return clock


@transaction.atomic
def service_clock_clear(*, plan: HealthPlan, actor, service: CatalogueService) -> CatalogueService:
    """The catalogue's clock applies again to expedited requests for `service`."""
    require(actor, Capability.SERVICE_CLOCKS_MANAGE, plan=plan)
    _community_support(service)
    clock = ServiceClock.objects.select_for_update().filter(plan=plan, service=service).first()
    if clock is not None:
        audit_record(
            code="benefits.service_clock.cleared",
            plan=plan,
            actor=actor,
            target=clock,
            payload={"service": service.code, "previous": clock.expedited_hours},
        )
        clock.delete()
    return service
