"""The delivery API's shared shapes (DOMAIN 9): the plan's endpoint (api.py) and the provider's
(provider_api.py) take the same fields and answer the same errors, from the same service."""

from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers

from community_supports.models import Delivery
from ecm_platform.api.fields import optional_text

# What a refused delivery answers (400), at its field.
DELIVERY_ERRORS = [
    (["not_active", "no_provider", "invalid"], "request"),
    (["outside_period", "invalid"], "delivered_from"),
    (["outside_period", "limit_exceeded", "invalid"], "delivered_to"),
    (["above_authorized", "limit_exceeded", "invalid"], "quantity"),
    (["limit_override_reason_required"], "limit_override_reason"),
]


def delivery_validation_errors(viewset):
    for codes, field in DELIVERY_ERRORS:
        viewset = extend_validation_errors(codes, field_name=field, actions=["create"])(viewset)
    return viewset


class DeliveryOutput(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id")
    member = serializers.IntegerField(source="member_id")
    service = serializers.CharField(source="request.service.code")
    organization = serializers.IntegerField(source="organization_id")
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "request",
            "member",
            "service",
            "organization",
            "delivered_from",
            "delivered_to",
            "quantity",
            "limit_override_reason",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class DeliveryFields(serializers.Serializer):
    delivered_from = serializers.DateField(help_text="The first day delivered.")
    delivered_to = serializers.DateField(help_text="The last day delivered (inclusive).")
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="In the service's limit unit (hours of respite or of a sobering stay, dollars, meals a day); "
        "required when the authorization names a quantity.",
    )  # fmt: skip
    limit_override_reason = optional_text(help_text="Why a limit that allows exceptions is passed (DOMAIN 9).")
    notes = optional_text(max_length=2000)
