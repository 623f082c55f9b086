"""The follow-up worklists beside the request worklist: transition members whose six-month
reassessment is due (DOMAIN 3.5), and Community Supports approved while no contracted provider had
room, waiting for a place (DOMAIN 9)."""

from django.shortcuts import render

from authorizations import selectors
from authorizations.views import ACTION_CAPABILITIES
from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


def _page(request, rows):
    page = keyset_page_ordered(rows, request.GET)
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return page


@plan_page(Capability.AUTHORIZATIONS_READ)
def reassessment_worklist(request):
    page = _page(request, selectors.reassessments_due(plan=request.plan))
    today = clocks.local_date(clocks.now())
    for row in page.rows:
        row.is_overdue = row.reassessment_due < today
    context = {"page": page, "today": today, "can_record": request.principal.may(ACTION_CAPABILITIES["reassessed"])}
    return render(request, "authorizations/reassessments.html", context)


@plan_page(Capability.AUTHORIZATIONS_READ)
def awaiting_provider_worklist(request):
    """Each row links to its request, where whoever may place the member does (the request's
    "Place with a provider" action)."""
    page = _page(request, selectors.awaiting_service_provider(plan=request.plan))
    context = {"page": page, "can_place": request.principal.may(ACTION_CAPABILITIES["assign_service_provider"])}
    return render(request, "authorizations/awaiting_provider.html", context)
