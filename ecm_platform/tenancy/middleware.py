"""Scope every browser request to the plan chosen in the session, re-validated each time."""

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
    """Sets `request.memberships`, `request.membership` and `request.plan`, and runs the view
    inside that plan's scope. Users without a plan get no scope: any tenant query then raises.

    API requests authenticated by key are scoped again by the API base view (DRF authenticates
    after middleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = memberships_of_user(user=request.user)
        request.membership = (
            session_membership(request, request.memberships) if request.memberships else None
        )
        request.plan = request.membership.plan if request.membership else None
        if request.plan is None:
            return self.get_response(request)
        with plan_scope(request.plan):
            return self.get_response(request)
