"""The plan administrator's page for POF early starts (DOMAIN 3.4): a plan may start a Population
of Focus in a county it serves before the DHCS date, never later. Thin: the service checks the
capability and the DHCS date, and audits."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from eligibility.selectors import plan_pof_start_list, pof_catalogue
from eligibility.services import plan_pof_start_set


class PofStartForm(forms.Form):
    county = forms.ModelChoiceField(queryset=None, to_field_name="code")
    pof = forms.ModelChoiceField(queryset=None, to_field_name="code", label="Population of Focus")
    start_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="On or before the DHCS date."
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets per request: the plan's own counties, the POFs in force today.
        self.fields["county"].queryset = plan.counties.order_by("code")
        self.fields["pof"].queryset = pof_catalogue(clocks.local_date(clocks.now())).order_by("name")


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def pof_starts(request):
    form = PofStartForm(request.POST or None, plan=request.plan)
    if request.method == "POST" and form.is_valid():
        try:
            start = plan_pof_start_set(plan=request.plan, actor=request.principal, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{start.pof.name} starts in {start.county} on {start.start_date:%Y-%m-%d}.")
            return redirect("settings-pof-starts")
    context = {"form": form, "starts": plan_pof_start_list(plan=request.plan)}
    return render(request, "eligibility/settings_pof_starts.html", context, status=400 if form.errors else 200)
