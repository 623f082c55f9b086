"""The plan administrator's settings index: each setting is edited on the page of the app that
owns it (the letters' contact and the presumptive period in authorizations, the assignment order in
providers, POF early starts in eligibility, the holiday calendar in calendars); this page lists
them with their current values where the core knows them."""

from django.shortcuts import render

from ecm_platform import clocks
from ecm_platform.calendars.selectors import holiday_list
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page


@plan_page(Capability.PLAN_SETTINGS_MANAGE)
def settings_index(request):
    this_year = clocks.local_date(clocks.now()).year
    context = {"year": this_year, "closures": holiday_list(plan=request.plan, year=this_year).count()}
    return render(request, "tenancy/settings.html", context)
