"""Pages for outreach (DOMAIN 8): the plan staff's worklist, one engagement with its attempts and
close-outs, a member's outreach history, the settings, and the verdict the attempt form shows
before saving. Provider staff have their own pages (provider_views.py) over the same engagement
page; the measures are in measure_views.py.

Thin: reads through outreach.selectors, writes through outreach.services, which check the
capability, the organization and the rules again; the pages only show what the principal may use.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.page_forms import call_service, confirmation_page, is_confirmed
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from members.selectors import member_get
from outreach import selectors, services
from outreach.attempts import record_capability
from outreach.closeout import close_capability
from outreach.forms import (
    AttemptForm,
    CloseOutForm,
    OutreachSettingsForm,
    ReferralForm,
    VerdictQueryForm,
    WorklistFilterForm,
)
from outreach.models import CLOSE_OUT_STATES, Engagement, TargetKind
from outreach.rules import outcome_problem, verdict
from providers.selectors import organization_choices

# The close-outs (DOMAIN 8): their service, the button, what the confirmation asks, what is said after.
CLOSE_OUTS = {
    "enroll": (
        services.engagement_enroll,
        "Enroll",
        "Enroll the member in ECM?",
        "Enrolled.",
    ),
    "decline": (
        services.engagement_decline,
        "Member declined",
        "Close the outreach: the member declined ECM?",
        "Closed out: declined. Refer the member to the plan's other programs.",
    ),
    "unreachable": (
        services.engagement_unreachable,
        "Unable to reach",
        "Close the outreach: the member could not be reached under the plan's attempt policy?",
        "Closed out: unable to reach. Refer the member to the plan's other programs.",
    ),
}
ENROLL_MEANS = {
    TargetKind.ASSIGNED: "Services start under the approved request (its start-services step).",
    TargetKind.IDENTIFIED: "A request is submitted for the member (source: plan identification), with its clock.",
}


def mark_overdue(rows, now) -> list:
    rows = list(rows)
    for row in rows:
        row.is_overdue = row.next_attempt_due is not None and row.next_attempt_due < now
    return rows


# --- Shared by the plan's and the provider's engagement pages --------------------------------------


def engagement_urls(prefix: str, engagement: Engagement) -> dict:
    """The URLs of the engagement page's forms: the plan's pages (`outreach`) or the provider's."""
    urls = {"attempt": reverse(f"{prefix}-attempt", args=[engagement.pk])}
    urls |= {action: reverse(f"{prefix}-close", args=[engagement.pk, action]) for action in CLOSE_OUTS}
    return urls


def render_engagement(request, engagement, *, prefix, forms=None, status=200):
    """The engagement page: the member, every attempt with its verdict, the attempt policy's status,
    the attempt form with the verdict before saving, the close-outs and, after one, the referral
    (the plan's coordinators only). Who may record and close is the services' own rule: the ECM
    Provider's staff for an assigned member, the plan's staff for one the plan identified."""
    forms = forms or {}
    plan, principal = engagement.plan, request.principal
    may_record = principal.may(record_capability(engagement), plan=plan, organization=engagement.organization_id)
    may_close = principal.may(close_capability(engagement), plan=plan, organization=engagement.organization_id)
    may_refer = not principal.is_provider and principal.may(Capability.OTHER_PROGRAMS_REFER, plan=plan)
    attempt_form = forms.get("attempt") or (AttemptForm() if may_record and engagement.is_open else None)
    policy = selectors.engagement_policy_status(plan=plan, engagement=engagement)
    closed_out = engagement.state in CLOSE_OUT_STATES
    context = {
        "engagement": engagement,
        "member": engagement.member,
        "attempts": list(engagement.attempts.select_related("staff")),
        "policy": policy,
        "attempt_form": attempt_form,
        "attempt_verdict": attempt_form.verdict() if attempt_form is not None and attempt_form.is_bound else None,
        "close_outs": [(name, spec[1]) for name, spec in CLOSE_OUTS.items()]
        if may_close and engagement.is_open
        else [],
        "enroll_means": ENROLL_MEANS[engagement.kind],
        "close_form": forms.get("close") or CloseOutForm(),
        "referral_form": (forms.get("referral") or ReferralForm())
        if may_refer and closed_out and engagement.other_programs_referred_at is None
        else None,
        "urls": engagement_urls(prefix, engagement),
        "back": reverse(f"{prefix}-worklist"),
        "is_provider_page": prefix != "outreach",
        "verdict_url": reverse("outreach-verdict"),
    }
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[engagement.member])
    return render(request, "outreach/engagement.html", context, status=status)


def record_attempt(request, engagement, *, rerender):
    """POST of the attempt form: "Check" re-renders it with the verdict; "Save" calls the service;
    None when it is saved."""
    form = AttemptForm(request.POST)
    if not form.is_valid() or "check" in request.POST:
        return rerender(forms={"attempt": form}, status=400 if form.errors else 200)
    attempt, status = call_service(
        form, services.attempt_record, plan=engagement.plan, actor=request.principal, engagement=engagement,
        **form.cleaned_data,
    )  # fmt: skip
    if attempt is None:
        return rerender(forms={"attempt": form}, status=status)
    counted = "counts" if attempt.counts else "does not count"
    messages.success(request, f"Attempt recorded: it {counted}. {attempt.count_reason}")
    return None


