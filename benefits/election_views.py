"""The plan administrator's page of Community Supports elections (/settings/community-supports/,
DOMAIN 9: add on 1 January or 1 July, remove on 1 January, the windows explained) and the offered
list per county and day (/community-supports/offered/, every plan role). Thin: the services check
the capability and the windows, and audit."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benefits import rules, services
from benefits.election_selectors import elections_of, offered_services
from benefits.models import CatalogueService, Election, ServiceKind
from ecm_platform import clocks
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page, provider_page
from ecm_platform.tenancy.models import County, HealthPlan


def _today():
    return clocks.local_date(clocks.now())


class ElectionForm(forms.Form):
    county = forms.ModelChoiceField(queryset=None, to_field_name="code")
    service = forms.ModelChoiceField(queryset=None, to_field_name="code", label="Community Support")
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="1 January or 1 July.", label="Offered from"
    )
    state_approved_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False, label="State approval"
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets per request: the plan's own counties, the Community Supports of the catalogue.
        self.fields["county"].queryset = plan.counties.order_by("code")
        self.fields["service"].queryset = CatalogueService.objects.filter(kind=ServiceKind.COMMUNITY_SUPPORT)
        self.initial.setdefault("effective_from", rules.next_addition_date(_today()))


class RemovalForm(forms.Form):
    removal_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="1 January: the first day not offered."
    )
    state_approved_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False, label="State approval"
    )
    note = forms.CharField(max_length=300, required=False)


def _elections_page(request, form, status=200):
    today = _today()
    context = {
        "form": form,
        "elections": elections_of(plan=request.plan, principal=request.principal).order_by(
            "county__code", "service__position", "-effective_from"
        ),
        "next_addition": rules.next_addition_date(today),
        "next_removal": rules.next_removal_date(today),
        "removal_form": RemovalForm(initial={"removal_date": rules.next_removal_date(today)}),
        "today": today,
    }
    return render(request, "benefits/elections.html", context, status=status)


@plan_page(Capability.ELECTIONS_MANAGE)
def elections(request):
    form = ElectionForm(request.POST or None, plan=request.plan)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_add(plan=request.plan, actor=request.principal, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, f"{election.service} is offered in {election.county} from {election.effective_from:%Y-%m-%d}."
            )
            return redirect("settings-community-supports")
    return _elections_page(request, form, status=400 if form.errors else 200)


@plan_page(Capability.ELECTIONS_MANAGE)
@require_POST
def election_remove(request, pk):
    try:
        election = Election.objects.get(pk=pk, plan=request.plan)
    except Election.DoesNotExist:
        raise Http404("No such election.") from None
    form = RemovalForm(request.POST)
    if form.is_valid():
        try:
            services.election_remove(plan=request.plan, actor=request.principal, election=election, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    if form.errors:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, f"{election.service} in {election.county}: {problem}")
        return _elections_page(request, ElectionForm(plan=request.plan), status=400)
    messages.success(
        request,
        f"{election.service} is no longer offered in {election.county} from {form.cleaned_data['removal_date']:%Y-%m-%d}.",
    )
    return redirect("settings-community-supports")


@plan_page(Capability.ELECTIONS_MANAGE)
@require_POST
def election_cancel(request, pk):
    """A planned addition withdrawn before its first day; 409 once it is in effect."""
    try:
        election = Election.objects.select_related("service", "county").get(pk=pk, plan=request.plan)
    except Election.DoesNotExist:
        raise Http404("No such election.") from None
    try:
        services.election_cancel(plan=request.plan, actor=request.principal, election=election)
    except ConflictError as error:
        messages.error(request, error.message)
        return _elections_page(request, ElectionForm(plan=request.plan), status=409)
    messages.success(
        request,
        f"The planned addition of {election.service} in {election.county} from "
        f"{election.effective_from:%Y-%m-%d} is cancelled.",
    )
    return redirect("settings-community-supports")


class OfferedForm(forms.Form):
    county = forms.ModelChoiceField(queryset=None, to_field_name="code")
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False, label="On")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = plan.counties.order_by("code")


@plan_page(Capability.ELECTIONS_READ)
def offered(request):
    form = OfferedForm(request.GET or None, plan=request.plan)
    context = {"form": form, "services": None}
    if form.is_valid():
        on = form.cleaned_data["on"] or _today()
        county = form.cleaned_data["county"]
        context.update(on=on, county=county, services=offered_services(plan=request.plan, county=county, on=on))
    context["plan"] = request.plan
    return render(request, "benefits/offered.html", context, status=400 if form.errors else 200)


class ProviderOfferedForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=None, to_field_name="code", label="Health plan")
    county = forms.ModelChoiceField(queryset=County.objects.order_by("code"), to_field_name="code")
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False, label="On")

    def __init__(self, *args, plan_ids, **kwargs):
        super().__init__(*args, **kwargs)
        # The plans the organization contracts with today, per request.
        self.fields["plan"].queryset = HealthPlan.objects.filter(pk__in=plan_ids).order_by("name")


@provider_page(Capability.ELECTIONS_READ)
def provider_offered(request):
    """What a contracting plan offers in one of its counties on a day (DOMAIN 9), for provider staff."""
    form = ProviderOfferedForm(request.GET or None, plan_ids=request.principal.plan_ids)
    context = {"form": form, "services": None, "is_provider_page": True}
    if form.is_valid():
        plan, county = form.cleaned_data["plan"], form.cleaned_data["county"]
        on = form.cleaned_data["on"] or _today()
        try:
            offered = list(offered_services(plan=plan, county=county, on=on))
        except DomainError as error:
            form.add_error("county", error.message)
        else:
            context.update(plan=plan, on=on, county=county, services=offered)
    return render(request, "benefits/offered.html", context, status=400 if form.errors else 200)
