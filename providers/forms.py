from django import forms

from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import CareManager, ProviderOrganization


class ContractForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=ProviderOrganization.objects.none())
    counties = forms.ModelMultipleChoiceField(queryset=County.objects.none(), widget=forms.CheckboxSelectMultiple)
    pofs = forms.ModelMultipleChoiceField(
        queryset=PopulationOfFocus.objects.none(), widget=forms.CheckboxSelectMultiple, label="Populations of Focus"
    )
    capacity = forms.IntegerField(min_value=1, help_text="Members the provider can serve under this contract.")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_presumptive_capable = forms.BooleanField(required=False, label="May start services presumptively")

    def __init__(self, *args, plan, organizations, pofs, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: the plan's own counties, never a queryset from import time.
        self.fields["organization"].queryset = organizations
        self.fields["counties"].queryset = plan.counties.all()
        self.fields["pofs"].queryset = pofs


class VettingForm(forms.Form):
    criterion = forms.ChoiceField()
    met_on = forms.DateField(label="Met on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        # The seeded criteria of the organization's pathway (DOMAIN 7), read per request.
        self.fields["criterion"].choices = [(c.text, c.text) for c in criteria]


DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class LeadCareManagerForm(forms.Form):
    care_manager = forms.ModelChoiceField(queryset=CareManager.objects.none(), label="Lead Care Manager")

    def __init__(self, *args, care_managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_manager"].queryset = care_managers


class OverrideForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=ProviderOrganization.objects.none(), label="New ECM Provider")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the member moves.")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ChangeRequestForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=ProviderOrganization.objects.none(), label="Requested provider")
    requested_on = forms.DateField(label="Asked on", widget=DATE_INPUT)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ActivateForm(forms.Form):
    activated_on = forms.DateField(label="Active from", widget=DATE_INPUT)


class CareManagerForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)


class AssignLaterForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=ProviderOrganization.objects.none(),
        required=False,
        empty_label="By the assignment order",
        label="ECM Provider",
    )
    reason = forms.CharField(required=False, max_length=300, help_text="Why this provider, when one is named.")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ContractEditForm(forms.Form):
    """A contract's terms; its organization and dates stay (its end has a page of its own)."""

    counties = forms.ModelMultipleChoiceField(queryset=County.objects.none(), widget=forms.CheckboxSelectMultiple)
    pofs = forms.ModelMultipleChoiceField(
        queryset=PopulationOfFocus.objects.none(), widget=forms.CheckboxSelectMultiple, label="Populations of Focus"
    )
    capacity = forms.IntegerField(min_value=1, help_text="Members the provider can serve under this contract.")
    is_presumptive_capable = forms.BooleanField(required=False, label="May start services presumptively")

    def __init__(self, *args, plan, pofs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].queryset = plan.counties.all()
        self.fields["pofs"].queryset = pofs


class ContractEndForm(forms.Form):
    end_date = forms.DateField(label="Last day", widget=DATE_INPUT)
