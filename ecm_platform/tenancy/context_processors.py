from django.conf import settings

from ecm_platform.tenancy.access import Can, Capability


def current_plan(request):
    membership = getattr(request, "membership", None)
    principal = getattr(request, "principal", None)
    return {
        "current_plan": getattr(request, "plan", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "is_plan_administrator": principal is not None and principal.may(Capability.PLAN_SETTINGS_MANAGE),
        "can": Can(principal, getattr(request, "plan", None)),
        "session_idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_idle_warning_seconds": int(settings.SESSION_IDLE_WARNING.total_seconds()),
    }
