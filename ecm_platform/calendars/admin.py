from django.contrib import admin

from ecm_platform.calendars.models import DecisionTimeframe, Holiday
from ecm_platform.tenancy.admin import PlanOwnedAdmin


@admin.register(Holiday)
class HolidayAdmin(PlanOwnedAdmin):
    """The plan administrator edits the closure days per year (DOMAIN 5.1)."""

    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(DecisionTimeframe)
class DecisionTimeframeAdmin(admin.ModelAdmin):
    list_display = ["rule", "effective_from", "amount", "citation"]
    list_filter = ["rule"]

    def has_change_permission(self, request, obj=None):
        # Versions are added, never rewritten: a past receipt keeps the rule it was decided under.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
