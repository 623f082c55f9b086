"""The authorization API's inputs: one serializer per action on a request (DOMAIN 5.2), shapes
only; the services check every rule and name the field."""

from rest_framework import serializers

from authorizations.models import (
    SUBMITTED_SOURCES,
    Decision,
    DenialReason,
    DiscontinuationProposer,
    DiscontinuationReason,
    Urgency,
    WithdrawalReason,
)
from benefits.models import CatalogueService
from ecm_platform.api.fields import PlanRelatedField, optional_text
from members.selectors import member_list
from providers.network_api import pof_codes
from providers.selectors import organization_list


class SubmitInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=member_list)
    source = serializers.ChoiceField(choices=SUBMITTED_SOURCES)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    received_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    requester_name = optional_text()
    requester_organization = PlanRelatedField(
        plan_queryset=lambda plan: organization_list(), required=False, allow_null=True
    )
    requester_contact = optional_text()
    notes = optional_text()
    pofs = pof_codes(required=False, help_text="POF codes claimed (ECM only).")
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=CatalogueService.objects.all(), required=False,
        help_text="A catalogue code (DOMAIN 9); default: ECM.",
    )  # fmt: skip
    service_from = serializers.DateField(required=False, help_text="A Community Support's first day.")
    service_to = serializers.DateField(required=False, help_text="A Community Support's last day.")
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False,
        help_text="In the service's limit unit: hours (respite, a sobering stay), dollars, meals a day.",
    )  # fmt: skip
    service_began_at = serializers.DateTimeField(
        required=False, help_text="Sobering centers only: the stay began before the request (retroactive, DOMAIN 9)."
    )


class ExtendInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, help_text="Calendar days added to the due instant (at most 14).")
    reason = serializers.CharField(allow_blank=True)


class ApproveInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, default=Decision.FULL)
    modification = optional_text(help_text="Required when the decision is modified.")
    explanation = optional_text()
    discretionary_justification = optional_text(help_text="For a high utilizer with no live POF.")
    preferred_organization = PlanRelatedField(
        plan_queryset=lambda plan: organization_list(), required=False, allow_null=True
    )
    criteria_met = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="A Community Support: every item of its eligibility checklist, as the catalogue words it.",
    )  # fmt: skip
    limit_override_reason = optional_text(help_text="A Community Support past a limit that allows exceptions.")


class AssignServiceProviderInput(serializers.Serializer):
    organization = PlanRelatedField(
        plan_queryset=lambda plan: organization_list(), required=False, allow_null=True,
        help_text="Empty: the contracted provider of the service in the member's county with most room.",
    )  # fmt: skip


class DenyInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DenialReason.choices)
    explanation = serializers.CharField(allow_blank=True, help_text="The reason in plain language.")
    alternative_services = optional_text()


class WithdrawInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=WithdrawalReason.choices)
    note = optional_text()


class StartServicesInput(serializers.Serializer):
    started_on = serializers.DateField(required=False, help_text="Default: today.")


class ProposeDiscontinuationInput(serializers.Serializer):
    # A string checked by the service: one choice set used by two components under one field name
    # needs an ENUM_NAME_OVERRIDES entry to stay free of schema warnings.
    reason = optional_text(help_text="ECM: one of the discontinuation reasons of the discontinue action.")
    criterion = optional_text(help_text="A Community Support: a code of its discontinuation criteria (FAQ 39).")
    proposed_by = serializers.ChoiceField(choices=DiscontinuationProposer.choices)
    note = optional_text()


class DiscontinueInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=DiscontinuationReason.choices, required=False, allow_blank=True,
        help_text="ECM: one of the four DOMAIN 6 reasons.",
    )  # fmt: skip
    criterion = optional_text(help_text="A Community Support: a code of its discontinuation criteria (FAQ 39).")
    effective_on = serializers.DateField(help_text="At least 10 calendar days after today (the notice date).")
    explanation = optional_text()


class ReassessedInput(serializers.Serializer):
    reassessed_on = serializers.DateField()


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()
