"""Provider staff's Community Supports pages (DOMAIN 9): the members their contracting plans placed
with their organization for a Community Support, and one placement with its deliveries and the form
to record one (the plan's authorization page, provider-side).

The request runs in the scope of the principal's contracting plans (providers.middleware); the
selectors filter by organization too, so another organization's placement is missing (404). A write
enters the placement's own plan scope, as the service's plan.
"""

from django.shortcuts import redirect, render
from django.urls import reverse

from community_supports import selectors
from community_supports.views import record_delivery, render_request
from ecm_platform.audit.services import phi_read_record
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import provider_page
from ecm_platform.tenancy.scoping import plan_scope


@provider_page(Capability.DELIVERIES_READ)
def provider_placements(request):
    """The organization's active Community Supports placements, newest first, the plan on each."""
    rows = selectors.provider_placements(principal=request.principal).order_by("-id")
    page = keyset_page(rows, request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in page.rows])
    return render(request, "community_supports/provider_placements.html", {"page": page, "is_provider_page": True})


@provider_page(Capability.DELIVERIES_READ)
def provider_placement(request, pk):
    placement = selectors.provider_placement_get(principal=request.principal, pk=pk)
    back = reverse("provider-community-supports")
    with plan_scope(placement.plan):

        def rerender(form, status):
            return render_request(request, placement, back=back, form=form, status=status)

        if request.method == "POST":
            return record_delivery(request, placement, rerender=rerender) or redirect(
                "provider-community-supports-placement", pk=placement.pk
            )
        return render_request(request, placement, back=back)
