"""OpenAPI pieces the error handler's AutoSchema does not add by itself: the 409 an operation can
answer (drf-standardized-errors documents 400-500 but no 409) and the `Location` header of a response.

An operation whose service can raise `ConflictError` declares it in its `extend_schema`:
`responses={200: Output, 409: conflict_response("invalid_transition")}`; a test finds every
operation that can answer 409 and checks that it does (tests/ecm_platform/test_api_conflicts.py).
"""

import functools

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


def location_header(*status_codes: int) -> OpenApiParameter:
    """The `Location` response header of the given statuses (for `extend_schema(parameters=...)`)."""
    return OpenApiParameter(
        "Location", str, OpenApiParameter.HEADER, response=list(status_codes), description="The resource's URL."
    )


class Error409Serializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


def _camel(names) -> str:
    return "".join(word.capitalize() for name in names for word in name.split("_"))


def _component_name(codes: tuple[str, ...], facts: dict[str, str]) -> str:
    return "ErrorResponse409" + _camel(codes) + (f"With{_camel(facts)}" if facts else "")


@functools.cache
def _conflict_body(codes: tuple[str, ...], facts: tuple[tuple[str, str], ...]):
    """One serializer per shape: the schema's components must not repeat a name."""
    return inline_serializer(
        _component_name(codes, dict(facts)),
        {
            "type": serializers.CharField(default="client_error"),
            "errors": Error409Serializer(many=True),
            **{name: serializers.IntegerField(allow_null=True, help_text=text) for name, text in facts},
        },
    )


def conflict_response(*codes: str, **facts: str) -> OpenApiResponse:
    """A 409 in the API's one error shape, `{type, errors: [{code, detail, attr}]}`: `codes` are the
    error codes the operation can answer, `facts` (name: description) the ids sent beside them."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return OpenApiResponse(
        _conflict_body(codes, tuple(facts.items())),
        description=f"Conflict with the object's current state ({listed}).",
    )
