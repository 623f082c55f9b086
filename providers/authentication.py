"""Provider API keys: `Authorization: Api-Key <prefix>.<secret>`, the header plan keys use.

This class runs before PlanApiKeyAuthentication and passes (returns None) on a key that is not a
provider key, so each key is looked up where it lives. Keys are identity rows (no plan), read before
any scope exists; the provider API view then enters the scope of the organization's contracting
plans. Revoked, expired and inactive keys are refused alike.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ecm_platform.tenancy.authentication import KEYWORD
from providers.models import ProviderApiKey


class ProviderApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        keyword, _, key = authentication.get_authorization_header(request).decode("latin-1").partition(" ")
        if keyword != KEYWORD or not key.strip():
            return None  # the plan key authentication answers these
        try:
            api_key = ProviderApiKey.objects.get_from_key(key.strip())
        except ProviderApiKey.DoesNotExist:
            return None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return api_key.provider_membership.user, api_key

    def authenticate_header(self, request):
        return KEYWORD


class ProviderApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ProviderApiKeyAuthentication
    name = "ProviderApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; a provider key belongs to one provider staff login.",
        }
