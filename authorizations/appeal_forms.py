"""Forms of the appeal and grievance pages (DOMAIN 5.4): input shapes only; the services decide."""

from django import forms

from authorizations.models import AppealOutcome, GrievanceOutcome

RECEIVED_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RECEIVED_HELP = "When the plan received it (default: now); the clocks run from here."


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class AppealForm(forms.Form):
    reason = forms.CharField(widget=_textarea(4), label="What the member disagrees with")
    received_at = forms.DateTimeField(required=False, widget=RECEIVED_INPUT, help_text=RECEIVED_HELP)
    is_expedited = forms.BooleanField(
        required=False, label="Expedited", help_text="Resolved within 72 hours instead of 30 days."
    )


class GrievanceForm(forms.Form):
    description = forms.CharField(widget=_textarea(4), label="What the member is dissatisfied with")
    received_at = forms.DateTimeField(required=False, widget=RECEIVED_INPUT, help_text=RECEIVED_HELP)
    is_urgent = forms.BooleanField(required=False, label="Urgent", help_text="Resolved within 72 hours.")


class AppealResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=AppealOutcome.choices)
    summary = forms.CharField(widget=_textarea(), label="Resolution summary")
    modification = forms.CharField(
        required=False,
        widget=_textarea(2),
        label="What is approved",
        help_text="A partial overturn of a denial or a modification approves this instead (its modification notice).",
    )


class GrievanceResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=GrievanceOutcome.choices)
    summary = forms.CharField(widget=_textarea(), label="Resolution summary")
