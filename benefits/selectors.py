"""Reading the catalogue (DOMAIN 9): shared reference data, the same for every plan, so these
selectors take no plan; the views and API decide who may read."""

from datetime import date

from django.db.models import Prefetch, Q

from benefits.models import CatalogueService, ServiceClock, ServiceCode, ServiceLimit
from ecm_platform import clocks


def in_force(on: date, prefix: str = "") -> Q:
    """Rows in force on `on`: from `effective_from`, until `effective_to` (the last day) if any."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


def catalogue_services(on: date | None = None):
    """The services offered on `on` (today by default), with their aliases and that day's codes."""
    on = on or clocks.local_date(clocks.now())
    return CatalogueService.objects.filter(in_force(on)).prefetch_related(
        "aliases", Prefetch("codes", queryset=ServiceCode.objects.filter(in_force(on)))
    )


def service_get(code: str) -> CatalogueService:
    """One service by its slug, with its aliases (raises DoesNotExist)."""
    return CatalogueService.objects.prefetch_related("aliases").get(code=code)


def codes_of(service: CatalogueService, on: date | None = None):
    """The service's (HCPCS, modifiers) pairs in force on `on`."""
    on = on or clocks.local_date(clocks.now())
    return ServiceCode.objects.filter(in_force(on), service=service)


def service_for_code(hcpcs: str, modifiers, on: date | None = None) -> CatalogueService | None:
    """The service a claim line's (HCPCS, modifiers) identifies on `on`: the modifiers may sit in any
    order and position, and extra ones (GQ for telephonic, or a pricing modifier) do not hide the
    pair; the pair with the most matching modifiers wins (G9008 U1 GQ before G9008 U1)."""
    on = on or clocks.local_date(clocks.now())
    given = set((modifiers.split() if isinstance(modifiers, str) else modifiers) or [])
    given = {modifier.strip().upper() for modifier in given}
    candidates = ServiceCode.objects.filter(in_force(on), hcpcs=hcpcs.strip().upper()).select_related("service")
    matches = [code for code in candidates if set(code.modifiers.split()) <= given]
    if not matches:
        return None
    return max(matches, key=lambda code: len(code.modifiers.split())).service


def service_named(name: str, on: date | None = None) -> CatalogueService | None:
    """The service in force on `on` known by `name`: today's name or an old one (an alias), since
    records and referrals keep the wording of their day."""
    on = on or clocks.local_date(clocks.now())
    named = Q(name__iexact=name.strip()) | Q(aliases__name__iexact=name.strip())
    return CatalogueService.objects.filter(in_force(on), named).distinct().first()


def limits_of(service: CatalogueService, on: date | None = None):
    """The limits in force for the service on `on`, its own and the combined ones it shares."""
    on = on or clocks.local_date(clocks.now())
    return ServiceLimit.objects.filter(in_force(on), services=service).prefetch_related("services")


def expedited_hours_of(*, plan, service: CatalogueService) -> int:
    """The expedited decision clock of a request for `service` in `plan` (DOMAIN 5.1): the plan's
    shorter clock for that Community Support where it set one (FAQ 28), else the catalogue's."""
    configured = ServiceClock.objects.filter(plan=plan, service=service).values_list("expedited_hours", flat=True)
    return next(iter(configured), service.expedited_hours)
