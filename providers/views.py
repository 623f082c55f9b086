"""Pages for the provider network: directory, profile, capacity dashboard, assignment worklist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from eligibility.selectors import pof_catalogue
from providers import selectors, services
from providers.forms import ContractForm, VettingForm


@plan_page(Capability.PROVIDERS_READ)
def directory(request):
    contracts = selectors.contract_list(plan=request.plan).order_by("organization__name", "pk")
    return render(request, "providers/directory.html", {"contracts": contracts})


@plan_page(Capability.PROVIDERS_READ)
def profile(request, pk):
    organization = selectors.organization_get_contracted(plan=request.plan, pk=pk)
    context = {
        "organization": organization,
        "contracts": selectors.contract_list(plan=request.plan).filter(organization=organization),
        "care_managers": selectors.care_manager_list(plan=request.plan).filter(organization=organization),
        "vetting": selectors.vetting_checks(plan=request.plan, organization=organization),
        "vetting_form": VettingForm() if request.principal.may(Capability.PROVIDERS_MANAGE) else None,
    }
    return render(request, "providers/profile.html", context)


@plan_page(Capability.PROVIDERS_READ)
def capacity(request):
    grid = selectors.capacity_grid(plan=request.plan)
    counties = list(request.plan.counties.all())
    pofs = list(pof_catalogue(clocks.local_date(clocks.now())))
    rows = []
    for county in counties:
        cells = []
        for pof in pofs:
            key = (county.code, pof.code)
            capacity, assigned, identified = (grid[name].get(key, 0) for name in ("capacity", "assigned", "identified"))
            cells.append(
                {
                    "capacity": capacity,
                    "assigned": assigned,
                    "identified": identified,
                    "gap": max(identified - capacity, 0),
                }
            )
        rows.append({"county": county, "cells": cells})
    return render(request, "providers/capacity.html", {"pofs": pofs, "rows": rows})


@plan_page(Capability.MEMBER_WORKLISTS)
def assignment_worklist(request):
    rows = (
        selectors.assignment_list(plan=request.plan)
        .filter(ended_on__isnull=True)
        .select_related("member__county")
        .order_by("communicated_at", "communication_due", "id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    phi_read_record(
        membership=request.membership, path=request.get_full_path(), members=[row.member for row in page.object_list]
    )
    return render(request, "providers/assignments.html", {"page": page, "now": clocks.now()})


@require_POST
@plan_page(Capability.ASSIGNMENTS_MANAGE)
def assignment_communicated(request, pk):
    assignment = selectors.assignment_list(plan=request.plan).filter(pk=pk).first()
    if assignment is None:
        raise Http404("No such assignment.")
    services.mark_communicated(plan=request.plan, assignment=assignment, actor=request.principal)
    messages.success(request, f"Recorded: {assignment.organization.name} was told of the assignment.")
    return redirect("assignment-worklist")


@require_POST
@plan_page(Capability.ASSIGNMENTS_MANAGE)
def assignment_pcp_notified(request, pk):
    assignment = selectors.assignment_list(plan=request.plan).filter(pk=pk).first()
    if assignment is None:
        raise Http404("No such assignment.")
    try:
        services.mark_pcp_notified(plan=request.plan, assignment=assignment, actor=request.principal)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Recorded: the member's PCP was told of the assignment.")
    return redirect("assignment-worklist")


@plan_page(Capability.PROVIDERS_MANAGE)
def contract_new(request):
    form = ContractForm(
        request.POST or None,
        plan=request.plan,
        organizations=selectors.organization_list(),
        pofs=pof_catalogue(),
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(plan=request.plan, actor=request.principal, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Contract with {contract.organization.name} recorded.")
            return redirect("provider-profile", pk=contract.organization_id)
    return render(request, "providers/contract_form.html", {"form": form})


@require_POST
@plan_page(Capability.PROVIDERS_MANAGE)
def vetting_record(request, pk):
    organization = selectors.organization_get_contracted(plan=request.plan, pk=pk)
    form = VettingForm(request.POST)
    if form.is_valid():
        try:
            services.vetting_check_record(
                plan=request.plan, organization=organization, actor=request.principal, **form.cleaned_data
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Vetting check recorded.")
    else:
        messages.error(request, "Choose a criterion and the date it was met.")
    return redirect("provider-profile", pk=organization.pk)
