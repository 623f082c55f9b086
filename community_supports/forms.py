"""The delivery form (DOMAIN 9): input shapes only; every rule is community_supports.services'."""

from django import forms


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class DeliveryForm(forms.Form):
    delivered_from = forms.DateField(label="First day delivered", widget=_date_input())
    delivered_to = forms.DateField(label="Last day delivered", widget=_date_input())
    quantity = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, min_value=0,
        help_text="In the service's limit unit: hours of respite or of a sobering stay, dollars, meals a day.",
    )  # fmt: skip
    limit_override_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for passing a limit",
        help_text="Only where the service's limit allows exceptions (DOMAIN 9).",
    )  # fmt: skip
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if unit:
            self.fields["quantity"].label = f"Quantity ({unit})"
