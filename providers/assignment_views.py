"""Pages for members' assignments (DOMAIN 7): the worklist, one assignment with its Lead Care
Manager and override, and the member-requested changes. Thin: the services check the roles and
the rules and write the audit trail."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import DomainError
from ecm_platform.page_forms import call_service, confirmation_page, is_confirmed
from ecm_platform.pagination import keyset_page_ordered
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from providers import selectors, services
from providers.forms import AssignLaterForm, ChangeRequestForm, LeadCareManagerForm, OverrideForm
from providers.models import is_recorded


@plan_page(Capability.MEMBER_WORKLISTS)
def assignment_worklist(request):
    # Not yet communicated first, then by what is owed soonest (assignment_worklist_idx).
    rows = (
        selectors.assignment_list(plan=request.plan)
        .filter(ended_on__isnull=True)
        .select_related("member__county")
        .annotate(is_communicated=is_recorded("communicated_at"))
        .order_by("is_communicated", "communication_due", "id")
    )
    page = keyset_page_ordered(rows, request.GET)
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(request, "providers/assignments.html", {"page": page, "now": clocks.now()})


def _assignment(request, pk):
    assignment = selectors.assignment_list(plan=request.plan).filter(pk=pk).select_related("member__county").first()
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def _lead_care_manager_form(request, assignment, data=None):
    care_managers = selectors.care_manager_list(plan=request.plan).filter(
        organization=assignment.organization_id, is_active=True
    )
    return LeadCareManagerForm(
        data, care_managers=care_managers, initial={"care_manager": assignment.lead_care_manager_id}
    )


def _override_form(request, data=None):
    return OverrideForm(data, organizations=selectors.organization_choices(plan=request.plan))


def share_choices(fields) -> None:
    """Forms offering the same organizations on one page: their choices read once, not per form."""
    choices = None
    for field in fields:
        choices = choices if choices is not None else list(field.choices)
        field.choices = choices


def _render_assignment(request, assignment, *, lead_form=None, override_form=None, change_form=None, status=200):
    override_form, change_form = override_form or _override_form(request), change_form or _change_form(request)
    share_choices([override_form.fields["organization"], change_form.fields["organization"]])
    context = {
        "assignment": assignment,
        "now": clocks.now(),
        "lead_form": lead_form or _lead_care_manager_form(request, assignment),
        "override_form": override_form,
        "change_form": change_form,
        "changes": selectors.change_request_list(plan=request.plan)
        .filter(member=assignment.member_id)
        .order_by("-requested_on", "-id"),
    }
    phi_read_record(membership=request.membership, path=request.get_full_path(), members=[assignment.member])
    return render(request, "providers/assignment_detail.html", context, status=status)


@plan_page(Capability.MEMBER_WORKLISTS)
def assignment_detail(request, pk):
    return _render_assignment(request, _assignment(request, pk))


@require_POST
@plan_page(Capability.ASSIGNMENTS_MANAGE)
def assignment_lead_care_manager(request, pk):
    assignment = _assignment(request, pk)
    form = _lead_care_manager_form(request, assignment, request.POST)
    status = 400
    if form.is_valid():
        _, status = call_service(
            form,
            services.assignment_set_lead_care_manager,
            plan=request.plan,
            actor=request.principal,
            assignment=assignment,
            care_manager=form.cleaned_data["care_manager"],
        )
        if status == 200:
            messages.success(request, f"{form.cleaned_data['care_manager'].name} is the member's Lead Care Manager.")
            return redirect("assignment-detail", pk=assignment.pk)
    return _render_assignment(request, _assignment(request, pk), lead_form=form, status=status)


@require_POST
@plan_page(Capability.ASSIGNMENT_OVERRIDE)
def assignment_override(request, pk):
    """Moving a member ends their assignment: the page asks once more before it does."""
    assignment = _assignment(request, pk)
    form = _override_form(request, request.POST)
    if not form.is_valid():
        return _render_assignment(request, assignment, override_form=form, status=400)
    organization = form.cleaned_data["organization"]
    if not is_confirmed(request):
        return confirmation_page(
            request,
            form,
            title="Override the assignment",
            question=f"Move {assignment.member.full_name} from {assignment.organization.name} to {organization.name}?",
            button="Yes, move the member",
            back=reverse("assignment-detail", args=[assignment.pk]),
            facts=[("Reason", form.cleaned_data["reason"])],
        )
    new, status = call_service(
        form,
        services.assignment_override,
        plan=request.plan,
        actor=request.principal,
        assignment=assignment,
        organization=organization,
        reason=form.cleaned_data["reason"],
    )
    if new is None:
        return _render_assignment(request, _assignment(request, pk), override_form=form, status=status)
    messages.success(request, f"{new.member.full_name} is now assigned to {organization.name}; tell the provider.")
    return redirect("assignment-detail", pk=new.pk)


# --- Awaiting assignment (DOMAIN 7: an approved member with no provider is never silent) ----------


def _awaiting(request):
    return selectors.awaiting_assignment_list(plan=request.plan).select_related("member__county")


def _assign_later_form(request, waiting, data=None):
    return AssignLaterForm(
        data,
        prefix=f"waiting-{waiting.pk}",
        organizations=selectors.organization_choices(plan=request.plan),
        initial={"organization": waiting.preferred_organization_id},
    )


def _render_awaiting(request, bound=None, status=200):
    page = keyset_page_ordered(_awaiting(request), request.GET)
    today = clocks.local_date(clocks.now())
    for row in page.rows:
        row.days_waited = (today - clocks.local_date(row.since)).days
        row.form = bound if bound is not None and bound.prefix == f"waiting-{row.pk}" else None
        row.form = row.form or _assign_later_form(request, row)
    share_choices([row.form.fields["organization"] for row in page.rows])  # each row offers the same ones
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(request, "providers/awaiting.html", {"page": page}, status=status)


@plan_page(Capability.MEMBER_WORKLISTS)
def awaiting_list(request):
    """Members authorized with no ECM Provider yet, the longest waiting first."""
    return _render_awaiting(request)


@require_POST
@plan_page(Capability.ASSIGNMENTS_CREATE)
def awaiting_assign(request, pk):
    """Assign a waiting member now: by the order, or to a named provider (with a reason)."""
    waiting = _awaiting(request).filter(pk=pk).first()
    if waiting is None:
        raise Http404("No such member awaiting assignment.")
    form = _assign_later_form(request, waiting, request.POST)
    if not form.is_valid():
        return _render_awaiting(request, bound=form, status=400)
    organization = form.cleaned_data["organization"]
    assignment, status = call_service(
        form,
        services.awaiting_assign,
        plan=request.plan,
        actor=request.principal,
        waiting=waiting,
        organization=organization,
        reason=form.cleaned_data["reason"],
    )
    if assignment is None:
        if status == 200:  # the service kept the member waiting: no provider can take them yet
            who = f"{organization.name} cannot" if organization else "No provider can"
            form.add_error("organization", f"{who} take the member now; they stay on the list.")
            status = 400
        return _render_awaiting(request, bound=form, status=status)
    messages.success(
        request, f"{waiting.member.full_name} is assigned to {assignment.organization.name}; tell the provider."
    )
    return redirect("assignment-detail", pk=assignment.pk)


# --- Member-requested changes (DOMAIN 7: within 30 days) ------------------------------------------


def _change_form(request, data=None):
    return ChangeRequestForm(
        data,
        organizations=selectors.organization_choices(plan=request.plan),
        initial={"requested_on": clocks.local_date(clocks.now())},
    )


@require_POST
@plan_page(Capability.PROVIDER_CHANGES_MANAGE)
def change_request_new(request, pk):
    """The member asks for another provider: recorded from their assignment's page."""
    assignment = _assignment(request, pk)
    form = _change_form(request, request.POST)
    status = 400
    if form.is_valid():
        change, status = call_service(
            form,
            services.provider_change_request,
            plan=request.plan,
            actor=request.principal,
            member=assignment.member,
            organization=form.cleaned_data["organization"],
            requested_on=form.cleaned_data["requested_on"],
        )
        if change is not None:
            messages.success(request, f"Change recorded: due by {change.due.astimezone(clocks.LOCAL_ZONE):%Y-%m-%d}.")
            return redirect("assignment-detail", pk=assignment.pk)
    return _render_assignment(request, assignment, change_form=form, status=status)


