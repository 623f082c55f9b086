from rest_framework.permissions import BasePermission


class HasPlanRole(BasePermission):
    """The caller works for the request's plan in a role the view allows for this action.

    Views declare `allowed_roles` and, where actions differ, `action_roles = {action: roles}`.
    """

    message = "Your role in this plan does not allow this action."

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None), view.allowed_roles)
        return membership.role in roles
