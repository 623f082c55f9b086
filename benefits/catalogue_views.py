"""The catalogue pages (DOMAIN 9): ECM and the Community Supports with their old names, codes,
limits and criteria. Shared reference data: plan staff and provider staff read the same rows."""

from django.http import Http404
from django.shortcuts import render

from benefits import selectors
from benefits.models import CatalogueService
from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import staff_page


@staff_page(Capability.CATALOGUE_READ)
def catalogue(request):
    today = clocks.local_date(clocks.now())
    return render(
        request, "benefits/catalogue.html", {"services": selectors.catalogue_services(on=today), "today": today}
    )


@staff_page(Capability.CATALOGUE_READ)
def catalogue_service(request, code):
    today = clocks.local_date(clocks.now())
    try:
        service = selectors.service_get(code)
    except CatalogueService.DoesNotExist:
        raise Http404("No such service.") from None
    context = {
        "service": service,
        "codes": selectors.codes_of(service, on=today),
        "limits": selectors.limits_of(service, on=today),
        "today": today,
    }
    return render(request, "benefits/catalogue_service.html", context)
