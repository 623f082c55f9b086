from rest_framework.permissions import BasePermission


class HasCapability(BasePermission):
    """The request's principal holds the capability the view names for this action in the
    request's plan (the capability table of `ecm_platform.tenancy.access`)."""

    message = "Your role in this plan does not allow this action."

    def has_permission(self, request, view):
        principal = getattr(request, "principal", None)
        if principal is None:
            return False
        capability = view.action_capabilities.get(getattr(view, "action", None), view.capability)
        return capability is not None and principal.may(capability, plan=request.plan)
