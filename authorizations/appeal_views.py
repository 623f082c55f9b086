"""Pages for appeals and grievances (DOMAIN 5.4): the lists (open first, their clocks as badges),
one case with its acknowledgement and resolution, filing an appeal of a notice and a grievance of
a member. Thin: the services check the roles, the clocks and the outcomes, and write the audit
trail; resolving is irreversible, so the page asks once more."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from authorizations import selectors, services
from authorizations.appeal_forms import AppealForm, AppealResolveForm, GrievanceForm, GrievanceResolveForm
from authorizations.models import case_is_resolved
from authorizations.views import clock_of
from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import ConflictError
from ecm_platform.page_forms import call_service, confirmation_page, is_confirmed
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from members.selectors import member_get


@dataclass(frozen=True)
class Cases:
    """What differs between appeals and grievances; the pages are the same."""

    kind: str  # "appeal" or "grievance": the URL names' prefix and the services' keyword
    plural: str
    rows: Callable
    acknowledge: Callable
    resolve: Callable
    resolve_capability: Capability
    resolve_form: type


APPEALS = Cases(
    kind="appeal",
    plural="Appeals",
    rows=selectors.appeal_list,
    acknowledge=services.appeal_acknowledge,
    resolve=services.appeal_resolve,
    resolve_capability=Capability.APPEALS_RESOLVE,
    resolve_form=AppealResolveForm,
)
GRIEVANCES = Cases(
    kind="grievance",
    plural="Grievances",
    rows=selectors.grievance_list,
    acknowledge=services.grievance_acknowledge,
    resolve=services.grievance_resolve,
    resolve_capability=Capability.GRIEVANCES_RESOLVE,
    resolve_form=GrievanceResolveForm,
)


def _with_clocks(cases, now):
    for case in cases:
        case.acknowledgement_clock = None if case.acknowledged_at else clock_of(case.acknowledgement_due, now)
        case.resolution_clock = None if case.resolved_at else clock_of(case.resolution_due, now)
    return cases


def _list(request, cases: Cases):
    rows = (
        cases.rows(plan=request.plan)
        .annotate(is_resolved=case_is_resolved())  # the key the open-first index holds
        .order_by("is_resolved", "resolution_due", "id")
    )
    page = keyset_page_ordered(rows, request.GET)
    page.rows = _with_clocks(page.rows, clocks.now())
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(request, "authorizations/appeals/list.html", {"cases": cases, "page": page})


@plan_page(Capability.AUTHORIZATIONS_READ)
def appeal_list(request):
    return _list(request, APPEALS)


@plan_page(Capability.AUTHORIZATIONS_READ)
def grievance_list(request):
    return _list(request, GRIEVANCES)


def _case(request, cases: Cases, pk):
    case = cases.rows(plan=request.plan).filter(pk=pk).first()
    if case is None:
        raise Http404(f"No such {cases.kind}.")
    return case


def _render_case(request, cases: Cases, case, resolve_form=None, status=200):
    context = {
        "cases": cases,
        "case": _with_clocks([case], clocks.now())[0],
        "can_resolve": request.principal.may(cases.resolve_capability),
        "resolve_form": resolve_form or cases.resolve_form(),
    }
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[case.member])
    return render(request, "authorizations/appeals/detail.html", context, status=status)


@plan_page(Capability.AUTHORIZATIONS_READ)
def appeal_detail(request, pk):
    return _render_case(request, APPEALS, _case(request, APPEALS, pk))


@plan_page(Capability.AUTHORIZATIONS_READ)
def grievance_detail(request, pk):
    return _render_case(request, GRIEVANCES, _case(request, GRIEVANCES, pk))


def _acknowledge(request, cases: Cases, pk):
    case = _case(request, cases, pk)
    try:
        cases.acknowledge(plan=request.plan, actor=request.principal, **{cases.kind: case})
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Acknowledgement recorded.")
    return redirect(f"{cases.kind}-detail", pk=case.pk)


@require_POST
@plan_page(Capability.APPEALS_ACKNOWLEDGE)
def appeal_acknowledge(request, pk):
    return _acknowledge(request, APPEALS, pk)


@require_POST
@plan_page(Capability.APPEALS_ACKNOWLEDGE)
def grievance_acknowledge(request, pk):
    return _acknowledge(request, GRIEVANCES, pk)


def _resolve(request, cases: Cases, pk):
    case = _case(request, cases, pk)
    form = cases.resolve_form(request.POST)
    if not form.is_valid():
        return _render_case(request, cases, case, resolve_form=form, status=400)
    if not is_confirmed(request):
        outcome = dict(form.fields["outcome"].choices)[form.cleaned_data["outcome"]]
        facts = [("Outcome", outcome), ("Summary", form.cleaned_data["summary"])]
        if form.cleaned_data.get("modification"):  # appeals only: what a partial overturn approves
            facts.append(("What is approved", form.cleaned_data["modification"]))
        return confirmation_page(
            request,
            form,
            title=f"Resolve the {cases.kind} of {case.member.full_name}",
            question=f"Resolve it as {outcome.lower()}?",
            button=f"Yes, resolve the {cases.kind}",
            back=reverse(f"{cases.kind}-detail", args=[case.pk]),
            facts=facts,
        )
    resolved, status = call_service(
        form, cases.resolve, plan=request.plan, actor=request.principal, **{cases.kind: case}, **form.cleaned_data
    )
    if resolved is None:
        return _render_case(request, cases, _case(request, cases, pk), resolve_form=form, status=status)
    messages.success(request, f"The {cases.kind} is resolved: {resolved.get_outcome_display().lower()}.")
    return redirect(f"{cases.kind}-detail", pk=case.pk)


@require_POST
@plan_page(Capability.APPEALS_RESOLVE)
def appeal_resolve(request, pk):
    return _resolve(request, APPEALS, pk)


@require_POST
@plan_page(Capability.GRIEVANCES_RESOLVE)
def grievance_resolve(request, pk):
    return _resolve(request, GRIEVANCES, pk)


# --- Filing -------------------------------------------------------------------------------------


def _id_param(request, name: str) -> int:
    value = request.GET.get(name, "")
    if not value.isdigit():
        raise Http404(f"Name the {name}: ?{name}=<id>.")
    return int(value)


def _filed(page_request, form, service, **kwargs):
    """Run the filing service from a valid form: (the case, 200), or (None, status) with the errors
    on the form. (`page_request`: the service takes `request`, the authorization request.)"""
    data = dict(form.cleaned_data)
    if data.get("received_at") is None:
        data.pop("received_at", None)  # the service's default: now
    return call_service(form, service, plan=page_request.plan, actor=page_request.principal, **kwargs, **data)


@plan_page(Capability.APPEALS_RECORD)
def appeal_new(request):
    """The member appeals a notice (DOMAIN 5.4: within 60 days of its date), from the request page."""
    notice = selectors.notice_get(plan=request.plan, pk=_id_param(request, "notice"))
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            appeal, status = _filed(request, form, services.appeal_file, notice=notice)
            if appeal is not None:
                due = appeal.resolution_due.astimezone(clocks.LOCAL_ZONE)
                messages.success(request, f"Appeal recorded: to be resolved by {due:%Y-%m-%d %H:%M}.")
                return redirect("appeal-detail", pk=appeal.pk)
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[notice.member])
    context = {"notice": notice, "form": form}
    return render(request, "authorizations/appeals/appeal_form.html", context, status=status)


@plan_page(Capability.APPEALS_RECORD)
def grievance_new(request):
    """A grievance of the member, at any time (DOMAIN 5.4), optionally about one of their requests."""
    member = member_get(plan=request.plan, pk=_id_param(request, "member"))
    about = None
    if request.GET.get("request"):
        about = selectors.request_get(plan=request.plan, pk=_id_param(request, "request"))
    form = GrievanceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            grievance, status = _filed(request, form, services.grievance_file, member=member, request=about)
            if grievance is not None:
                due = grievance.resolution_due.astimezone(clocks.LOCAL_ZONE)
                messages.success(request, f"Grievance recorded: to be resolved by {due:%Y-%m-%d %H:%M}.")
                return redirect("grievance-detail", pk=grievance.pk)
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
    context = {"member": member, "about": about, "form": form}
    return render(request, "authorizations/appeals/grievance_form.html", context, status=status)
