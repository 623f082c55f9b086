"""Forms of the outreach pages (DOMAIN 8): input shapes only; the counting rules live in
outreach.rules and every refusal in outreach.services."""

from django import forms

from ecm_platform import clocks
from outreach.models import Method, Outcome, OutreachSettings, TargetKind
from outreach.rules import outcome_problem, verdict
from outreach.services import SETTINGS_FIELDS

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class WorklistFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Who reaches out", choices=[("", "Everyone"), *TargetKind.choices])
    organization = forms.ChoiceField(required=False, label="ECM Provider")
    county = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue first attempts only")

    def __init__(self, *args, counties, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request from the plan's own rows, never a queryset from import time.
        self.fields["county"].choices = [("", "All counties")] + [(c.code, c.name) for c in counties]
        self.fields["organization"].choices = [("", "All providers")] + [(str(o.pk), o.name) for o in organizations]

    def filters(self) -> dict:
        """What the worklist selector reads: only the filters chosen."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen = {name: data[name] for name in ("kind", "organization", "county") if data[name]}
        return chosen | ({"overdue": "1"} if data["overdue"] else {})


class ProviderWorklistFilterForm(forms.Form):
    """The provider's worklist: one contracting plan at a time (the first by name unless chosen)."""

    plan = forms.ChoiceField(required=False, label="Health plan")
    overdue = forms.BooleanField(required=False, label="Overdue attempts only")

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {plan.code: plan for plan in plans}
        self.fields["plan"].choices = [(plan.code, plan.name) for plan in plans]

    def chosen_plan(self):
        code = self.cleaned_data.get("plan") if self.is_valid() else ""
        return self.plans.get(code) or next(iter(self.plans.values()), None)

    def filters(self) -> dict:
        return {"overdue": "1"} if self.is_valid() and self.cleaned_data["overdue"] else {}


class AttemptForm(forms.Form):
    """One attempt. Whether it will count is the rules' verdict, shown before saving (`verdict()`)."""

    attempted_at = forms.DateTimeField(
        label="Date and time",
        input_formats=[LOCAL_DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME_FORMAT),
    )
    method = forms.ChoiceField(choices=Method.choices)
    asks_for_response = forms.BooleanField(
        required=False,
        initial=True,
        label="The message asked the member to respond",
        help_text="Call a named contact, book a visit. An email or text that only informs is marketing.",
    )
    outcome = forms.ChoiceField(choices=Outcome.choices)
    minutes = forms.IntegerField(label="Time spent (minutes)", min_value=0, max_value=600)
    notes = forms.CharField(required=False, max_length=2000, widget=_textarea())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "attempted_at", clocks.now().astimezone(clocks.LOCAL_ZONE).strftime(LOCAL_DATETIME_FORMAT)
        )
        super().__init__(*args, **kwargs)
        for name in ("method", "asks_for_response", "outcome"):
            self.fields[name].widget.attrs["data-verdict-input"] = name

    def clean(self):
        data = super().clean()
        method, outcome = data.get("method"), data.get("outcome")
        if method and outcome and (problem := outcome_problem(method, outcome)):
            self.add_error("outcome", problem)
        return data

    def verdict(self):
        """The rules' verdict on what the form holds, or None until method and outcome are valid."""
        method, outcome = self.data.get("method", ""), self.data.get("outcome", "")
        if method not in Method.values or outcome not in Outcome.values or outcome_problem(method, outcome):
            return None
        return verdict(method, bool(self.data.get("asks_for_response")), outcome)


class VerdictQueryForm(forms.Form):
    """The query of the verdict endpoint the attempt form's script calls."""

    method = forms.ChoiceField(choices=Method.choices)
    asks_for_response = forms.CharField(required=False, max_length=5)
    outcome = forms.ChoiceField(choices=Outcome.choices)

    def asks(self) -> bool:
        return self.cleaned_data["asks_for_response"] in ("1", "on", "true")


class CloseOutForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=_textarea(2), label="Note")


class ReferralForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        widget=_textarea(3),
        label="Programs referred to",
        help_text="Which of the plan's other programs the member was referred to (Policy Guide V.1.f).",
    )


class OutreachSettingsForm(forms.ModelForm):
    class Meta:
        model = OutreachSettings
        fields = list(SETTINGS_FIELDS)
        labels = {
            "first_attempt_business_days": "First attempt due (business days)",
            "unreachable_attempts": "Unable to reach: counting attempts",
            "unreachable_days": "Unable to reach: days between the first and the latest counting attempt",
            "unreachable_methods": "Unable to reach: different methods",
            "referral_business_days": "Other-programs referral due (business days)",
        }


class MeasureBuildForm(forms.Form):
    year = forms.IntegerField(min_value=2022, max_value=2100)
    quarter = forms.TypedChoiceField(coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])
