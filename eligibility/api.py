from collections.abc import Mapping
from datetime import date

import django_filters
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from ecm_platform import clocks
from ecm_platform.api.fields import PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response, location_header
from ecm_platform.api.views import PhiReadMixin, PlanAPIView, PlanViewSet, service_response
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from eligibility import intake, selectors, services, settings_api
from eligibility.models import (
    MAX_DIAGNOSIS_CODES,
    Determination,
    DeterminationSource,
    PopulationOfFocus,
    ScanRun,
    UtilizationEvent,
)
from eligibility.scan import scan_start
from members.selectors import member_get, member_list


class PofOutput(serializers.ModelSerializer):
    class Meta:
        model = PopulationOfFocus
        fields = [
            "code", "name", "age_group", "min_age", "max_age", "live_in_wpc_hhp_counties",
            "live_in_other_counties", "criteria", "requires_all_criteria", "is_scanned",
            "effective_from", "effective_to",
        ]  # fmt: skip


class PofViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The Populations of Focus and their county go-live dates (DOMAIN 3; reference data)."""

    queryset = PopulationOfFocus.objects.none()
    serializer_class = PofOutput
    capability = Capability.REFERENCE_READ
    lookup_field = "code"
    ordering = "code"

    def get_queryset(self):
        return selectors.pof_catalogue()


class EligibilityOutput(serializers.Serializer):
    member = serializers.IntegerField()
    as_of = serializers.DateField()
    outcome = serializers.ChoiceField(choices=[o.value for o in selectors.rules.Outcome])
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    live_pofs = serializers.ListField(child=serializers.CharField())


class MemberEligibilityView(PlanAPIView):
    """A member's ECM eligibility as of a date (DOMAIN 3-4), with its reasons."""

    capability = Capability.ELIGIBILITY_READ

    @extend_schema(
        parameters=[OpenApiParameter("as_of", date, description="Default: today")],
        responses=EligibilityOutput,
    )
    def get(self, request, pk):
        member = member_get(plan=request.plan, pk=pk)
        as_of = request.query_params.get("as_of")
        try:
            day = date.fromisoformat(as_of) if as_of else clocks.local_date(clocks.now())
        except ValueError:
            raise exceptions.ValidationError({"as_of": ["Use a date (YYYY-MM-DD)."]}) from None
        result = selectors.member_eligibility(plan=request.plan, member=member, day=day)
        phi_read_record(membership=request.membership, path=request.get_full_path(), members=[member])
        return Response(
            EligibilityOutput(
                {
                    "member": member.pk,
                    "as_of": day,
                    "outcome": result.outcome.value,
                    "label": result.label,
                    "reasons": list(result.reasons),
                    "live_pofs": list(result.live_pofs),
                }
            ).data
        )


class DeterminationOutput(serializers.ModelSerializer):
    pof = serializers.CharField(source="pof.code")
    made_by = serializers.CharField(source="made_by.username", default=None)

    class Meta:
        model = Determination
        fields = [
            "id", "member", "pof", "source", "start_date", "end_date", "evidence", "justification",
            "made_by", "scan_run", "evidence_run", "closed_by_run", "created_at", "updated_at",
        ]  # fmt: skip


class DeterminationInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=member_list)
    pof = serializers.SlugRelatedField(slug_field="code", queryset=PopulationOfFocus.objects.all())
    source = serializers.ChoiceField(choices=sorted(services.MANUAL_SOURCES))
    start_date = serializers.DateField()
    criteria_met = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    justification = serializers.CharField(required=False, allow_blank=True, default="")


class DeterminationEndInput(serializers.Serializer):
    end_date = serializers.DateField()


class DeterminationFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    pof = django_filters.CharFilter(field_name="pof__code")
    source = django_filters.ChoiceFilter(choices=DeterminationSource.choices)
    is_open = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull")


class DeterminationViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Members' Populations of Focus, with the evidence for each."""

    queryset = Determination.objects.none()
    serializer_class = DeterminationOutput
    filterset_class = DeterminationFilter
    capability = Capability.ELIGIBILITY_READ
    action_capabilities = {"create": Capability.DETERMINATIONS_RECORD, "end": Capability.DETERMINATIONS_RECORD}
    ordering = "-id"

    def get_queryset(self):
        return selectors.determination_list(plan=self.request.plan)

    @extend_schema(request=DeterminationInput, responses={201: DeterminationOutput})
    def create(self, request):
        return service_response(
            request,
            payload_class=DeterminationInput,
            service=services.determination_record,
            output_class=DeterminationOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=DeterminationEndInput, responses=DeterminationOutput)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return service_response(
            request,
            payload_class=DeterminationEndInput,
            service=services.determination_end,
            output_class=DeterminationOutput,
            determination=self.get_object(),
        )


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = UtilizationEvent
        fields = [
            "id", "claim_id", "member", "event_type", "service_date", "discharge_date",
            "is_planned", "is_avoidable", "diagnosis_codes", "adjudicated_on",
        ]  # fmt: skip


class EventRowInput(serializers.Serializer):
    claim_id = serializers.CharField(max_length=50)
    cin = serializers.CharField()
    event_type = serializers.CharField()
    service_date = serializers.CharField()
    discharge_date = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    planned = serializers.BooleanField(required=False, default=False)
    avoidable = serializers.BooleanField()
    diagnosis_codes = serializers.CharField(
        required=False, allow_blank=True, help_text=f"At most {MAX_DIAGNOSIS_CODES} ICD-10-CM codes, stored whole."
    )
    adjudication_date = serializers.CharField()


# The request's shape for the schema only: intake.py checks the rows itself, so that one pass
# reports the type errors beside the content errors.
class EventBulkInput(serializers.Serializer):
    """Claims to load: every type and content error of every row is reported in one answer."""

    events = EventRowInput(
        many=True,
        help_text=f"At most {intake.REQUEST_ROWS:,} rows and {intake.REQUEST_BYTES:,} bytes per request.",
    )


