"""Pages for the provider network (DOMAIN 7): directory, profile, capacity dashboard, contracts and
care managers; the assignment pages are in assignment_views.py."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benefits.selectors import catalogue_services
from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.page_forms import call_service, confirmation_page, is_confirmed
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from eligibility.selectors import pof_catalogue
from providers import selectors, services
from providers.forms import ActivateForm, CareManagerForm, ContractEditForm, ContractEndForm, ContractForm, VettingForm


@plan_page(Capability.PROVIDERS_READ)
def directory(request):
    contracts = selectors.contract_list(plan=request.plan).order_by("organization__name", "pk")
    return render(request, "providers/directory.html", {"contracts": contracts})


@plan_page(Capability.PROVIDERS_READ)
def profile(request, pk):
    # The organization comes with its contracts (a contracted one has at least one): one query
    # fewer than reading it first, paying for each contract's lines (DOMAIN 9).
    contracts = list(
        selectors.contract_list(plan=request.plan)
        .filter(organization_id=pk)
        .prefetch_related("organization__counties")
        .order_by("pk")
    )
    if not contracts:
        raise Http404("No such provider among the plan's contracts.")
    organization = contracts[0].organization
    checks = list(selectors.vetting_checks(plan=request.plan, organization=organization))
    criteria = list(selectors.vetting_criteria(organization=organization))
    context = {
        "organization": organization,
        "contracts": contracts,
        "care_managers": selectors.care_manager_list(plan=request.plan).filter(organization=organization),
        "vetting": checks,
        "vetting_missing": selectors.vetting_unmet(criteria, checks),
        "vetting_form": VettingForm(criteria=criteria) if request.principal.may(Capability.PROVIDERS_MANAGE) else None,
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
                    "capacity_left": grid["capacity_left"].get(key, 0),
                    "assigned": assigned,
                    "identified": identified,
                    "gap": max(identified - capacity, 0),
                }
            )
        rows.append({"county": county, "cells": cells})
    return render(request, "providers/capacity.html", {"pofs": pofs, "rows": rows})


def _catalogue():
    """The services a contract line may name: the catalogue in force today, ECM first."""
    return catalogue_services().prefetch_related(None)


@plan_page(Capability.PROVIDERS_MANAGE)
def contract_new(request):
    form = ContractForm(
        request.POST or None,
        plan=request.plan,
        organizations=selectors.organization_list(),
        pofs=pof_catalogue(),
        services=_catalogue(),
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                plan=request.plan, actor=request.principal, lines=form.lines(), **form.terms()
            )
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
    form = VettingForm(request.POST, criteria=selectors.vetting_criteria(organization=organization))
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


def _contract(request, pk):
    contract = selectors.contract_list(plan=request.plan).filter(pk=pk).first()
    if contract is None:
        raise Http404("No such contract.")
    return contract


@plan_page(Capability.PROVIDERS_MANAGE)
def contract_activate(request, pk):
    """The provider becomes active under the contract (DOMAIN 7: once its vetting is complete)."""
    contract = _contract(request, pk)
    form = ActivateForm(request.POST or None, initial={"activated_on": clocks.local_date(clocks.now())})
    status = 200
    if request.method == "POST" and form.is_valid():
        activated, status = call_service(
            form,
            services.contract_activate,
            plan=request.plan,
            actor=request.principal,
            contract=contract,
            **form.cleaned_data,
        )
        if activated is not None:
            messages.success(request, f"The contract with {contract.organization.name} is active.")
            return redirect("provider-profile", pk=contract.organization_id)
    elif request.method == "POST":
        status = 400
    context = {"contract": contract, "form": form, "back": reverse("provider-profile", args=[contract.organization_id])}
    return render(request, "providers/contract_activate.html", context, status=status)


@plan_page(Capability.CARE_MANAGERS_ADD)
def care_manager_new(request, pk):
    organization = selectors.organization_get_contracted(plan=request.plan, pk=pk)
    form = CareManagerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        manager, status = call_service(
            form,
            services.care_manager_add,
            plan=request.plan,
            actor=request.principal,
            organization=organization,
            **form.cleaned_data,
        )
        if manager is not None:
            messages.success(request, f"{manager.name} added as a care manager at {organization.name}.")
            return redirect("provider-profile", pk=organization.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "providers/care_manager_form.html", {"organization": organization, "form": form}, status=status
    )


@plan_page(Capability.PROVIDERS_MANAGE)
def contract_edit(request, pk):
    """A contract's terms: counties, Populations of Focus, presumptive starts, and the services it
    covers with each one's capacity, a line added or removed (DOMAIN 7, 9)."""
    contract = _contract(request, pk)
    initial = {
        "counties": list(contract.counties.all()),
        "pofs": list(contract.pofs.all()),
        "is_presumptive_capable": contract.is_presumptive_capable,
    } | ContractEditForm.initial_lines(contract)
    form = ContractEditForm(
        request.POST or None, plan=request.plan, pofs=pof_catalogue(), services=_catalogue(), initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.terms() | {
                "counties": list(form.cleaned_data["counties"]),
                "pofs": list(form.cleaned_data["pofs"]),
                "lines": form.lines(),
            }
            updated, status = call_service(
                form, services.contract_update, plan=request.plan, actor=request.principal, contract=contract, **data
            )
            if updated is not None:
                messages.success(request, f"The contract with {contract.organization.name} is updated.")
                return redirect("provider-profile", pk=contract.organization_id)
    context = {"contract": contract, "form": form, "back": reverse("provider-profile", args=[contract.organization_id])}
    return render(request, "providers/contract_edit.html", context, status=status)


@plan_page(Capability.CONTRACTS_END)
def contract_end(request, pk):
    """Ending a contract moves its members (DOMAIN 7): the page asks once more, saying how many."""
    contract = _contract(request, pk)
    back = reverse("provider-profile", args=[contract.organization_id])
    form = ContractEndForm(request.POST or None, initial={"end_date": contract.end_date})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and not is_confirmed(request):
            end_date = form.cleaned_data["end_date"]
            return confirmation_page(
                request,
                form,
                title=f"End the contract with {contract.organization.name}",
                question=f"End it on {end_date:%Y-%m-%d}?",
                button="Yes, end the contract",
                back=back,
                facts=[
                    (
                        "Members assigned under it",
                        f"{contract.assigned}: each is reassigned by the assignment order "
                        "among the contracts in force after it, or put on the awaiting-assignment list.",
                    ),
                    *[
                        (
                            f"Members placed for {line.service.name}",
                            f"{line.assigned}: each placement ends with the contract; the member's request "
                            "then shows no provider, to place with another.",
                        )
                        for line in contract.lines.all()
                        if not line.service.is_ecm and line.assigned
                    ],
                ],
            )
        if form.is_valid():
            ended, status = call_service(
                form,
                services.contract_end,
                plan=request.plan,
                actor=request.principal,
                contract=contract,
                **form.cleaned_data,
            )
            if ended is not None:
                messages.success(
                    request, f"The contract with {contract.organization.name} ends on {ended.end_date:%Y-%m-%d}."
                )
                return redirect("provider-profile", pk=contract.organization_id)
    return render(
        request, "providers/contract_end.html", {"contract": contract, "form": form, "back": back}, status=status
    )
