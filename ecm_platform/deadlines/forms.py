from django import forms

from ecm_platform.deadlines.models import LIVE_STATES, DeadlineKind


class DeadlineFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *DeadlineKind.choices])
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Every running clock"), *((state.value, state.label) for state in LIVE_STATES)],
        help_text="At risk: less than 24 hours left (DOMAIN 5.1). Open: more than that.",
    )