EventBulkOutput = inline_serializer(
    "EventBulkOutput",
    {
        "rows": serializers.IntegerField(),
        "inserted": serializers.IntegerField(),
        "replaced": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


def bulk_rows(data) -> list:
    """The request's `events`, refused before any row is read when it is no list or too long."""
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError(
            {"non_field_errors": [ErrorDetail("Send an object with an `events` list.", code="invalid")]}
        )
    rows = data.get("events")
    if "events" not in data:
        refusal = ErrorDetail("This field is required.", code="required")
    elif rows is None:
        refusal = ErrorDetail("This field may not be null.", code="null")
    elif not isinstance(rows, list):
        refusal = ErrorDetail("Send the rows as a list.", code="not_a_list")
    elif len(rows) > intake.REQUEST_ROWS:
        refusal = ErrorDetail(
            f"Send at most {intake.REQUEST_ROWS:,} rows per request ({len(rows):,} sent); nothing was checked.",
            code="max_length",
        )
    else:
        return rows
    raise exceptions.ValidationError({"events": [refusal]})


def bulk_errors(report: intake.IntakeReport) -> dict:
    """Every listed error at `events.<index>.<field>` (`events.<index>` for the row as a whole), then
    how many more there are, with the true total."""
    errors: dict[str, list] = {}
    for error in report.errors:
        attr = f"events.{error.row - 1}" + (f".{error.field}" if error.field else "")
        errors.setdefault(attr, []).append(ErrorDetail(error.message, code=error.code))
    if report.errors_not_listed:
        summary = (
            f"{report.errors_not_listed:,} more errors are not listed: {report.error_count:,} errors in "
            f"{report.rows_with_errors:,} of {report.rows:,} rows."
        )
        errors["events"] = [ErrorDetail(summary, code="errors_not_listed")]
    return errors


class EventFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    service_from = django_filters.DateFilter(field_name="service_date", lookup_expr="gte")
    service_to = django_filters.DateFilter(field_name="service_date", lookup_expr="lte")


# Errors of the `events` list itself carry `attr` = `events` (the row limit, how many errors are not
# listed), and those of a row that is no object `events.<index>` (the schema would otherwise only
# name `events.non_field_errors` and `events.INDEX.non_field_errors`).
@extend_validation_errors(
    ["invalid", "not_a_list", "null", "required", "max_length", "errors_not_listed"],
    field_name="events",
    actions=["bulk"],
)
@extend_validation_errors(["invalid", "null"], field_name="events.INDEX", actions=["bulk"])
class EventViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Adjudicated ED visits and inpatient / short-term SNF stays (DOMAIN 3.3)."""

    queryset = UtilizationEvent.objects.none()
    serializer_class = EventOutput
    filterset_class = EventFilter
    capability = Capability.ELIGIBILITY_READ
    action_capabilities = {"bulk": Capability.UTILIZATION_FEED}
    ordering = "-id"
    max_body_bytes = intake.REQUEST_BYTES  # the parsers' limit: the documented 10,000 rows fit

    def get_queryset(self):
        return selectors.event_list(plan=self.request.plan)

    @extend_schema(request=EventBulkInput, responses=EventBulkOutput)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Load claims: every row is validated, any bad row loads nothing (400 listing every error of
        every row, type and content alike, `attr` = `events.<row index>.<field>`; past the first
        1,000 one more error at `events`, code `errors_not_listed`, gives how many more and the
        total), a resent claim changes nothing and a corrected claim (same claim id) replaces the
        old one. At most 10,000 rows and 12 MiB (12,582,912 bytes) per request: a longer list is
        refused before any row is read, a larger body is 413 `request_too_large`."""
        rows = bulk_rows(request.data)
        report = intake.claims_load(plan=request.plan, rows=rows, actor=request.principal, source="api")
        if report.error_count:
            raise exceptions.ValidationError(bulk_errors(report))
        return Response({key: getattr(report, key) for key in ("rows", "inserted", "replaced", "unchanged")})


class ScanOutput(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = [
            "id", "status", "run_date", "data_month", "window_start", "window_end",
            "events_in_window", "qualified", "opened", "updated", "unchanged", "closed",
            "started_at", "finished_at", "duration_ms", "error",
        ]  # fmt: skip


class ScanStartInput(serializers.Serializer):
    data_month = serializers.RegexField(
        r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM; default: the latest service month by the run date"
    )
    run_date = serializers.DateField(
        required=False, help_text="The day members must be enrolled on (DOMAIN 3.3); default: today"
    )

    def validate_data_month(self, value) -> date:
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError:
            raise serializers.ValidationError(f"{value} is not a month (YYYY-MM).") from None


class ScanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """High-utilizer scan runs (DOMAIN 3.3). Starting one reserves a run and queues it (202 with the
    run and its `Location`; poll it for the result), or answers 409 naming the run already queued
    or running (`running_run`)."""

    queryset = ScanRun.objects.none()
    serializer_class = ScanOutput
    capability = Capability.ELIGIBILITY_READ
    action_capabilities = {"create": Capability.SCAN_RUN}
    ordering = "-id"

    def get_queryset(self):
        return selectors.scan_run_list(plan=self.request.plan)

    @extend_schema(
        request=ScanStartInput,
        parameters=[location_header(202)],
        responses={
            202: ScanOutput,
            409: conflict_response("scan_running", running_run="The run already queued or running."),
        },
    )
    def create(self, request):
        response = service_response(
            request,
            payload_class=ScanStartInput,
            service=scan_start,
            output_class=ScanOutput,
            status_code=status.HTTP_202_ACCEPTED,
        )
        response["Location"] = reverse("api:scan-detail", args=[response.data["id"]])
        return response


ROUTES = [
    ("pofs", PofViewSet, "pof"),
    ("determinations", DeterminationViewSet, "determination"),
    ("utilization-events", EventViewSet, "utilization-event"),
    ("scans", ScanViewSet, "scan"),
]
PATHS = [
    path("members/<int:pk>/eligibility/", MemberEligibilityView.as_view(), name="member-eligibility"),
    *settings_api.PATHS,
]
