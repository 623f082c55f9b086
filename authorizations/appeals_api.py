"""The appeals and grievances API (DOMAIN 5.4): filed, acknowledged and resolved, each through its
service; an appeal is filed against a notice, a grievance against the member."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from authorizations import selectors, services
from authorizations.models import (
    Appeal,
    AppealOutcome,
    Grievance,
    GrievanceOutcome,
)
from ecm_platform.api.fields import EmptyInput, PlanRelatedField, optional_text
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from members.selectors import member_list

# Submitted requests come from outside the plan; presumptive ones come from the provider API


class AppealOutput(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text="upheld, overturned or partially_overturned.")

    class Meta:
        model = Appeal
        fields = [
            "id", "notice", "request", "member", "received_at", "is_expedited", "reason", "continues_services",
            "acknowledgement_due", "acknowledged_at", "resolution_due", "resolved_at", "outcome",
            "resolution_summary",
        ]  # fmt: skip


class AppealInput(serializers.Serializer):
    notice = PlanRelatedField(plan_queryset=selectors.notice_list)
    reason = serializers.CharField(allow_blank=True, help_text="What the member disagrees with.")
    received_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    is_expedited = serializers.BooleanField(required=False, default=False)


class AppealResolveInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    summary = serializers.CharField(allow_blank=True)
    modification = optional_text(
        help_text="What is approved, when a denial or a modification is partially overturned (DOMAIN 5.2)."
    )


class ResolvedFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    is_resolved = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", exclude=True)


class AppealFilter(ResolvedFilter):
    request = IdFilter(field_name="request_id")


class AppealViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Appeals of Notices of Action (DOMAIN 5.4): filed within 60 days; an overturned denial is
    authorized."""

    queryset = Appeal.objects.none()
    serializer_class = AppealOutput
    filterset_class = AppealFilter
    capability = Capability.AUTHORIZATIONS_READ
    ordering = "pk"

    def get_queryset(self):
        return selectors.appeal_list(plan=self.request.plan)

    # A timely appeal of a discontinuation that took effect restores services: a transition (DOMAIN 5.2).
    @extend_schema(
        request=AppealInput, responses={201: AppealOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    def create(self, request):
        return service_response(
            request,
            payload_class=AppealInput,
            service=services.appeal_file,
            output_class=AppealOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: AppealOutput, 409: conflict_response("already_acknowledged")})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return service_response(
            request,
            payload_class=EmptyInput,
            service=services.appeal_acknowledge,
            output_class=AppealOutput,
            appeal=self.get_object(),
        )

    @extend_schema(
        request=AppealResolveInput,
        responses={200: AppealOutput, 409: conflict_response("already_resolved", "invalid_transition", "conflict")},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return service_response(
            request,
            payload_class=AppealResolveInput,
            service=services.appeal_resolve,
            output_class=AppealOutput,
            appeal=self.get_object(),
        )


class GrievanceOutput(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text="resolved or unresolved.")

    class Meta:
        model = Grievance
        fields = [
            "id", "member", "request", "received_at", "is_urgent", "description", "acknowledgement_due",
            "acknowledged_at", "resolution_due", "resolved_at", "outcome", "resolution_summary",
        ]  # fmt: skip


class GrievanceInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=member_list)
    description = serializers.CharField(allow_blank=True)
    received_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    is_urgent = serializers.BooleanField(required=False, default=False)
    request = PlanRelatedField(
        plan_queryset=selectors.request_list, required=False, allow_null=True, help_text="The request it is about."
    )


class GrievanceResolveInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=GrievanceOutcome.choices)
    summary = serializers.CharField(allow_blank=True)


class GrievanceViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Grievances (DOMAIN 5.4): any expression of dissatisfaction, acknowledged and resolved on their clocks."""

    queryset = Grievance.objects.none()
    serializer_class = GrievanceOutput
    filterset_class = ResolvedFilter
    capability = Capability.AUTHORIZATIONS_READ
    ordering = "pk"

    def get_queryset(self):
        return selectors.grievance_list(plan=self.request.plan)

    @extend_schema(request=GrievanceInput, responses={201: GrievanceOutput})
    def create(self, request):
        return service_response(
            request,
            payload_class=GrievanceInput,
            service=services.grievance_file,
            output_class=GrievanceOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: GrievanceOutput, 409: conflict_response("already_acknowledged")})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return service_response(
            request,
            payload_class=EmptyInput,
            service=services.grievance_acknowledge,
            output_class=GrievanceOutput,
            grievance=self.get_object(),
        )

    @extend_schema(
        request=GrievanceResolveInput, responses={200: GrievanceOutput, 409: conflict_response("already_resolved")}
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return service_response(
            request,
            payload_class=GrievanceResolveInput,
            service=services.grievance_resolve,
            output_class=GrievanceOutput,
            grievance=self.get_object(),
        )


ROUTES = [
    ("appeals", AppealViewSet, "appeal"),
    ("grievances", GrievanceViewSet, "grievance"),
]
