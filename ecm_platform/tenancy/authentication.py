"""API key authentication: `Authorization: Api-Key <prefix>.<secret>`.

The key names its plan, so its lookup happens before any scope exists (`across_plans`); the API base
view then enters that plan's scope. Revoked, expired and inactive keys are refused alike.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ecm_platform.tenancy.models import PlanApiKey
from ecm_platform.tenancy.scoping import across_plans

KEYWORD = "Api-Key"
INVALID = "Invalid, revoked or expired API key."


def api_key_sent(request) -> str | None:
    """The key of an `Api-Key` authorization header ("" when empty), or None without one."""
    keyword, _, key = authentication.get_authorization_header(request).decode("latin-1").partition(" ")
    return key.strip() if keyword == KEYWORD else None


class PlanApiKeyAuthentication(authentication.BaseAuthentication):
    def __init__(self, *, passes_unknown_keys: bool = False):
        # In the default order (after the provider key authentication) a key that is no usable plan
        # key is refused here. The plan API's views look first and pass such a key on: they refuse
        # it themselves once no class has accepted it (ecm_platform/api/views.py).
        self.passes_unknown_keys = passes_unknown_keys

    def authenticate(self, request):
        key = api_key_sent(request)
        if key is None:
            return None
        if not key:
            raise exceptions.AuthenticationFailed("The API key is missing.")
        with across_plans(reason="API key lookup by its hash", exempt_tables_only=True):
            try:
                api_key = PlanApiKey.objects.get_from_key(key)
            except PlanApiKey.DoesNotExist:
                if self.passes_unknown_keys:
                    return None
                raise exceptions.AuthenticationFailed(INVALID) from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(INVALID)
        return api_key.membership.user, api_key

    def authenticate_header(self, request):
        return KEYWORD


class PlanApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = PlanApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; a key belongs to one plan membership (plan and role).",
        }
