import re

from django import forms

MODEL_LABEL = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


class DateRangeForm(forms.Form):
    username = forms.CharField(required=False, label="User")
    first = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first") and cleaned.get("last") and cleaned["first"] > cleaned["last"]:
            self.add_error("last", "The end date is before the start date.")
        return cleaned


class AuditEventFilterForm(DateRangeForm):
    code = forms.CharField(required=False, label="Event code", help_text="e.g. tenancy.api_key")
    target = forms.CharField(
        required=False,
        max_length=250,
        label="Object",
        help_text="Its id, or type:id (members.member:12); type: alone finds every object of the type",
    )

    def clean_target(self):
        """Split "type:id" (or a bare id) into the selector's `target_type` and `target_id`."""
        value = self.cleaned_data["target"].strip()
        target_type, separator, target_id = value.partition(":") if ":" in value else ("", "", value)
        target_type, target_id = target_type.strip().lower(), target_id.strip()
        if separator and not MODEL_LABEL.match(target_type):
            raise forms.ValidationError("Name the type as app.model, e.g. members.member:12.")
        if len(target_id) > 150:
            raise forms.ValidationError("An object id has at most 150 characters.")
        return target_type, target_id

    def clean(self):
        cleaned = super().clean()
        target_type, target_id = cleaned.pop("target", ("", ""))
        cleaned["target_type"], cleaned["target_id"] = target_type, target_id
        return cleaned


class PhiAccessFilterForm(DateRangeForm):
    member = forms.CharField(required=False, label="Member", help_text="Member id or CIN")
