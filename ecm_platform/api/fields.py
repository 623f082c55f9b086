from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.INT)
class PlanRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that must name a row of the request's plan.

    `plan_queryset(plan=...)` is a selector; it is called per request, never at import time, so no
    queryset built without a scope can leak another plan's rows. Another plan's id reads as
    "does not exist", like a missing one.
    """

    def __init__(self, *, plan_queryset, **kwargs):
        self.plan_queryset = plan_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.plan_queryset(plan=self.context["request"].plan)


def optional_text(**kwargs) -> serializers.CharField:
    """A text input that may be left out or blank (read as "")."""
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class EmptyInput(serializers.Serializer):
    """The body of an action that takes no input."""
