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


def staff_page(*capabilities: Capability):
    """A page for plan staff (as `plan_page`) and for provider staff holding `capabilities` (as
    `provider_page`): the views read `request.plan` for the one and `request.principal.plan_ids`
    for the other (see `staff_plan_ids`)."""

    def decorator(view):
        plan_view, provider_view = plan_page(*capabilities)(view), provider_page(*capabilities)(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            principal = getattr(request, "principal", None)
            chosen = provider_view if principal is not None and principal.is_provider else plan_view
            return chosen(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_plan_ids(request) -> list[int]:
    """The plans a `staff_page` shows: the session's plan, or a provider's contracting plans."""
    return [request.plan.pk] if request.plan is not None else sorted(request.principal.plan_ids)


def provider_page(*capabilities: Capability):
    """A provider staff page for signed-in provider principals who hold every one of `capabilities`
    for their own organization. Plan staff are refused (403): a plan principal is never taken for a
    provider one, whatever its role holds."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            principal = getattr(request, "principal", None)
            if principal is None or not principal.is_provider:
                raise PermissionDenied("This page is for provider staff.")
            if not all(principal.may(need, organization=principal.organization_id) for need in capabilities):
                raise PermissionDenied("Your role in your organization does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
