"""Browser sessions: the plan chosen in the session (re-validated on every request) and the
automatic logoff."""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from ecm_platform import clocks
from ecm_platform.tenancy.access import Principal
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.selectors import memberships_of_user

SESSION_PLAN_KEY = "ecm_plan_id"


def session_membership(request, memberships):
    """The membership for the plan stored in the session, falling back to the user's first plan.

    A plan the user no longer works for is never honoured, whatever the session says.
    """
    chosen_plan_id = request.session.get(SESSION_PLAN_KEY)
    for membership in memberships:
        if membership.plan_id == chosen_plan_id:
            return membership
    if not memberships:
        request.session.pop(SESSION_PLAN_KEY, None)
        return None
    request.session[SESSION_PLAN_KEY] = memberships[0].plan_id
    return memberships[0]


class PlanScopeMiddleware:
    """Sets `request.memberships`, `request.membership`, `request.plan` and `request.principal`, and
    runs the view inside that plan's scope. Users without a plan get no scope: any tenant query then raises.

    API requests authenticated by key are scoped again by the API base view (DRF authenticates
    after middleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = memberships_of_user(user=request.user)
        for membership in request.memberships:
            membership.user = request.user  # the same row: no second query for the principal's user
        request.membership = session_membership(request, request.memberships) if request.memberships else None
        request.plan = request.membership.plan if request.membership else None
        request.principal = Principal.of_membership(request.membership) if request.membership else None
        if request.plan is None:
            return self.get_response(request)
        with plan_scope(request.plan):
            return self.get_response(request)


LOGIN_AT_KEY = "ecm_login_at"
LAST_ACTIVITY_KEY = "ecm_last_activity"
# Activity is written to the session at most this often (one write per request would be wasteful).
ACTIVITY_RESOLUTION_SECONDS = 5
# Polling how long is left is not activity; "stay signed in" always is.
PASSIVE_ROUTES = {"session-status"}
KEEPALIVE_ROUTES = {"session-keepalive"}


def session_start(request) -> None:
    """Stamp a freshly signed-in session (called right after login)."""
    now = clocks.now().timestamp()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


def session_seconds_left(request) -> float:
    """Seconds until the session ends, by idle timeout or by its absolute lifetime."""
    now = clocks.now().timestamp()
    idle_end = request.session.get(LAST_ACTIVITY_KEY, now) + settings.SESSION_IDLE_TIMEOUT.total_seconds()
    absolute_end = request.session.get(LOGIN_AT_KEY, now) + settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
    return min(idle_end, absolute_end) - now


class SessionTimeoutMiddleware:
    """Automatic logoff (HIPAA 164.312(a)(2)(iii)): after the idle timeout or the absolute lifetime
    the session is ended; pages redirect to the login page, API calls continue unauthenticated
    (and are refused). Every other request by a signed-in user counts as activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if session_seconds_left(request) <= 0:
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect(f"{reverse('login')}?timeout=1")
            else:
                self.record_activity(request)
        return self.get_response(request)

    def record_activity(self, request):
        match = resolve_or_none(request.path_info)
        route = match.url_name if match is not None else None
        if route in PASSIVE_ROUTES:
            return
        now = clocks.now().timestamp()
        request.session.setdefault(LOGIN_AT_KEY, now)
        stale = now - request.session.get(LAST_ACTIVITY_KEY, 0) >= ACTIVITY_RESOLUTION_SECONDS
        if stale or route in KEEPALIVE_ROUTES:
            request.session[LAST_ACTIVITY_KEY] = now


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
