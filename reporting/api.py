"""/api/v1/reporting/referrals-encounters/?year=&quarter=: the quarter's closed-loop referral and
encounter measures (issue 18; DOMAIN 9, 10), figures only (reporting.loop_measures describes them)."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.tenancy.access import Capability, require
from outreach.measures import Quarter
from reporting.loop_measures import loop_measures
from reporting.views import current_quarter


class QuarterQuery(serializers.Serializer):
    # ECM began on 2022-01-01: no quarter before 2022 has figures.
    year = serializers.IntegerField(min_value=2022, max_value=2100, required=False)
    quarter = serializers.ChoiceField(choices=[1, 2, 3, 4], required=False)


@extend_validation_errors(
    ["invalid", "min_value", "max_value", "max_string_length"], field_name="year", methods=["get"]
)
@extend_validation_errors(["invalid_choice"], field_name="quarter", methods=["get"])
class LoopMeasuresView(PlanAPIView):
    capability = Capability.REFERRALS_READ

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Default: this quarter's year."),
            OpenApiParameter("quarter", int, description="1 to 4. Default: this quarter."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        """Referrals sent, open at the quarter's end by state and age, closed by reason, days to
        acceptance and to service; encounters per service, in person and telephonic or telehealth."""
        require(request.principal, Capability.ENCOUNTERS_READ, plan=request.plan)
        today = current_quarter()
        query = QuarterQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        quarter = Quarter(
            query.validated_data.get("year", today.year), query.validated_data.get("quarter", today.quarter)
        )
        return Response(loop_measures(plan=request.plan, quarter=quarter))


PATHS = [path("reporting/referrals-encounters/", LoopMeasuresView.as_view(), name="loop-measures")]
