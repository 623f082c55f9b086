from django import forms


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


class PhiAccessFilterForm(DateRangeForm):
    member = forms.CharField(required=False, label="Member", help_text="Member id or CIN")
