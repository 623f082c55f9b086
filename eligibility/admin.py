from django import forms
from django.contrib import admin, messages

from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import principal_for
from ecm_platform.tenancy.admin import PlanOwnedAdmin
from eligibility.models import PlanPofStart, PopulationOfFocus, ScanCriteria, ScanRun
from eligibility.scan import scan_start
from eligibility.services import plan_pof_start_check, plan_pof_start_set


@admin.register(PopulationOfFocus)
class PopulationOfFocusAdmin(admin.ModelAdmin):
    """The POF catalogue (reference data, DOMAIN 3): a new POF is a new row."""

    list_display = ["code", "name", "age_group", "live_in_wpc_hhp_counties", "live_in_other_counties", "is_scanned"]
    list_filter = ["age_group"]


@admin.register(ScanCriteria)
class ScanCriteriaAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "lookback_months", "ed_visits_min", "stays_min", "adult_age"]


class PlanPofStartForm(forms.ModelForm):
    plan = None  # the session's plan, set per request by the admin below

    class Meta:
        model = PlanPofStart
        fields = ["county", "pof", "start_date"]

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) for name in ("county", "pof", "start_date")):
            try:
                plan_pof_start_check(plan=self.plan, **cleaned)
            except DomainError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(PlanPofStart)
class PlanPofStartAdmin(PlanOwnedAdmin):
    """The plan's earlier POF starts per county (DOMAIN 3.4), set through the service (checked,
    audited)."""

    form = PlanPofStartForm
    list_display = ["pof", "county", "start_date"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"plan": request.plan})

    def save_model(self, request, obj, form, change):
        saved = plan_pof_start_set(plan=request.plan, actor=request.principal, **form.cleaned_data)
        obj.pk = saved.pk


@admin.register(ScanRun)
class ScanRunAdmin(PlanOwnedAdmin):
    list_display = ["started_at", "status", "data_month", "qualified", "opened", "closed", "duration_ms"]
    list_filter = ["status"]
    actions = ["scan_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Run the high-utilizer scan again (same data month)")
    def scan_again(self, request, queryset):
        started = 0
        for run in queryset.select_related("plan"):
            try:
                scan_start(plan=run.plan, actor=principal_for(request.user, run.plan), data_month=run.data_month)
            except ConflictError as error:
                messages.warning(request, f"{run.plan}: scan {error.facts['running_run']} is queued or running.")
            except DomainError as error:  # e.g. no membership of that plan to act in
                messages.error(request, f"{run.plan}: {error.message}")
            else:
                started += 1
        messages.success(request, f"{started} scan{'s' if started != 1 else ''} queued.")
