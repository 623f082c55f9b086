from django.contrib import admin

from ecm_platform.tenancy.models import County, HealthPlan, Membership


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
    """Admin pages for plan-owned rows: only the session's plan, and new rows belong to it."""

    exclude = ["plan"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan=request.plan)

    def has_module_permission(self, request):
        return request.plan is not None and super().has_module_permission(request)

    def save_model(self, request, obj, form, change):
        obj.plan = request.plan
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(PlanOwnedAdmin):
    list_display = ["user", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user"]
