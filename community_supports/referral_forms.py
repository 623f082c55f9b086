"""The referral pages' forms (DOMAIN 9): input shapes only; every rule is referral_services'."""

from django import forms

from authorizations.models import Urgency
from benefits.models import CatalogueService
from community_supports.referral_models import (
    ClosureReason,
    DeclineReason,
    ReferralSettings,
    ReferralStatus,
    ReferrerKind,
)
from community_supports.referral_services import CHOSEN_CLOSURES, PROVIDER_CLOSURES, SETTINGS_FIELDS
from members.selectors import member_list
from providers.selectors import organization_choices


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any"), *ReferralStatus.choices], required=False)
    stalled = forms.BooleanField(required=False, label="Stalled only", help_text="Past either plan clock.")


class ReferralIntakeForm(forms.Form):
    """What a referring entity sends, entered by plan staff (an integrator posts it to the API)."""

    member = forms.ModelChoiceField(queryset=None, help_text="The member referred (by CIN).", to_field_name="cin",
                                    widget=forms.TextInput)  # fmt: skip
    service = forms.ModelChoiceField(queryset=None, to_field_name="code")
    organization = forms.ModelChoiceField(queryset=None, label="Provider referred to")
    referrer_kind = forms.ChoiceField(choices=ReferrerKind.choices, label="Who referred")
    referrer_name = forms.CharField(max_length=200, required=False, label="Referring entity's name")
    referrer_email = forms.EmailField(
        required=False, label="Referring entity's email", help_text="A validated address; fax does not count."
    )
    referrer_organization = forms.ModelChoiceField(
        queryset=None, required=False, label="Referring provider (portal logins)",
        help_text="A network provider told in its portal instead of by email.",
    )  # fmt: skip
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE)
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_list(plan=plan)
        # Sobering centers are exempt from the closed loop (DOMAIN 9): not offered here.
        self.fields["service"].queryset = CatalogueService.objects.filter(closed_loop_exempt=False).only("code", "name")
        self.fields["organization"].queryset = organization_choices(plan=plan)
        self.fields["referrer_organization"].queryset = organization_choices(plan=plan)


class StepForm(forms.Form):
    """A step's form; `provider`: shown to the provider's staff, who have fewer choices."""

    def __init__(self, *args, provider=False, **kwargs):
        super().__init__(*args, **kwargs)


class AcceptForm(StepForm):
    provider_contact = forms.CharField(max_length=200, help_text="The phone or email the member reaches you at.")
    note = forms.CharField(required=False, max_length=2000)


class DeclineForm(StepForm):
    reason = forms.ChoiceField(choices=DeclineReason.choices)
    note = forms.CharField(required=False, max_length=2000, help_text="Required for other.")


class StartForm(StepForm):
    started_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Default: today."
    )
    note = forms.CharField(required=False, max_length=2000)


class CloseForm(StepForm):
    reason = forms.ChoiceField(choices=[])
    note = forms.CharField(required=False, max_length=2000, help_text="Required for other.")

    def __init__(self, *args, provider=False, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = PROVIDER_CLOSURES if provider else CHOSEN_CLOSURES
        self.fields["reason"].choices = [(value, label) for value, label in ClosureReason.choices if value in allowed]


class ReferralSettingsForm(forms.ModelForm):
    class Meta:
        model = ReferralSettings
        fields = list(SETTINGS_FIELDS)
