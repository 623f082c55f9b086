"""Provider staff's outreach pages (DOMAIN 8): their organization's engagements across the plans
contracting with it, and one engagement with its attempt form and close-outs (no referral to the
plan's programs, no measures: those are the plan's).

The request runs in the scope of the principal's contracting plans (providers.middleware); the
selectors filter by organization as well, so another organization's engagement is missing (404).
A write enters the engagement's own plan scope, as the service's plan.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import provider_page
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import plan_scope
from outreach import selectors
from outreach.forms import ProviderWorklistFilterForm
from outreach.models import Engagement
from outreach.views import close_out, mark_overdue, record_attempt, render_engagement


@provider_page(Capability.OUTREACH_READ)
def provider_worklist(request):
    """One contracting plan's engagements at a time (each plan's attempt policy sets when the next
    attempt is due), the plans as tabs."""
    plans = list(HealthPlan.objects.filter(pk__in=request.principal.plan_ids).order_by("name"))
    form = ProviderWorklistFilterForm(request.GET or None, plans=plans)
    plan = form.chosen_plan()
    page = None
    if plan is not None:
        rows = selectors.worklist(plan=plan, principal=request.principal, filters=form.filters())
        page = keyset_page_ordered(rows, request.GET)
        page.rows = mark_overdue(page.rows, clocks.now())
        for row in page.rows:
            row.plan = plan  # the same row: no query per row for the plan column
        members = [row.member for row in page.rows]
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=members)
    context = {"form": form, "page": page, "plans": plans, "chosen_plan": plan, "is_provider_page": True}
    return render(request, "outreach/worklist.html", context)


def _provider_engagement(request, pk) -> Engagement:
    """The engagement in whichever contracting plan holds it, if it is the organization's: a query
    per contracting plan at most, each through the selector that checks the organization."""
    for plan in HealthPlan.objects.filter(pk__in=request.principal.plan_ids).order_by("pk"):
        try:
            engagement = selectors.engagement_get(plan=plan, principal=request.principal, pk=pk)
        except Engagement.DoesNotExist:
            continue
        engagement.plan = plan
        return engagement
    raise Http404("No such engagement among your organization's.")


def _render(request, engagement, forms=None, status=200):
    return render_engagement(request, engagement, prefix="provider-outreach", forms=forms, status=status)


@provider_page(Capability.OUTREACH_READ)
def provider_engagement(request, pk):
    return _render(request, _provider_engagement(request, pk))


@require_POST
@provider_page(Capability.PROVIDER_OUTREACH_RECORD)
def provider_attempt(request, pk):
    engagement = _provider_engagement(request, pk)
    with plan_scope(engagement.plan):
        response = record_attempt(
            request, engagement, rerender=lambda forms, status: _render(request, engagement, forms, status)
        )
    return response or redirect("provider-outreach-engagement", pk=pk)


@require_POST
@provider_page(Capability.PROVIDER_OUTREACH_CLOSE)
def provider_close(request, pk, action):
    engagement = _provider_engagement(request, pk)
    back = reverse("provider-outreach-engagement", args=[pk])
    with plan_scope(engagement.plan):
        response = close_out(
            request, engagement, action, back=back,
            rerender=lambda forms, status: _render(request, engagement, forms, status),
        )  # fmt: skip
    return response or redirect(back)
