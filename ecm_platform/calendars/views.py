"""The plan administrator's holiday calendar (DOMAIN 5.1): the closure days that no working-day
deadline counts, a year at a time. Thin: writes go through the services (audited)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ecm_platform import clocks
from ecm_platform.calendars import selectors, services
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page

YEARS_SHOWN = range(2000, 2101)


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=100, help_text="As staff know it, e.g. “Cesar Chavez Day”.")


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and int(value) in YEARS_SHOWN:
        return int(value)
    return clocks.local_date(clocks.now()).year


def _calendar_url(year: int) -> str:
    return f"{reverse('settings-holidays')}?year={year}"


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def holiday_calendar(request):
    year = _year(request)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday = services.holiday_create(
                plan=request.plan,
                actor=request.principal,
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{holiday.date:%Y-%m-%d} ({holiday.name}) is now a closure day.")
            return redirect(_calendar_url(holiday.date.year))
    context = {
        "form": form,
        "year": year,
        "holidays": selectors.holiday_list(plan=request.plan, year=year),
        "other_years": [year - 1, year + 1],
    }
    return render(request, "calendars/holidays.html", context, status=400 if form.errors else 200)


@require_POST
@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def holiday_remove(request, pk):
    holiday = get_object_or_404(selectors.holiday_list(plan=request.plan), pk=pk)
    services.holiday_delete(plan=request.plan, actor=request.principal, holiday=holiday)
    messages.success(request, f"{holiday.date:%Y-%m-%d} ({holiday.name}) is a working day again.")
    return redirect(_calendar_url(holiday.date.year))
