"""/api/v1/settings/assignment/: the plan administrator reads and changes the assignment order
(DOMAIN 7). The service checks the capability and audits."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.tenancy.access import Capability
from providers.services import assignment_settings_get, assignment_settings_set


class AssignmentSettingsSerializer(serializers.Serializer):
    pcp_before_behavioral_health = serializers.BooleanField(
        help_text="Try the member's PCP before their behavioral-health provider (steps 2 and 3 swapped)."
    )


class AssignmentSettingsView(PlanAPIView):
    """The plan's assignment order; it applies to assignments made from then on."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    @extend_schema(responses=AssignmentSettingsSerializer)
    def get(self, request):
        return Response(AssignmentSettingsSerializer(assignment_settings_get(plan=request.plan)).data)

    @extend_schema(request=AssignmentSettingsSerializer, responses=AssignmentSettingsSerializer)
    def patch(self, request):
        payload = AssignmentSettingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        settings = assignment_settings_set(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(AssignmentSettingsSerializer(settings).data)


PATHS = [path("settings/assignment/", AssignmentSettingsView.as_view(), name="settings-assignment")]
