from django.contrib import admin
from rest_framework_api_key.models import APIKey

from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County, HealthPlan, Membership

# The library's own key model is unused (keys are PlanApiKey and ProviderApiKey): no admin page.
admin.site.unregister(APIKey)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "has_wpc_or_hhp"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthPlan)
class HealthPlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    filter_horizontal = ["counties"]


class PlanOwnedAdmin(admin.ModelAdmin):
    """Admin pages for plan-owned rows: only the session's plan, only for its plan administrators,
    and new rows belong to that plan."""

    exclude = ["plan"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan=request.plan)

    def administers_session_plan(self, request):
        principal = getattr(request, "principal", None)
        return principal is not None and principal.may(Capability.PLAN_SETTINGS_MANAGE, plan=request.plan)

    def has_module_permission(self, request):
        return self.administers_session_plan(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.administers_session_plan(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.administers_session_plan(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return self.administers_session_plan(request) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return self.administers_session_plan(request) and allowed

    def save_model(self, request, obj, form, change):
        obj.plan = request.plan
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(PlanOwnedAdmin):
    """Read-only: memberships are created with `manage.py user_create` (audited, one role per plan)."""

    list_display = ["user", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
