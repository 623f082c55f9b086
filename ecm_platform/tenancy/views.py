from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ecm_platform.tenancy import selectors
from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY, session_seconds_left, session_start


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in with a new session id
        session_start(self.request)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        context["idle_minutes"] = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return context


@login_required
def home(request):
    context = {}
    if request.membership is not None:
        context = selectors.dashboard_figures(membership=request.membership)
    return render(request, "tenancy/home.html", context)


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
def session_status(request):
    """Seconds left in the session; polling it is not activity (the idle-logoff warning)."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0})
    return JsonResponse({"authenticated": True, "seconds_left": int(session_seconds_left(request))})


@require_POST
@login_required
def session_keepalive(request):
    """ "Stay signed in": the request itself counts as activity."""
    return JsonResponse({"authenticated": True, "seconds_left": int(session_seconds_left(request))})


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
