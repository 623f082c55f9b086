"""The plan administrator's page for the assignment order (DOMAIN 7): whether the member's PCP is
tried before their behavioral-health provider. Thin: the service checks the capability and audits."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from providers.services import assignment_settings_get, assignment_settings_set


class AssignmentSettingsForm(forms.Form):
    pcp_before_behavioral_health = forms.BooleanField(
        label="Try the member's PCP before their behavioral-health provider",
        required=False,
        help_text="Swaps steps 2 and 3 of the assignment order. Off: the behavioral-health provider "
        "(Specialty Mental Health, DMC-ODS/DMC) comes first.",
    )


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def assignment_settings_page(request):
    current = assignment_settings_get(plan=request.plan)
    form = AssignmentSettingsForm(
        request.POST or None, initial={"pcp_before_behavioral_health": current.pcp_before_behavioral_health}
    )
    if request.method == "POST" and form.is_valid():
        assignment_settings_set(plan=request.plan, actor=request.principal, **form.cleaned_data)
        messages.success(request, "The assignment order is saved; it applies to assignments from now on.")
        return redirect("settings-assignment")
    return render(request, "providers/settings_assignment.html", {"form": form})
