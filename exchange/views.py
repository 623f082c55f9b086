"""The column map settings page (/settings/column-maps/<kind>/, DOMAIN 11): the effective map of a
file kind for the plan today, the overlay's versions, and for the plan administrator the form that
sets an overlay from a day. Thin: the service checks the role and the overlay, and audits."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from ecm_platform import clocks
from ecm_platform.page_forms import call_service
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from exchange import selectors, services
from exchange.forms import OverlayForm
from exchange.models import FileKind


@plan_page(Capability.COLUMN_MAPS_READ)
def column_map(request, kind):
    if kind not in FileKind.values:
        raise Http404("No such file kind.")
    may_manage = request.principal.may(Capability.COLUMN_MAPS_MANAGE, plan=request.plan)
    form = OverlayForm(request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the plan administrator sets the overlay.")
        overlay = None
        if form.is_valid():
            overlay, status = call_service(
                form, services.column_map_overlay_set, plan=request.plan, actor=request.principal, kind=kind,
                **form.cleaned_data,
            )  # fmt: skip
        else:
            status = 400
        if overlay is not None:
            messages.success(request, f"The overlay takes effect on {overlay.effective_from:%Y-%m-%d}.")
            return redirect("settings-column-map", kind=kind)
    today = clocks.local_date(clocks.now())
    context = {
        "kind": FileKind(kind),
        "column_map": selectors.column_map_effective(plan=request.plan, kind=kind, on=today),
        "overlays": selectors.overlays_of(plan=request.plan, kind=kind),
        "form": form,
    }
    return render(request, "exchange/column_map.html", context, status=status)
