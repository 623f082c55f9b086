from django import forms

from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers.models import CareManager, ProviderOrganization


class ContractLinesForm(forms.Form):
    """The services a contract covers, one capacity field per catalogue service (DOMAIN 7, 9): ECM's
    is `capacity`, a Community Support's `capacity_<code>`; left blank, the contract does not cover it."""

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = list(services)
        for service in self.services:
            self.fields[self.line_field(service)] = forms.IntegerField(
                min_value=1,
                required=False,
                label=f"{service.name}: capacity" if not service.is_ecm else "ECM capacity",
                help_text="Members the provider can serve in it at once; blank if the contract does not cover it.",
            )

    @staticmethod
    def line_field(service) -> str:
        return "capacity" if service.is_ecm else f"capacity_{service.code}"

    def clean(self):
        cleaned = super().clean()
        if not self.lines():
            raise forms.ValidationError("Give the capacity of at least one service the contract covers.")
        return cleaned

    def lines(self) -> list[dict]:
        """The lines posted, for contract_create and contract_update."""
        return [
            {"service": service, "capacity": self.cleaned_data[self.line_field(service)]}
            for service in self.services
            if self.cleaned_data.get(self.line_field(service)) is not None
        ]

    def terms(self) -> dict:
        """The other fields: the contract's terms."""
        line_fields = {self.line_field(service) for service in self.services}
        return {name: value for name, value in self.cleaned_data.items() if name not in line_fields}

    @classmethod
    def initial_lines(cls, contract) -> dict:
        return {cls.line_field(line.service): line.capacity for line in contract.lines.all()}


class ContractForm(ContractLinesForm):
    organization = forms.ModelChoiceField(queryset=ProviderOrganization.objects.none())
    counties = forms.ModelMultipleChoiceField(queryset=County.objects.none(), widget=forms.CheckboxSelectMultiple)
    pofs = forms.ModelMultipleChoiceField(
        queryset=PopulationOfFocus.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Populations of Focus",
        required=False,
        help_text="ECM's; a contract of Community Supports alone needs none.",
    )
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


class ContractEditForm(ContractLinesForm):
    """A contract's terms and lines; its organization and dates stay (its end has a page of its own)."""

    counties = forms.ModelMultipleChoiceField(queryset=County.objects.none(), widget=forms.CheckboxSelectMultiple)
    pofs = forms.ModelMultipleChoiceField(
        queryset=PopulationOfFocus.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Populations of Focus",
        required=False,
    )
    is_presumptive_capable = forms.BooleanField(required=False, label="May start services presumptively")

    def __init__(self, *args, plan, pofs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].queryset = plan.counties.all()
        self.fields["pofs"].queryset = pofs


class ContractEndForm(forms.Form):
    end_date = forms.DateField(label="Last day", widget=DATE_INPUT)
