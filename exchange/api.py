"""/api/v1/column-maps/ (DOMAIN 11): each exchanged file's effective column map for the plan (the
DHCS baseline with the plan's overlay) on a day, read by plan and provider staff alike (providers
need the headers to send files), and the plan administrator's overlay (PUT, audited). Settings
without members: no PHI access recorded."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.response import Response

from ecm_platform import clocks
from ecm_platform.api.views import PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from exchange import selectors, services
from exchange.models import ColumnMapOverlay, FileKind


class ColumnOutput(serializers.Serializer):
    field = serializers.CharField()
    header = serializers.CharField()
    required = serializers.BooleanField()
    plan_column = serializers.BooleanField(help_text="Added by the plan's overlay.")
    renamed_from = serializers.CharField(help_text="The baseline's header, where the plan renamed it.")


class ColumnMapOutput(serializers.Serializer):
    kind = serializers.CharField()
    version = serializers.CharField(help_text="The DHCS baseline's version.")
    overlay_from = serializers.DateField(allow_null=True, help_text="The plan's overlay in force since; None: none.")
    columns = ColumnOutput(many=True)


class ExtraColumnInput(serializers.Serializer):
    field = serializers.CharField(max_length=40)
    header = serializers.CharField(max_length=80)
    required = serializers.BooleanField(default=False)


class OverlayInput(serializers.Serializer):
    effective_from = serializers.DateField(help_text="Today or later.")
    renamed = serializers.DictField(child=serializers.CharField(max_length=80), required=False, default=dict)
    extra_columns = ExtraColumnInput(many=True, required=False, default=list)
    extra_required = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class OverlayOutput(serializers.ModelSerializer):
    class Meta:
        model = ColumnMapOverlay
        fields = ["kind", "effective_from", "renamed", "extra_columns", "extra_required", "updated_at"]


def _kind(kind: str) -> str:
    if kind not in FileKind.values:
        raise Http404("No such file kind.")
    return kind


class DayQuery(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="YYYY-MM-DD, today by default.")


@extend_validation_errors(["invalid"], field_name="on", actions=["list", "retrieve"])
class ColumnMapViewSet(PlanViewSet):
    """Column maps per file kind; `?on=YYYY-MM-DD` reads the map of another day (default today)."""

    queryset = ColumnMapOverlay.objects.none()
    capability = Capability.COLUMN_MAPS_READ
    action_capabilities = {"update": Capability.COLUMN_MAPS_MANAGE}
    lookup_field = "kind"
    pagination_class = None  # one map per file kind: a bounded list

    def _day(self):
        query = DayQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("on") or clocks.local_date(clocks.now())

    @extend_schema(responses=ColumnMapOutput(many=True), parameters=[OpenApiParameter("on", str)])
    def list(self, request):
        day = self._day()
        maps = [selectors.column_map_effective(plan=request.plan, kind=kind, on=day) for kind in FileKind.values]
        return Response(ColumnMapOutput(maps, many=True).data)

    @extend_schema(responses=ColumnMapOutput, parameters=[OpenApiParameter("on", str)])
    def retrieve(self, request, kind=None):
        column_map = selectors.column_map_effective(plan=request.plan, kind=_kind(kind), on=self._day())
        return Response(ColumnMapOutput(column_map).data)

    @extend_schema(request=OverlayInput, responses=OverlayOutput)
    def update(self, request, kind=None):
        """Set the plan's overlay from a day (audited): headers renamed ({field: header}), the plan's
        own columns, baseline fields made required. A version starting the same day is replaced."""
        return service_response(
            request, payload_class=OverlayInput, service=services.column_map_overlay_set, output_class=OverlayOutput,
            kind=_kind(kind),
        )  # fmt: skip


ROUTES = [("column-maps", ColumnMapViewSet, "column-map")]
