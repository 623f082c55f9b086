from django import forms
from django.contrib import admin, messages

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.admin import PlanOwnedAdmin
from eligibility.models import PlanPofStart, PopulationOfFocus, ScanCriteria, ScanRun
from eligibility.services import plan_pof_start_check, plan_pof_start_set
from eligibility.tasks import high_utilizer_scan_task


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
        runs = list(queryset)
        for run in runs:
            high_utilizer_scan_task.delay_on_commit(
                plan_id=run.plan_id,
                data_month=run.data_month.isoformat() if run.data_month else None,
                actor_id=request.user.pk,
            )
        messages.success(request, f"{len(runs)} scan{'s' if len(runs) != 1 else ''} queued.")
