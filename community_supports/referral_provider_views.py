"""Provider staff's referral pages (DOMAIN 9): the referrals sent to their organization by the
plans contracting with it, and one referral with the steps they answer (accept, decline, start,
close). Another organization's referral is missing (404); a step enters the referral's plan scope.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community_supports import referral_selectors as selectors
from community_supports.referral_forms import ReferralFilterForm
from community_supports.referral_views import render_referral, take_step
from ecm_platform.audit.services import phi_read_record
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import provider_page
from ecm_platform.tenancy.scoping import plan_scope


@provider_page(Capability.REFERRALS_READ)
def provider_referral_list(request):
    """The referrals sent to the organization, newest first, the plan on each."""
    form = ReferralFilterForm(request.GET or None)
    rows = selectors.provider_referrals(principal=request.principal)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    page = keyset_page(rows.order_by("-id"), request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in page.rows])
    context = {"page": page, "form": form, "is_provider_page": True}
    return render(request, "community_supports/referrals.html", context)


@provider_page(Capability.REFERRALS_READ)
def provider_referral_detail(request, pk):
    referral = selectors.provider_referral_get(principal=request.principal, pk=pk)
    with plan_scope(referral.plan):
        return render_referral(request, referral)


@require_POST
@provider_page(Capability.REFERRALS_READ)
def provider_referral_step(request, pk, step):
    referral = selectors.provider_referral_get(principal=request.principal, pk=pk)
    with plan_scope(referral.plan):
        return take_step(request, referral, step) or redirect("provider-referral-detail", pk=referral.pk)
