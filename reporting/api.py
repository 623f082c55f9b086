"""/api/v1/reporting/referrals-encounters/?year=&quarter=: the quarter's closed-loop referral and
encounter measures (issue 18; DOMAIN 9, 10), figures only (reporting.loop_measures describes them)."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.tenancy.access import Capability, require
from outreach.measures import Quarter
from reporting.forms import QuarterForm
from reporting.loop_measures import loop_measures
from reporting.views import current_quarter


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
        form = QuarterForm({"year": today.year, "quarter": today.quarter} | request.query_params.dict())
        if not form.is_valid():
            raise exceptions.ValidationError({field: list(messages) for field, messages in form.errors.items()})
        quarter = Quarter(form.cleaned_data["year"], form.cleaned_data["quarter"])
        return Response(loop_measures(plan=request.plan, quarter=quarter))


PATHS = [path("reporting/referrals-encounters/", LoopMeasuresView.as_view(), name="loop-measures")]
