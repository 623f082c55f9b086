"""/api/v1/settings/pof-starts/: the plan administrator lists and sets the counties where the plan
starts a Population of Focus before the DHCS date (DOMAIN 3.4). The service checks the capability
and the DHCS date, and audits."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County
from eligibility.models import PlanPofStart, PopulationOfFocus
from eligibility.selectors import plan_pof_start_list
from eligibility.services import plan_pof_start_set


class PofStartInput(serializers.Serializer):
    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all(), help_text="01-58")
    pof = serializers.SlugRelatedField(slug_field="code", queryset=PopulationOfFocus.objects.all())
    start_date = serializers.DateField(help_text="On or before the DHCS date for the county.")


class PofStartOutput(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pof = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PlanPofStart
        fields = ["id", "county", "pof", "start_date"]


class PofStartsView(PlanAPIView):
    """The plan's POF early starts; POST sets one (a second POST for the same county and POF
    replaces its date)."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    @extend_schema(responses=PofStartOutput(many=True))
    def get(self, request):
        return Response(PofStartOutput(plan_pof_start_list(plan=request.plan), many=True).data)

    @extend_schema(request=PofStartInput, responses={201: PofStartOutput})
    def post(self, request):
        payload = PofStartInput(data=request.data)
        payload.is_valid(raise_exception=True)
        start = plan_pof_start_set(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(PofStartOutput(start).data, status=status.HTTP_201_CREATED)


PATHS = [path("settings/pof-starts/", PofStartsView.as_view(), name="settings-pof-starts")]
