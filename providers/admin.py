from django.contrib import admin

from ecm_platform.tenancy.admin import PlanOwnedAdmin
from providers.models import AssignmentSettings
from providers.services import assignment_settings_set


@admin.register(AssignmentSettings)
class AssignmentSettingsAdmin(PlanOwnedAdmin):
    """The plan's assignment-order settings (DOMAIN 7), one row per plan, saved through the service
    (audited)."""

    list_display = ["plan", "pcp_before_behavioral_health"]
    fields = ["pcp_before_behavioral_health"]

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        return allowed and not AssignmentSettings.objects.filter(plan=request.plan).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = assignment_settings_set(
            plan=request.plan,
            actor=request.principal,
            pcp_before_behavioral_health=form.cleaned_data["pcp_before_behavioral_health"],
        )
        obj.pk = saved.pk
