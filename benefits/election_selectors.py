"""Reading the plan's Community Supports elections and what it offers in a county on a day (DOMAIN 9)."""

from datetime import date

from django.db.models import Q, QuerySet

from benefits.models import CatalogueService, Election, ServiceKind
from benefits.selectors import in_force
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import County, HealthPlan


def elections_of(*, plan: HealthPlan, principal) -> QuerySet[Election]:
    """Every election of the plan, past, current and planned, by county and service."""
    require(principal, Capability.ELECTIONS_READ, plan=plan)
    return Election.objects.filter(plan=plan).select_related("county", "service")


def offered_services(*, plan: HealthPlan, county: County, on: date) -> QuerySet[CatalogueService]:
    """The Community Supports the plan offers in `county` on `on`: those elected there that day, and
    the mandatory ones (from their `mandatory_from`), while the catalogue has them. A county the
    plan does not serve is refused: nothing is offered there."""
    if not plan.counties.filter(pk=county.pk).exists():
        raise DomainError(f"{county} is not one of {plan}'s counties.", field="county")
    elected = Election.objects.filter(in_force(on), plan=plan, county=county).values("service_id")
    return CatalogueService.objects.filter(
        in_force(on),
        Q(pk__in=elected) | Q(mandatory_from__lte=on),
        kind=ServiceKind.COMMUNITY_SUPPORT,
    )
