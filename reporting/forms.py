from django import forms


class QuarterForm(forms.Form):
    # ECM began on 2022-01-01 and closed-loop referrals on 2025-07-01: no quarter before 2022 has figures.
    year = forms.IntegerField(min_value=2022, max_value=2100)
    quarter = forms.TypedChoiceField(coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])
