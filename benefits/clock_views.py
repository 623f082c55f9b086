"""The plan administrator's page of expedited clocks per Community Support
(/settings/community-supports/clocks/, DOMAIN 5.1; FAQ 28). Thin: the services check the capability
and the range, and audit."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from benefits import clock_services
from benefits.models import CatalogueService, ServiceKind
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


class ClockForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, to_field_name="code", label="Community Support")
    expedited_hours = forms.IntegerField(
        min_value=clock_services.MIN_HOURS,
        max_value=clock_services.MAX_HOURS,
        label="Expedited clock (hours)",
        help_text="1 to 72: the plan decides an expedited request for this service within these hours.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = CatalogueService.objects.filter(kind=ServiceKind.COMMUNITY_SUPPORT)


@plan_page(Capability.SERVICE_CLOCKS_MANAGE)
def service_clocks(request):
    form = ClockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clock = clock_services.service_clock_set(plan=request.plan, actor=request.principal, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, f"{clock.service}: expedited requests are decided within {clock.expedited_hours} hours."
            )
            return redirect("settings-service-clocks")
    services = clock_services.service_clocks_of(plan=request.plan, principal=request.principal)
    return render(
        request,
        "benefits/service_clocks.html",
        {"form": form, "services": services},
        status=400 if form.errors else 200,
    )


@plan_page(Capability.SERVICE_CLOCKS_MANAGE)
@require_POST
def service_clock_clear(request, code):
    try:
        service = CatalogueService.objects.get(code=code, kind=ServiceKind.COMMUNITY_SUPPORT)
    except CatalogueService.DoesNotExist:
        raise Http404("No such Community Support.") from None
    clock_services.service_clock_clear(plan=request.plan, actor=request.principal, service=service)
    messages.success(request, f"{service}: the catalogue's clock of {service.expedited_hours} hours applies again.")
    return redirect("settings-service-clocks")
