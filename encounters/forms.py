from django import forms

from encounters.services import MAX_FILE_BYTES


class InvoiceFileForm(forms.Form):
    file = forms.FileField(
        label="Invoice (CSV)",
        help_text=f"UTF-8 CSV with the plan's invoice column map's header; at most {MAX_FILE_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        """The size is checked before a line is read (DOMAIN 11: limits before work)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the page takes at most {MAX_FILE_BYTES:,}."
            )
        return upload


class InvoiceLineForm(forms.Form):
    """One invoice line, as the API takes it: shapes only, the service checks the values."""

    provider_npi = forms.CharField(label="Provider NPI", max_length=10)
    invoice_number = forms.CharField(max_length=40)
    line_number = forms.IntegerField(min_value=1, max_value=999999)
    member_cin = forms.CharField(label="Member CIN", max_length=9)
    service_from = forms.DateField(label="First day of service")
    service_to = forms.DateField(label="Last day of service", required=False, help_text="Empty: one day.")
    hcpcs = forms.CharField(label="HCPCS code", max_length=5)
    modifier_1 = forms.CharField(max_length=5, required=False)
    modifier_2 = forms.CharField(max_length=5, required=False, help_text="GQ: by telephone or video.")
    modifier_3 = forms.CharField(max_length=5, required=False)
    modifier_4 = forms.CharField(max_length=5, required=False)
    units = forms.DecimalField(min_value=0, max_digits=9, decimal_places=2)
    amount = forms.DecimalField(label="Billed amount (USD)", required=False, max_digits=11, decimal_places=2)
    place_of_service = forms.CharField(max_length=2, required=False)
    notes = forms.CharField(widget=forms.Textarea, max_length=500, required=False)

    def line(self) -> dict:
        """The line as the service reads it: every value as text."""
        return {name: "" if value is None else str(value) for name, value in self.cleaned_data.items()}
