"""The outreach API (DOMAIN 8): engagements and their close-outs for plan staff, the plan's outreach
settings, and the routes of attempts (attempts_api.py), measure runs (measures_api.py) and the
provider API (provider_api.py).

An engagement ends by an action endpoint, never a writable state: `enroll/`, `decline/`,
`unreachable/` (refused until the plan's attempt policy is met), then `other-programs-referral/`
after a close-out. The services decide who may: the plan's coordinators close the outreach the plan
runs, the ECM Provider's staff their own (provider_api.py). `get_object()` runs first, so another
plan's engagement is 404 before any rule is asked.
"""

from functools import partial

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanAPIView, PlanViewSet, service_response
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from outreach import attempts_api, measures_api, provider_api, selectors, services
from outreach.attempts_api import (
    CLOSE_CONFLICTS,
    CloseInput,
    EngagementDetailOutput,
    EngagementOutput,
    with_attempt_counts,
)
from outreach.models import Engagement, EngagementState, OutreachSettings, TargetKind


class ReferralInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Which of the plan's other programs, and how.")


class EngagementFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=EngagementState.choices)
    kind = django_filters.ChoiceFilter(choices=TargetKind.choices)
    organization = IdFilter(field_name="organization_id")
    county = django_filters.CharFilter(field_name="county__code")
    member = IdFilter(field_name="member_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Open, the next attempt past due.")

    def filter_overdue(self, queryset, name, value):
        request = self.request
        overdue = selectors.worklist(plan=request.plan, principal=request.principal, filters={"overdue": "1"})
        ids = overdue.values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


@extend_validation_errors(["attempt_policy_not_met"], field_name="engagement", actions=["unreachable"])
@extend_validation_errors(["required"], field_name="note", actions=["other_programs_referral"])
class EngagementViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Members targeted for outreach (DOMAIN 8), one engagement from targeting to its end. Every read
    is in the PHI access log."""

    queryset = Engagement.objects.none()
    serializer_class = EngagementOutput
    filterset_class = EngagementFilter
    capability = Capability.OUTREACH_READ
    action_capabilities = {
        "enroll": Capability.OUTREACH_CLOSE,
        "decline": Capability.OUTREACH_CLOSE,
        "unreachable": Capability.OUTREACH_CLOSE,
        "other_programs_referral": Capability.OTHER_PROGRAMS_REFER,
    }
    ordering = ("-targeted_on", "-id")

    def get_queryset(self):
        engagements = selectors.engagement_list(plan=self.request.plan, principal=self.request.principal)
        if self.action == "retrieve":
            return with_attempt_counts(engagements.select_related("closed_by"))
        return engagements.select_related("closed_by")

    def get_serializer_class(self):
        return EngagementDetailOutput if self.action == "retrieve" else EngagementOutput

    @extend_schema(responses=EngagementDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        """One engagement with its attempts so far and the attempt policy's status."""
        engagement = self.get_object()
        engagement.policy = selectors.engagement_policy_status(plan=request.plan, engagement=engagement)
        data = EngagementDetailOutput(engagement).data
        phi_read_record(membership=request.membership, path=request.get_full_path(), members=[engagement.member])
        return Response(data)

    def _act(self, request, service, payload_class=CloseInput):
        return service_response(
            request,
            payload_class=payload_class,
            service=partial(service, engagement=self.get_object()),
            output_class=EngagementOutput,
        )

    @extend_schema(request=CloseInput, responses={200: EngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def enroll(self, request, pk=None):
        """The member agreed (no consent document, FAQ 9): an identified member's request is submitted
        (source plan identification)."""
        return self._act(request, services.engagement_enroll)

    @extend_schema(request=CloseInput, responses={200: EngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The member declined: the outreach is closed and the coordinator owes a referral to the plan's
        other programs."""
        return self._act(request, services.engagement_decline)

    @extend_schema(request=CloseInput, responses={200: EngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def unreachable(self, request, pk=None):
        """Unable to reach, once the plan's attempt policy is met (else 400 at `engagement`, code
        `attempt_policy_not_met`, saying what is missing)."""
        return self._act(request, services.engagement_unreachable)

    @extend_schema(
        request=ReferralInput,
        responses={200: EngagementOutput, 409: conflict_response("not_closed_out", "already_referred")},
    )
    @action(detail=True, methods=["post"], url_path="other-programs-referral")
    def other_programs_referral(self, request, pk=None):
        """A declined or unreachable member was referred to the plan's other programs (Policy Guide V.1.f)."""
        return self._act(request, services.other_programs_referral_record, ReferralInput)


class OutreachSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachSettings
        fields = list(services.SETTINGS_FIELDS)
        extra_kwargs = {name: {"required": True} for name in services.SETTINGS_FIELDS}


class OutreachSettingsView(PlanAPIView):
    """The plan's outreach policy (DOMAIN 8): the first attempt's clock, "unable to reach" and the
    referral clock. PUT sends every field; running clocks keep their due dates."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    @extend_schema(responses=OutreachSettingsSerializer)
    def get(self, request):
        return Response(OutreachSettingsSerializer(selectors.outreach_settings_of(plan=request.plan)).data)

    @extend_schema(request=OutreachSettingsSerializer, responses=OutreachSettingsSerializer)
    def put(self, request):
        payload = OutreachSettingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        settings = services.outreach_settings_update(
            plan=request.plan, actor=request.principal, **payload.validated_data
        )
        return Response(OutreachSettingsSerializer(settings).data)


ROUTES = [
    ("outreach/engagements", EngagementViewSet, "outreach-engagement"),
    ("outreach/attempts", attempts_api.AttemptViewSet, "outreach-attempt"),
    *measures_api.ROUTES,
    *provider_api.ROUTES,
]
PATHS = [path("settings/outreach/", OutreachSettingsView.as_view(), name="settings-outreach")]
