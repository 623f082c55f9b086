from django import forms
from django.contrib import admin

from ecm_platform.calendars.models import DecisionTimeframe, Holiday
from ecm_platform.calendars.services import holiday_create, holiday_delete
from ecm_platform.tenancy.admin import PlanOwnedAdmin


class HolidayForm(forms.ModelForm):
    plan = None  # the session's plan, set per request by the admin below

    class Meta:
        model = Holiday
        fields = ["date", "name"]

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date")
        if day and Holiday.objects.filter(plan=self.plan, date=day).exists():
            self.add_error("date", f"{day.isoformat()} is already a closure day.")
        return cleaned


@admin.register(Holiday)
class HolidayAdmin(PlanOwnedAdmin):
    """The plan administrator adds and removes closure days (DOMAIN 5.1), through the services
    (audited); a closure is removed and added again rather than edited."""

    form = HolidayForm
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"plan": request.plan})

    def save_model(self, request, obj, form, change):
        created = holiday_create(plan=request.plan, day=obj.date, name=obj.name, actor=request.principal)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        holiday_delete(plan=request.plan, holiday=obj, actor=request.principal)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            holiday_delete(plan=request.plan, holiday=holiday, actor=request.principal)


@admin.register(DecisionTimeframe)
class DecisionTimeframeAdmin(admin.ModelAdmin):
    list_display = ["rule", "effective_from", "amount", "citation"]
    list_filter = ["rule"]

    def has_change_permission(self, request, obj=None):
        # Versions are added, never rewritten: a past receipt keeps the rule it was decided under.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
