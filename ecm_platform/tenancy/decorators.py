from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def plan_role_required(*roles):
    """A page for signed-in users whose role in the session's plan is one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.membership is None or request.membership.role not in roles:
                raise PermissionDenied("Your role in this plan does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
