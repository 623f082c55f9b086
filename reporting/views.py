"""The quarter's closed-loop referral and encounter measures page (issue 18; DOMAIN 9, 10): figures
only, so any plan role that reads referrals and encounters sees it; the quarter is chosen by a GET
form, today's quarter by default."""

from django.shortcuts import render

from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page
from outreach.measures import Quarter
from reporting.forms import QuarterForm
from reporting.loop_measures import loop_measures


def current_quarter() -> Quarter:
    today = clocks.local_date(clocks.now())
    return Quarter(today.year, (today.month - 1) // 3 + 1)


@plan_page(Capability.REFERRALS_READ, Capability.ENCOUNTERS_READ)
def loop_measures_page(request):
    today = current_quarter()
    form = QuarterForm(request.GET or {"year": today.year, "quarter": today.quarter})
    figures = None
    if form.is_valid():
        figures = loop_measures(
            plan=request.plan, quarter=Quarter(form.cleaned_data["year"], form.cleaned_data["quarter"])
        )
    return render(
        request, "reporting/loop_measures.html", {"form": form, "figures": figures}, status=200 if figures else 400
    )
