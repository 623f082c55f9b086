"""/api/v1/community-supports/elections/ (the plan's elections per county: list, add, remove, and
DELETE to cancel a planned addition) and
/api/v1/community-supports/offered/?county=&on= (what the plan offers in a county on a day: elected
and mandatory Community Supports), DOMAIN 9. Plan data without members: no PHI access recorded.
benefits/api.py imports ROUTES and PATHS."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from benefits import services
from benefits.election_selectors import elections_of, offered_services
from benefits.models import CatalogueService, Election
from ecm_platform import clocks
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PlanAPIView, PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County


class ElectionOutput(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Election
        fields = [
            "id",
            "county",
            "service",
            "effective_from",
            "effective_to",
            "state_approved_on",
            "note",
            "removed_at",
        ]


class ElectionInput(serializers.Serializer):
    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all(), help_text="01-58")
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=CatalogueService.objects.all(), help_text="A catalogue service code."
    )
    effective_from = serializers.DateField(help_text="1 January or 1 July (DOMAIN 9).")
    state_approved_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RemovalInput(serializers.Serializer):
    removal_date = serializers.DateField(help_text="1 January: the first day no longer offered (DOMAIN 9).")
    state_approved_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OfferedOutput(serializers.ModelSerializer):
    mandatory = serializers.SerializerMethodField()

    class Meta:
        model = CatalogueService
        fields = ["code", "name", "mandatory"]

    def get_mandatory(self, service) -> bool:
        return service.mandatory_from is not None and service.mandatory_from <= self.context["on"]


class OfferedQuery(serializers.Serializer):
    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all())
    on = serializers.DateField(required=False)


@extend_validation_errors(["not_an_anchor", "overlap"], field_name="effective_from", actions=["create"])
@extend_validation_errors(["not_an_anchor"], field_name="removal_date", actions=["remove"])
@extend_validation_errors(["mandatory"], field_name="election", actions=["remove"])
class ElectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The plan's Community Supports elections; the plan administrator adds and removes them."""

    queryset = Election.objects.none()
    serializer_class = ElectionOutput
    capability = Capability.ELECTIONS_READ
    action_capabilities = {
        "create": Capability.ELECTIONS_MANAGE,
        "remove": Capability.ELECTIONS_MANAGE,
        "destroy": Capability.ELECTIONS_MANAGE,
    }
    ordering = ("county__code", "service__position", "-effective_from", "id")

    def get_queryset(self):
        return elections_of(plan=self.request.plan, principal=self.request.principal).order_by(*self.ordering)

    @extend_schema(request=ElectionInput, responses={201: ElectionOutput, 409: conflict_response("conflict")})
    def create(self, request):
        """Offer a Community Support in one of the plan's counties from 1 January or 1 July."""
        return service_response(
            request,
            payload_class=ElectionInput,
            service=services.election_add,
            output_class=ElectionOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None, 409: conflict_response("in_effect")})
    def destroy(self, request, pk=None):
        """Cancel a planned addition before its first day (409 once it is in effect)."""
        services.election_cancel(plan=request.plan, actor=request.principal, election=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RemovalInput, responses={200: ElectionOutput, 409: conflict_response("removed")})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Stop offering it from 1 January (its last day is 31 December); care coordinators are told,
        members holding it in the county get a discontinuation notice and their providers are told."""
        return service_response(
            request,
            payload_class=RemovalInput,
            service=services.election_remove,
            output_class=ElectionOutput,
            election=self.get_object(),
        )


@extend_validation_errors(["required", "does_not_exist", "invalid"], field_name="county", methods=["get"])
@extend_validation_errors(["invalid"], field_name="on", methods=["get"])
class OfferedView(PlanAPIView):
    """The Community Supports the plan offers in a county on a day (today by default)."""

    capability = Capability.ELECTIONS_READ

    @extend_schema(
        parameters=[
            OpenApiParameter("county", str, required=True, description="01-58"),
            OpenApiParameter("on", str, required=False, description="YYYY-MM-DD, today by default"),
        ],
        responses=OfferedOutput(many=True),
    )
    def get(self, request):
        query = OfferedQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or clocks.local_date(clocks.now())
        offered = offered_services(plan=request.plan, county=query.validated_data["county"], on=on)
        return Response(OfferedOutput(offered, many=True, context={"on": on}).data)


ROUTES = [("community-supports/elections", ElectionViewSet, "community-supports-election")]
PATHS = [path("community-supports/offered/", OfferedView.as_view(), name="community-supports-offered")]