def close_out(request, engagement, action, *, back, rerender):
    """POST of a close-out: asks once more, then calls the service; None when it is done."""
    if action not in CLOSE_OUTS:
        raise Http404("No such close-out.")
    service, button, question, done = CLOSE_OUTS[action]
    form = CloseOutForm(request.POST)
    if not form.is_valid():
        return rerender(forms={"close": form}, status=400)
    if not is_confirmed(request):
        facts = [("Member", engagement.member.full_name), ("Outreach", engagement.get_kind_display())]
        if action == "enroll":
            facts.append(("What happens", ENROLL_MEANS[engagement.kind]))
        if form.cleaned_data["note"]:
            facts.append(("Note", form.cleaned_data["note"]))
        return confirmation_page(request, form, title=button, question=question, button=button, back=back, facts=facts)
    result, _ = call_service(
        form, service, plan=engagement.plan, actor=request.principal, engagement=engagement, **form.cleaned_data
    )
    if result is None:
        messages.error(request, " ".join(form.non_field_errors()) or "Nothing was saved.")
        return redirect(back)
    messages.success(request, done)
    return None


@require_GET
def attempt_verdict(request):
    """JSON for the attempt form's script: will the attempt count, and why (outreach.rules)."""
    principal = getattr(request, "principal", None)
    if principal is None or not principal.may(Capability.OUTREACH_READ):
        raise PermissionDenied("Your role does not allow outreach.")
    form = VerdictQueryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    method, outcome = form.cleaned_data["method"], form.cleaned_data["outcome"]
    if problem := outcome_problem(method, outcome):
        return JsonResponse({"problem": problem, "counts": None, "successful": None, "reason": problem})
    result = verdict(method, form.asks(), outcome)
    return JsonResponse(
        {"problem": "", "counts": result.counts, "successful": result.successful, "reason": result.reason}
    )


# --- The plan staff's pages ------------------------------------------------------------------------


@plan_page(Capability.OUTREACH_READ)
def worklist(request):
    form = WorklistFilterForm(
        request.GET or None, counties=request.plan.counties.all(), organizations=organization_choices(plan=request.plan)
    )
    rows = selectors.worklist(plan=request.plan, principal=request.principal, filters=form.filters())
    page = keyset_page_ordered(rows, request.GET)
    page.rows = mark_overdue(page.rows, clocks.now())
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in page.rows])
    return render(request, "outreach/worklist.html", {"form": form, "page": page, "is_provider_page": False})


def _plan_engagement(request, pk):
    try:
        engagement = selectors.engagement_get(plan=request.plan, principal=request.principal, pk=pk)
    except Engagement.DoesNotExist as error:
        raise Http404("No such engagement.") from error
    engagement.plan = request.plan  # the same row: no query for it
    return engagement


def _render_plan_engagement(request, engagement, forms=None, status=200):
    return render_engagement(request, engagement, prefix="outreach", forms=forms, status=status)


@plan_page(Capability.OUTREACH_READ)
def engagement_detail(request, pk):
    return _render_plan_engagement(request, _plan_engagement(request, pk))


@require_POST
@plan_page(Capability.OUTREACH_RECORD)
def engagement_attempt(request, pk):
    engagement = _plan_engagement(request, pk)

    def again(forms, status):
        return _render_plan_engagement(request, _plan_engagement(request, pk), forms=forms, status=status)

    response = record_attempt(request, engagement, rerender=again)
    return response or redirect("outreach-engagement", pk=pk)


@require_POST
@plan_page(Capability.OUTREACH_CLOSE)
def engagement_close(request, pk, action):
    engagement = _plan_engagement(request, pk)

    def again(forms, status):
        return _render_plan_engagement(request, engagement, forms=forms, status=status)

    back = reverse("outreach-engagement", args=[pk])
    return close_out(request, engagement, action, back=back, rerender=again) or redirect(back)


@require_POST
@plan_page(Capability.OTHER_PROGRAMS_REFER)
def engagement_referral(request, pk):
    engagement = _plan_engagement(request, pk)
    form = ReferralForm(request.POST)
    result, status = (None, 400)
    if form.is_valid():
        result, status = call_service(
            form, services.other_programs_referral_record, plan=request.plan, actor=request.principal,
            engagement=engagement, note=form.cleaned_data["note"],
        )  # fmt: skip
    if result is None:
        return _render_plan_engagement(request, engagement, forms={"referral": form}, status=status)
    messages.success(request, "The referral to the plan's other programs is recorded.")
    return redirect("outreach-engagement", pk=pk)


@plan_page(Capability.OUTREACH_READ)
def member_outreach(request, member_id):
    """A member's outreach, every engagement and attempt, newest first (DOMAIN 8)."""
    member = member_get(plan=request.plan, pk=member_id)
    engagements = selectors.member_outreach(plan=request.plan, principal=request.principal, member=member)
    phi_read_record(principal=request.principal, path=request.get_full_path(), members=[member])
    return render(request, "outreach/member.html", {"member": member, "engagements": engagements})


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def outreach_settings(request):
    current = selectors.outreach_settings_of(plan=request.plan)
    form = OutreachSettingsForm(request.POST or None, instance=current)
    if form.is_bound and form.is_valid():
        saved, _ = call_service(
            form, services.outreach_settings_update, plan=request.plan, actor=request.principal, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, "Outreach settings saved.")
            return redirect("settings-outreach")
    return render(request, "outreach/settings.html", {"form": form}, status=400 if form.errors else 200)
