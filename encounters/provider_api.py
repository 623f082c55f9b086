"""/api/v1/provider/encounters/ (DOMAIN 11): a provider's own encounters across the plans
contracting with it, the plan on every row, and its invoice lines sent to one of those plans
(`POST provider/encounters/invoices/` with the plan's code): under its own NPI, for the members the
plan assigned or placed with it (any other CIN reads as unknown), checked as the plan's endpoint
checks them, by the same service."""

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from ecm_platform.api.schema import conflict_response
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import plan_scope
from encounters import selectors, services
from encounters.models import Encounter
from encounters.serializers import LINES_BODY_BYTES, EncounterOutput, InvoiceInput, InvoiceOutput, line_errors
from providers.provider_api import PLAN_FILTER, ProviderViewSet, with_plan

ProviderEncounterOutput = with_plan(EncounterOutput)


class ProviderInvoiceInput(InvoiceInput):
    plan = serializers.CharField(help_text="The code of the contracting plan the invoice is for.")


@extend_validation_errors(
    ["empty", "max_length", "not_a_list", "null", "required"], field_name="lines", actions=["invoices"]
)
@extend_validation_errors(["invalid", "null"], field_name="lines.INDEX", actions=["invoices"])
class ProviderEncounterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProviderViewSet):
    """Your organization's encounters (DOMAIN 11), the plan on every row, newest first."""

    queryset = Encounter.objects.none()
    serializer_class = ProviderEncounterOutput
    capability = Capability.ENCOUNTERS_READ
    action_capabilities = {"invoices": Capability.PROVIDER_INVOICES_UPLOAD}
    ordering = ("-service_from", "-id")
    lookup_value_regex = "[0-9]+"
    max_body_bytes = LINES_BODY_BYTES  # the parsers' limit (ecm_platform.api.parsers)

    def get_queryset(self):
        return selectors.provider_encounters(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )

    @extend_schema(parameters=[PLAN_FILTER])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        """One of your organization's encounters (404 for another organization's and a missing one)."""
        encounter = self.get_object()
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[encounter.member])
        return Response(self.get_serializer(encounter).data)

    @extend_schema(
        request=ProviderInvoiceInput, responses={200: InvoiceOutput, 409: conflict_response("recorded_meanwhile")}
    )
    @action(detail=False, methods=["post"])
    def invoices(self, request):
        """Record an invoice's lines as encounters of one contracting plan: every line checked, one
        bad line records nothing (400 listing them all), a line sent again changes nothing."""
        payload = ProviderInvoiceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = HealthPlan.objects.filter(code=payload.validated_data["plan"], pk__in=request.principal.plan_ids).first()
        if plan is None:
            raise exceptions.ValidationError({"plan": [ErrorDetail("Not one of your contracting plans.", "not_found")]})
        lines = [dict(line) for line in payload.validated_data["lines"]]
        try:
            with plan_scope(plan):
                report = services.invoice_lines_record(plan=plan, actor=request.principal, lines=lines)
        except services.InvoiceLinesInvalid as invalid:
            raise exceptions.ValidationError(line_errors(invalid.errors)) from None
        return Response(InvoiceOutput(report).data)
