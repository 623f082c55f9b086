"""/api/v1/encounters/ (DOMAIN 10, 11): the plan's encounters, listed and read (every read in the
PHI access log), and provider invoices turned into encounters: JSON lines in the request
(`POST encounters/invoices/`, at most 5,000) or a CSV file as a background job
(`POST encounters/invoice-files/`, 202 with the job).

Every line is checked before any is recorded: one bad line records nothing, and the answer lists
every error of every line (`attr` = `lines.<index>.<field>`, the index counting from 0). A line sent
again with the same values changes nothing (`unchanged`).
"""

import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from ecm_platform.api.filters import IdFilter
from ecm_platform.api.parsers import MultiPartParser
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanViewSet
from ecm_platform.jobs.api import ImportJobOutput
from ecm_platform.tenancy.access import Capability
from ecm_platform.uploads import MAX_DOCUMENT_BYTES
from encounters import provider_api, selectors, services
from encounters.models import Encounter, EncounterSource
from encounters.serializers import (
    LINES_BODY_BYTES,
    EncounterOutput,
    InvoiceInput,
    InvoiceOutput,
    line_errors,
)

FORM_FIELDS_BYTES = 64 * 1024


class InvoiceFileInput(serializers.Serializer):
    file = serializers.FileField(help_text=f"UTF-8 CSV with the invoice column map's header; at most "
                                           f"{services.MAX_FILE_BYTES // (1024 * 1024)} MB.")  # fmt: skip


class EncounterFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    organization = IdFilter(field_name="organization_id")
    service = django_filters.CharFilter(field_name="service__code")
    source = django_filters.ChoiceFilter(choices=EncounterSource.choices)
    service_from = django_filters.DateFilter(field_name="service_from", lookup_expr="gte")
    service_to = django_filters.DateFilter(field_name="service_from", lookup_expr="lte")


@extend_validation_errors(
    ["empty", "max_length", "not_a_list", "null", "required"], field_name="lines", actions=["invoices"]
)
@extend_validation_errors(["invalid", "null"], field_name="lines.INDEX", actions=["invoices"])
@extend_validation_errors(["too_large", "columns_unmapped"], field_name="file", actions=["invoice_files"])
class EncounterViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The plan's encounters (DOMAIN 10, 11), by service date, newest first."""

    queryset = Encounter.objects.none()
    serializer_class = EncounterOutput
    filterset_class = EncounterFilter
    capability = Capability.ENCOUNTERS_READ
    action_capabilities = {"invoices": Capability.INVOICES_UPLOAD, "invoice_files": Capability.INVOICES_UPLOAD}
    ordering = ("-service_from", "-id")
    lookup_value_regex = "[0-9]+"

    @property
    def max_body_bytes(self) -> int:
        """The parsers' limit (ecm_platform.api.parsers): 4 MiB of JSON lines; a file upload may be
        `services.MAX_FILE_BYTES` (the multipart parser adds the document limit to this one)."""
        if getattr(self, "action", None) == "invoice_files":
            return services.MAX_FILE_BYTES - MAX_DOCUMENT_BYTES + FORM_FIELDS_BYTES
        return LINES_BODY_BYTES

    def get_queryset(self):
        return selectors.encounters_visible(plan=self.request.plan, principal=self.request.principal)

    @extend_schema(request=InvoiceInput, responses={200: InvoiceOutput, 409: conflict_response("recorded_meanwhile")})
    @action(detail=False, methods=["post"])
    def invoices(self, request):
        """Record an invoice's lines as encounters, in the request: every line checked, one bad line
        records nothing (400 listing them all), a line sent again changes nothing. At most 5,000 lines
        and 4 MiB (4,194,304 bytes): a larger body is 413 `request_too_large`."""
        payload = InvoiceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        lines = [dict(line) for line in payload.validated_data["lines"]]
        try:
            report = services.invoice_lines_record(plan=request.plan, actor=request.principal, lines=lines)
        except services.InvoiceLinesInvalid as invalid:
            raise exceptions.ValidationError(line_errors(invalid.errors)) from None
        return Response(InvoiceOutput(report).data)

    @extend_schema(
        request=InvoiceFileInput,  # multipart, from the action's parser
        responses={202: ImportJobOutput, 409: conflict_response("import_running")},
    )
    @action(detail=False, methods=["post"], url_path="invoice-files", parser_classes=[MultiPartParser])
    def invoice_files(self, request):
        """Upload an invoice CSV: its header is checked against the plan's column map at once (400),
        then its lines are checked and recorded by a background job (202 with the job to poll; a job
        with row errors recorded nothing)."""
        payload = InvoiceFileInput(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > services.MAX_FILE_BYTES:
            raise exceptions.ValidationError({"file": [ErrorDetail("The file is too large.", code="too_large")]})
        job = services.invoice_file_start(
            plan=request.plan, actor=request.principal, content=upload.read(), source_name=upload.name
        )
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


ROUTES = [
    ("encounters", EncounterViewSet, "encounter"),
    ("provider/encounters", provider_api.ProviderEncounterViewSet, "provider-encounter"),
]
