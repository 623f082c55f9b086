"""Pages of Community Supports delivered (DOMAIN 9): the plan's deliveries, one authorization's
deliveries with the form to record one, and "Community Supports of <member>" (the member's
requests, deliveries and what remains of each limited service). Provider staff have their own pages
(provider_views.py) over the same authorization page.

Thin: reads through community_supports.selectors, writes through community_supports.services, which
check the role, the organization, the period, the quantity and the limits again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from authorizations.models import Status
from authorizations.services.limits import member_allowances
from community_supports import selectors, services
from community_supports.forms import DeliveryForm
from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.page_forms import call_service
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from members.selectors import member_get


def may_record(principal, cs_request) -> bool:
    """Whether the page offers the form: the service's own rule (services.require_recorder)."""
    if principal.is_provider:
        assignment = cs_request.service_assignment
        return assignment is not None and principal.may(
            Capability.PROVIDER_DELIVERIES_RECORD, plan=cs_request.plan_id, organization=assignment.organization_id
        )
    return principal.may(Capability.DELIVERIES_RECORD, plan=cs_request.plan_id)


def render_request(request, cs_request, *, back, form=None, status=200):
    """One Community Support: its authorized period and quantity, what was delivered and what is
    left, its deliveries and, for whoever may record, the delivery form."""
    plan, principal = cs_request.plan, request.principal
    today = clocks.local_date(clocks.now())
    terms = services.quantity_terms(cs_request.service, today)
    deliveries = list(selectors.deliveries_of_request(plan=plan, principal=principal, request=cs_request))
    delivered = selectors.delivered_totals(plan=plan, request_ids=[cs_request.pk]).get(cs_request.pk)
    recordable = may_record(principal, cs_request) and cs_request.status == Status.ACTIVE
    context = {
        "cs_request": cs_request,
        "member": cs_request.member,
        "deliveries": deliveries,
        "delivered": delivered,
        "remaining": cs_request.quantity - (delivered or 0) if cs_request.quantity is not None else None,
        "per_day": terms.per_day,
        "unit": terms.unit,
        "form": (form or DeliveryForm(unit=terms.unit)) if recordable else None,
        "back": back,
        "is_provider_page": principal.is_provider,
    }
    phi_read_record(principal=principal, path=request.get_full_path(), members=[cs_request.member])
    return render(request, "community_supports/request.html", context, status=status)


def record_delivery(request, cs_request, *, rerender):
    """POST of the delivery form: None once it is recorded, else the page again with the errors."""
    if not may_record(request.principal, cs_request):
        raise PermissionDenied("Your role may not record deliveries of this Community Support.")
    terms = services.quantity_terms(cs_request.service, clocks.local_date(clocks.now()))
    form = DeliveryForm(request.POST, unit=terms.unit)
    if not form.is_valid():
        return rerender(form, 400)
    delivery, status = call_service(
        form, services.delivery_record, plan=cs_request.plan, actor=request.principal, request=cs_request,
        **form.cleaned_data,
    )  # fmt: skip
    if delivery is None:
        return rerender(form, status)
    messages.success(
        request, f"Delivery recorded: {delivery.delivered_from:%Y-%m-%d} to {delivery.delivered_to:%Y-%m-%d}."
    )
    return None


@plan_page(Capability.DELIVERIES_READ)
def delivery_list(request):
    """The plan's deliveries, newest recorded first."""
    rows = selectors.deliveries_visible(plan=request.plan, principal=request.principal).order_by("-id")
    page = keyset_page(rows, request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[d.member for d in page.rows])
    return render(request, "community_supports/deliveries.html", {"page": page})


@plan_page(Capability.DELIVERIES_READ)
def request_deliveries(request, pk):
    cs_request = selectors.recordable_request_get(plan=request.plan, pk=pk)
    back = reverse("community-supports-member", args=[cs_request.member_id])

    def rerender(form, status):
        return render_request(request, cs_request, back=back, form=form, status=status)

    if request.method == "POST":
        return record_delivery(request, cs_request, rerender=rerender) or redirect(
            "community-supports-request", pk=cs_request.pk
        )
    return render_request(request, cs_request, back=back)


@plan_page(Capability.DELIVERIES_READ, Capability.MEMBERS_READ)
def member_community_supports(request, pk):
    """Community Supports of a member: their requests with what was delivered, their deliveries, and
    what remains of each limited service (DOMAIN 9), with or without ECM."""
    member = member_get(plan=request.plan, pk=pk)
    cs_requests = list(selectors.community_supports_of_member(plan=request.plan, member=member))
    deliveries = selectors.deliveries_of_member(plan=request.plan, principal=request.principal, member=member)
    page = keyset_page(deliveries.order_by("-id"), request.GET)
    context = {
        "member": member,
        "cs_requests": cs_requests,
        "page": page,
        "allowances": member_allowances(plan=request.plan, member=member),
    }
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[member])
    return render(request, "community_supports/member.html", context)
