"""Forms of the authorization pages: input shapes only; the rules live in the services."""

from datetime import timedelta

from django import forms

from authorizations.models import (
    SUBMITTED_SOURCES,
    Decision,
    DenialReason,
    DiscontinuationProposer,
    DiscontinuationReason,
    RequestSource,
    Urgency,
    WithdrawalReason,
)
from benefits.models import CatalogueService
from ecm_platform import clocks
from eligibility.models import PopulationOfFocus
from providers.models import ProviderOrganization

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class WorklistFilterForm(forms.Form):
    urgency = forms.ChoiceField(required=False, choices=[("", "All"), *Urgency.choices])
    county = forms.ChoiceField(required=False)
    pof = forms.ChoiceField(required=False, label="Population of Focus")
    source = forms.ChoiceField(required=False, choices=[("", "All sources"), *RequestSource.choices])

    def __init__(self, *args, counties, pofs, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request from the plan's own counties, never a queryset from import time.
        self.fields["county"].choices = [("", "All counties")] + [(c.code, c.name) for c in counties]
        self.fields["pof"].choices = [("", "All")] + [(p.code, p.name) for p in pofs]


class RequestForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=CatalogueService.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=None,
        help_text="ECM (when none is chosen), or a Community Support (DOMAIN 9): urgent ones are always expedited.",
    )
    source = forms.ChoiceField(choices=SUBMITTED_SOURCES)
    urgency = forms.ChoiceField(
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        help_text="Routine: decided within 5 working days. Expedited: within 72 hours, or the plan's shorter "
        "clock for the Community Support.",
    )
    requester_name = forms.CharField(required=False, max_length=200, label="Requester name")
    requester_organization = forms.ModelChoiceField(
        queryset=ProviderOrganization.objects.none(), required=False, label="Requester organization"
    )
    requester_contact = forms.CharField(
        required=False, max_length=200, label="Requester contact", help_text="Phone or email."
    )
    notes = forms.CharField(required=False, widget=_textarea(4))
    pofs = forms.ModelMultipleChoiceField(
        queryset=PopulationOfFocus.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        label="Populations of Focus claimed",
        help_text="ECM only.",
    )
    # A Community Support's request (DOMAIN 9); the page shows them as their own group.
    service_from = forms.DateField(required=False, widget=DATE_INPUT, label="Service from")
    service_to = forms.DateField(required=False, widget=DATE_INPUT, label="Service to")
    quantity = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=2,
        help_text="In the service's limit unit: hours of respite or of a sobering stay, dollars, meals a day.",
    )  # fmt: skip
    service_began_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Stay began at",
        help_text="Sobering centers only: a stay authorized after it began (retroactive).",
    )
    CS_FIELDS = ("service_from", "service_to", "quantity", "service_began_at")

    def __init__(self, *args, organizations, pofs, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_organization"].queryset = organizations
        self.fields["pofs"].queryset = pofs
        self.fields["service"].queryset = services

    def common_fields(self):
        return [field for field in self if field.name not in self.CS_FIELDS]

    def service_fields(self):
        return [field for field in self if field.name in self.CS_FIELDS]


class NoInputForm(forms.Form):
    """Actions that need nothing but the click (start review, resume, start services)."""


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        min_value=1, max_value=14, initial=14, help_text="Once only, up to 14 calendar days (DOMAIN 5.1)."
    )
    reason = forms.CharField(widget=_textarea(), help_text="Why the delay is in the member's interest.")


class ServiceForm(forms.Form):
    """An action form whose fields depend on the request's service: ECM's, or a Community
    Support's own (DOMAIN 9)."""

    def __init__(self, *args, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        if service is not None and not service.is_ecm:
            self.for_community_support(service)

    def for_community_support(self, service):
        raise NotImplementedError


class ApproveForm(ServiceForm):
    decision = forms.ChoiceField(choices=Decision.choices, initial=Decision.FULL)
    modification = forms.CharField(
        required=False, widget=_textarea(2), help_text="For a modified approval: what is approved instead."
    )
    explanation = forms.CharField(required=False, widget=_textarea(2))
    discretionary_justification = forms.CharField(
        required=False,
        widget=_textarea(2),
        label="Discretionary justification",
        help_text="Only when the member has no eligible result: why they are a high utilizer.",
    )

    def for_community_support(self, service):
        """The service's attestation checklist and a reason for passing a limit that allows it."""
        del self.fields["discretionary_justification"]
        self.fields["criteria_met"] = forms.MultipleChoiceField(
            choices=[(item, item) for item in service.eligibility_criteria],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=f"Eligibility criteria of {service.name} (attest every one)",
        )
        self.fields["limit_override_reason"] = forms.CharField(
            required=False, widget=_textarea(2), label="Limit override reason",
            help_text="Only where the service's limit allows exceptions: why this member needs more.",
        )  # fmt: skip


class DenyForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *DenialReason.choices], label="Reason code")
    explanation = forms.CharField(
        widget=_textarea(), label="Plain-language explanation", help_text="The member reads this in the notice."
    )
    alternative_services = forms.CharField(required=False, widget=_textarea(2), label="Alternative services")


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *WithdrawalReason.choices])
    note = forms.CharField(required=False, widget=_textarea(2))


class DiscontinuationForm(ServiceForm):
    """ECM's four DOMAIN 6 reasons, or the Community Support's own criteria (FAQ 39)."""

    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *DiscontinuationReason.choices])

    def for_community_support(self, service):
        del self.fields["reason"]
        self.fields["criterion"] = forms.ChoiceField(
            choices=[("", "Choose a criterion")] + [(c["code"], c["en"]) for c in service.discontinuation_criteria],
            label=f"Criterion of {service.name}",
        )
        self.order_fields(["criterion"])


class ProposeDiscontinuationForm(DiscontinuationForm):
    proposed_by = forms.ChoiceField(choices=DiscontinuationProposer.choices, label="Proposed by")
    note = forms.CharField(required=False, widget=_textarea(2))


class DiscontinueForm(DiscontinuationForm):
    effective_on = forms.DateField(
        widget=DATE_INPUT,
        label="Effective date",
        help_text="At least 10 calendar days after today's notice (DOMAIN 5.3); services continue until then, "
        "or while a timely appeal is pending (DOMAIN 5.2).",
    )
    explanation = forms.CharField(required=False, widget=_textarea(2), label="Plain-language explanation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = clocks.local_date(clocks.now()) + timedelta(days=10)


class AssignServiceProviderForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=ProviderOrganization.objects.none(), required=False, label="Provider",
        help_text="Empty: the contracted provider of the service in the member's county with most room.",
    )  # fmt: skip

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ReassessedForm(forms.Form):
    reassessed_on = forms.DateField(widget=DATE_INPUT, label="Reassessed on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reassessed_on"].initial = clocks.local_date(clocks.now())


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Attach a document", help_text="Up to 10 MB.")


ACTION_FORMS = {
    "start_review": NoInputForm,
    "extend": ExtendForm,
    "resume": NoInputForm,
    "approve": ApproveForm,
    "deny": DenyForm,
    "withdraw": WithdrawForm,
    "start_services": NoInputForm,
    "propose_discontinuation": ProposeDiscontinuationForm,
    "discontinue": DiscontinueForm,
    "reassessed": ReassessedForm,
    "assign_service_provider": AssignServiceProviderForm,
}
