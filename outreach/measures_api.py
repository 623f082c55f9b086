"""/api/v1/outreach/measure-runs/: the five quarterly outreach measures (DOMAIN 8, 10), built on
demand for any quarter that has begun, each build an immutable run with its inputs; downloads as
CSV and XLSX. Runs are aggregate (counts and hours by county, POF and provider): no member
identifier, so no PHI access is recorded."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation

from ecm_platform.api.views import PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from outreach import measure_runs
from outreach.models import MeasureRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# format: (content type, how the run is written).
FILE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", measure_runs.measure_run_csv),
    "xlsx": (XLSX, measure_runs.measure_run_xlsx),
}


class MeasureRunOutput(serializers.ModelSerializer):
    inputs = serializers.JSONField(read_only=True, help_text="The settings, rules version and row counts used.")
    figures = serializers.JSONField(
        read_only=True,
        help_text='{"total": M, "by_county": [...], "by_pof": [...], "by_provider": [...]}; each stratum '
        '{"key", "label", **M}; M = {"targeted", "reached", "attempts", "attempts_by_method", "successful", '
        '"minutes", "hours"} (DOMAIN 8, measures 1-5).',
    )

    class Meta:
        model = MeasureRun
        fields = [
            "id", "year", "quarter", "period_start", "period_end", "built_at", "built_by_label", "duration_ms",
            "inputs", "figures",
        ]  # fmt: skip


class MeasureBuildInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2022, max_value=2200)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class FileNegotiation(DefaultContentNegotiation):
    """`?format=csv|xlsx` names the file, not a renderer (DRF's URL_FORMAT_OVERRIDE would answer 404
    for a format no renderer has): the file is an HttpResponse, errors render as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_validation_errors(["quarter_invalid", "quarter_not_begun"], field_name="quarter", actions=["create"])
@extend_validation_errors(["quarter_before_ecm"], field_name="year", actions=["create"])
@extend_validation_errors(["invalid"], field_name="format", actions=["download"])
class MeasureRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The plan's outreach measure runs, newest first (reporting analysts, administrators and
    integrators build them; coordinators and reviewers read them)."""

    queryset = MeasureRun.objects.none()
    serializer_class = MeasureRunOutput
    capability = Capability.OUTREACH_MEASURES_READ
    action_capabilities = {"create": Capability.OUTREACH_MEASURES_BUILD}
    ordering = ("-built_at", "-id")

    def get_queryset(self):
        return measure_runs.measure_runs_of(plan=self.request.plan, principal=self.request.principal)

    @extend_schema(request=MeasureBuildInput, responses={201: MeasureRunOutput})
    def create(self, request):
        """Build the five measures of a quarter now (DOMAIN 8): a new immutable run, whatever runs of
        the quarter exist already."""
        return service_response(
            request,
            payload_class=MeasureBuildInput,
            service=measure_runs.measure_run_build,
            output_class=MeasureRunOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(FILE_FORMATS), required=True)],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileNegotiation, filter_backends=[])
    def download(self, request, pk=None):
        """The run as a file: `format=csv` or `format=xlsx`."""
        chosen = request.query_params.get("format", "")
        if chosen not in FILE_FORMATS:
            raise exceptions.ValidationError({"format": [f"Choose {' or '.join(FILE_FORMATS)}."]})
        run = self.get_object()
        content_type, write = FILE_FORMATS[chosen]
        response = HttpResponse(write(run), content_type=content_type)
        filename = f"outreach-measures-{run.year}-q{run.quarter}-run-{run.pk}.{chosen}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


ROUTES = [("outreach/measure-runs", MeasureRunViewSet, "outreach-measure-run")]
