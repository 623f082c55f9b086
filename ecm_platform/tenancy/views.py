from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY


@login_required
def home(request):
    return render(request, "tenancy/home.html")


@require_POST
@login_required
def plan_switch(request):
    """Switch the session to another plan the user works for; the session id is cycled."""
    code = request.POST.get("plan", "")
    membership = next((m for m in request.memberships if m.plan.code == code), None)
    if membership is None:
        raise Http404("You do not work for that plan.")
    request.session.cycle_key()
    request.session[SESSION_PLAN_KEY] = membership.plan_id
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "home"
    return redirect(next_url)


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