@plan_page(Capability.MEMBER_WORKLISTS)
def change_request_list(request):
    """Open changes first, soonest due first; then the resolved ones."""
    rows = (
        selectors.change_request_list(plan=request.plan)
        .select_related("member__county")
        .annotate(is_resolved=is_recorded("resolved_on"))
        .order_by("is_resolved", "due", "id")
    )
    page = keyset_page_ordered(rows, request.GET)
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.rows]
    )
    return render(request, "providers/changes.html", {"page": page, "now": clocks.now()})


@require_POST
@plan_page(Capability.PROVIDER_CHANGES_MANAGE)
def change_request_implement(request, pk):
    change = selectors.change_request_list(plan=request.plan).filter(pk=pk).first()
    if change is None:
        raise Http404("No such change request.")
    try:
        assignment = services.provider_change_implement(plan=request.plan, change=change, actor=request.principal)
    except DomainError as error:
        # The refusal is kept on the request (its outcome): the list shows it beside the row.
        messages.error(request, f"Not implemented: {error.message}")
    else:
        messages.success(
            request, f"{assignment.member.full_name} moved to {assignment.organization.name}; tell the provider."
        )
    return redirect("change-request-list")


@require_POST
@plan_page(Capability.ASSIGNMENTS_MANAGE)
def assignment_communicated(request, pk):
    assignment = _assignment(request, pk)
    services.mark_communicated(plan=request.plan, assignment=assignment, actor=request.principal)
    messages.success(request, f"Recorded: {assignment.organization.name} was told of the assignment.")
    return redirect("assignment-worklist")


@require_POST
@plan_page(Capability.ASSIGNMENTS_MANAGE)
def assignment_pcp_notified(request, pk):
    assignment = _assignment(request, pk)
    try:
        services.mark_pcp_notified(plan=request.plan, assignment=assignment, actor=request.principal)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Recorded: the member's PCP was told of the assignment.")
    return redirect("assignment-worklist")
