"""The encounter and invoice-line shapes of the plan's and the provider's endpoints."""

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from encounters.models import Encounter

MAX_LINES = 5000
LINES_BODY_BYTES = 4 * 1024 * 1024  # 5,000 lines of 800 bytes


class EncounterOutput(serializers.ModelSerializer):
    member_cin = serializers.CharField(source="member.cin")
    organization_npi = serializers.CharField(source="organization.npi")
    service = serializers.CharField(source="service.code")
    modifiers = serializers.CharField(help_text="The modifiers in their positions' order, space-separated.")

    class Meta:
        model = Encounter
        fields = [
            "id", "member", "member_cin", "organization", "organization_npi", "service", "service_code", "hcpcs",
            "modifier_1", "modifier_2", "modifier_3", "modifier_4", "modifiers", "service_from", "service_to", "units",
            "amount", "in_person", "place_of_service", "notes", "source", "invoice_number", "line_number",
            "authorization_request", "outreach_attempt", "plan_columns", "recorded_at",
        ]  # fmt: skip


class InvoiceLineInput(serializers.Serializer):
    # Shapes only: the service checks every line and reports each bad field.
    provider_npi = serializers.CharField(allow_blank=True)
    invoice_number = serializers.CharField(allow_blank=True)
    line_number = serializers.CharField(allow_blank=True, help_text="1 or more")
    member_cin = serializers.CharField(allow_blank=True)
    service_from = serializers.CharField(allow_blank=True, help_text="YYYY-MM-DD")
    service_to = serializers.CharField(allow_blank=True, required=False, default="", help_text="Empty: one day.")
    hcpcs = serializers.CharField(allow_blank=True)
    modifier_1 = serializers.CharField(allow_blank=True, required=False, default="")
    modifier_2 = serializers.CharField(allow_blank=True, required=False, default="")
    modifier_3 = serializers.CharField(allow_blank=True, required=False, default="")
    modifier_4 = serializers.CharField(allow_blank=True, required=False, default="")
    units = serializers.CharField(allow_blank=True)
    amount = serializers.CharField(allow_blank=True, required=False, default="", help_text="USD")
    place_of_service = serializers.CharField(allow_blank=True, required=False, default="")
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    plan_columns = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict,
        help_text="The plan's own columns of its invoice column map, by field.",
    )  # fmt: skip


class InvoiceInput(serializers.Serializer):
    lines = InvoiceLineInput(many=True, allow_empty=False, max_length=MAX_LINES)


class InvoiceOutput(serializers.Serializer):
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Lines recorded before with the same values.")


def line_errors(report_errors: list[dict]) -> dict:
    """A report's row errors at `lines.<index>.<field>` (the index counting from 0)."""
    errors: dict[str, list] = {}
    for error in report_errors:
        attr = f"lines.{error['row'] - 1}.{error['field']}" if error["row"] else "lines"
        errors.setdefault(attr, []).append(ErrorDetail(error["message"], code="invalid"))
    return errors
