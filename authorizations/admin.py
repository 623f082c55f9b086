from django.contrib import admin

from authorizations.models import AuthorizationSettings
from authorizations.services.settings import authorization_settings_update
from ecm_platform.tenancy.admin import PlanOwnedAdmin


@admin.register(AuthorizationSettings)
class AuthorizationSettingsAdmin(PlanOwnedAdmin):
    """The plan's presumptive period (plan administrators set it on the app's settings pages)."""

    list_display = ["plan", "presumptive_period_days"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        authorization_settings_update(plan=request.plan, actor=request.principal, **form.cleaned_data)
