"""Browser sessions of provider staff: after PlanScopeMiddleware, a signed-in user who works for
no plan but holds a provider membership acts as that provider principal, inside the scope of the
plans contracting with the organization today (re-resolved on every request, like plan staff)."""

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import plans_scope
from providers.provider_selectors import principal_of_provider_membership, provider_membership_of_user


class ProviderScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.principal is not None:
            return self.get_response(request)
        provider_membership = provider_membership_of_user(user=request.user)
        if provider_membership is None:
            return self.get_response(request)
        request.principal = principal_of_provider_membership(provider_membership, day=clocks.local_date(clocks.now()))
        with plans_scope(request.principal.plan_ids):
            return self.get_response(request)
