from django.conf import settings

from ecm_platform.tenancy.models import Role


def current_plan(request):
    membership = getattr(request, "membership", None)
    return {
        "current_plan": getattr(request, "plan", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "is_plan_administrator": membership is not None and membership.role == Role.PLAN_ADMINISTRATOR,
        "session_idle_timeout_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_idle_warning_seconds": int(settings.SESSION_IDLE_WARNING.total_seconds()),
    }
