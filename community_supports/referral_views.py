"""Pages of closed-loop referrals (DOMAIN 9) for plan staff: the referrals (filters, stalled ones,
keyset pages), the intake form for what a referring entity sends, one referral with its history,
its notices and the steps the plan may record, and the stalled-referral settings. Provider staff
have their own pages (referral_provider_views.py) over the same detail template.

Thin: reads through referral_selectors, writes through referral_services, which check the role,
the organization and the state (a refused step re-renders the page with its message).
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community_supports import referral_selectors as selectors
from community_supports import referral_services as services
from community_supports.referral_forms import (
    AcceptForm,
    CloseForm,
    DeclineForm,
    ReferralFilterForm,
    ReferralIntakeForm,
    ReferralSettingsForm,
    StartForm,
)
from community_supports.referral_models import ReferralStatus
from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.page_forms import call_service
from ecm_platform.pagination import keyset_page
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page

# Each step: its service, its form, and the states it is offered in.
STEPS = {
    "accept": (services.referral_accept, AcceptForm, {ReferralStatus.SENT}),
    "decline": (services.referral_decline, DeclineForm, {ReferralStatus.SENT}),
    "start-service": (services.referral_start_service, StartForm, {ReferralStatus.ACCEPTED}),
    "close": (services.referral_close, CloseForm, set(ReferralStatus) - {ReferralStatus.CLOSED}),
}
# What provider staff are offered in each state: their answer, the start, and closing what they accepted.
PROVIDER_STEPS = {
    "accept": {ReferralStatus.SENT},
    "decline": {ReferralStatus.SENT},
    "start-service": {ReferralStatus.ACCEPTED},
    "close": set(services.PROVIDER_CLOSABLE),
}


def may_act(principal, referral) -> bool:
    """Whether the page offers the steps: the service's own rule (services.require_responder)."""
    if principal.is_provider:
        return principal.may(
            Capability.PROVIDER_REFERRALS_RESPOND, plan=referral.plan_id, organization=referral.organization_id
        )
    return principal.may(Capability.REFERRALS_MANAGE, plan=referral.plan_id)


def render_referral(request, referral, *, forms=None, status=200):
    """One referral: its parties, clocks, history and notices, and the steps its state allows."""
    events, notices = selectors.referral_history(referral)
    steps = {}
    if may_act(request.principal, referral):
        is_provider = request.principal.is_provider
        steps = {
            name: (forms or {}).get(name) or form_class(provider=is_provider)
            for name, (_, form_class, states) in STEPS.items()
            if referral.status in (PROVIDER_STEPS[name] if is_provider else states)
        }
    context = {
        "referral": referral,
        "events": events,
        "notices": notices,
        "steps": steps,
        "is_provider_page": request.principal.is_provider,
    }
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[referral.member])
    return render(request, "community_supports/referral.html", context, status=status)


def take_step(request, referral, step: str):
    """POST of a step's form: None once taken, else the page again with the errors."""
    if step not in STEPS:
        raise Http404("No such step.")
    if not may_act(request.principal, referral):
        raise PermissionDenied("Your role may not record this referral's steps.")
    service, form_class, _ = STEPS[step]
    form = form_class(request.POST, provider=request.principal.is_provider)
    done, status = (None, 400)
    if form.is_valid():
        done, status = call_service(
            form, service, plan=referral.plan, actor=request.principal, referral=referral, **form.cleaned_data
        )
    if done is None:
        return render_referral(request, referral, forms={step: form}, status=status)
    messages.success(request, f"Referral {done.pk}: {done.get_status_display().lower()}.")
    return None


@plan_page(Capability.REFERRALS_READ)
def referral_list(request):
    """The plan's referrals, newest first; filtered by state, or the stalled ones only."""
    form = ReferralFilterForm(request.GET or None)
    rows = selectors.referral_list(plan=request.plan, principal=request.principal)
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["stalled"]:
            rows = rows.filter(selectors.stalled_on(clocks.now()))
    page = keyset_page(rows.order_by("-id"), request.GET)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in page.rows])
    context = {
        "page": page,
        "form": form,
        "may_record": request.principal.may(Capability.REFERRALS_RECORD, plan=request.plan),
    }
    return render(request, "community_supports/referrals.html", context)


@plan_page(Capability.REFERRALS_RECORD)
def referral_new(request):
    """The intake form: what a shelter, hospital, community organization or provider sent."""
    form = ReferralIntakeForm(request.POST or None, plan=request.plan)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            record = partial(services.referral_record, service=fields.pop("service"))  # `service` is call_service's
            referral, status = call_service(form, record, plan=request.plan, actor=request.principal, **fields)
            if referral is not None:
                messages.success(request, f"Referral {referral.pk} sent to {referral.organization.name}.")
                return redirect("referral-detail", pk=referral.pk)
    return render(request, "community_supports/referral_new.html", {"form": form}, status=status)


@plan_page(Capability.REFERRALS_READ)
def referral_detail(request, pk):
    return render_referral(request, selectors.referral_get(plan=request.plan, principal=request.principal, pk=pk))


@require_POST
@plan_page(Capability.REFERRALS_READ)
def referral_step(request, pk, step):
    referral = selectors.referral_get(plan=request.plan, principal=request.principal, pk=pk)
    return take_step(request, referral, step) or redirect("referral-detail", pk=referral.pk)


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def referral_settings(request):
    form = ReferralSettingsForm(request.POST or None, instance=selectors.referral_settings_of(plan=request.plan))
    if form.is_bound and form.is_valid():
        saved, _ = call_service(
            form, services.referral_settings_update, plan=request.plan, actor=request.principal, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, "Referral settings saved.")
            return redirect("settings-referrals")
    return render(
        request, "community_supports/referral_settings.html", {"form": form}, status=400 if form.errors else 200
    )
