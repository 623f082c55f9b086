"""API key authentication: `Authorization: Api-Key <prefix>.<secret>`.

The key names its plan, so its lookup happens before any scope exists (`across_plans`); the API base
view then enters that plan's scope. Revoked, expired and inactive keys are refused alike.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ecm_platform.tenancy.models import PlanApiKey
from ecm_platform.tenancy.scoping import across_plans

KEYWORD = "Api-Key"


class PlanApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = key.strip()
        if not key:
            raise exceptions.AuthenticationFailed("The API key is missing.")
        with across_plans(reason="API key lookup by its hash", resolving_identity=True):
            try:
                api_key = PlanApiKey.objects.get_from_key(key)
            except PlanApiKey.DoesNotExist:
                raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
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
