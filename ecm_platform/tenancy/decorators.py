from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from ecm_platform.tenancy.access import Capability


def plan_page(*capabilities: Capability):
    """A plan staff page for signed-in users who hold, in the session's plan, the right to the plan's
    pages and every one of `capabilities`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            principal = getattr(request, "principal", None)
            needed = (Capability.PLAN_PAGES, *capabilities)
            if principal is None or not all(principal.may(need, plan=request.plan) for need in needed):
                raise PermissionDenied("Your role in this plan does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
