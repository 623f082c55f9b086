"""/api/v1/referrals/: the plan's closed-loop referrals (DOMAIN 9). An integrator (or a coordinator)
records what a referring entity sends — a shelter, a hospital, a community organization, a
provider — which opens the member's authorization request unless one is live; the plan records a
provider's answer given outside the portal and closes loops, each as an explicit POST action.
`?stalled=true` lists those past either plan clock (settings at /api/v1/settings/referrals/).
A step the referral's state does not allow answers 409 `invalid_transition`. Every read is in the
PHI access log. The provider's own endpoint is /api/v1/provider/referrals/ (referral_provider_api.py).
"""

from functools import partial

import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from authorizations.models import Urgency
from benefits.models import CatalogueService
from community_supports import referral_selectors as selectors
from community_supports import referral_services as services
from community_supports.referral_models import (
    ClosureReason,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralNotice,
    ReferralSettings,
    ReferralStatus,
    ReferrerKind,
)
from ecm_platform import clocks
from ecm_platform.api.fields import PlanRelatedField, optional_text
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanAPIView, PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from members.selectors import member_list
from providers.selectors import contracted_organizations

TRANSITION_CONFLICT = conflict_response("invalid_transition", "conflict")


class ReferralOutput(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.full_name")
    service = serializers.CharField(source="service.code")
    request = serializers.IntegerField(source="request_id")
    request_status = serializers.CharField(source="request.status")
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    referrer_organization = serializers.IntegerField(source="referrer_organization_id", allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id", "member", "member_name", "service", "request", "request_status", "organization",
            "organization_name", "referrer_kind", "referrer_name", "referrer_email", "referrer_organization", "status",
            "sent_at", "response_due_at", "closure_due_at", "responded_at", "decline_reason", "provider_contact",
            "service_started_on", "closed_at", "closure_reason", "closure_detail", "notes",
        ]  # fmt: skip


class ReferralEventOutput(serializers.ModelSerializer):
    class Meta:
        model = ReferralEvent
        fields = ["status", "at", "actor_label", "reason", "note"]


class ReferralNoticeOutput(serializers.ModelSerializer):
    requester_notice = serializers.IntegerField(source="requester_notice_id", allow_null=True)

    class Meta:
        model = ReferralNotice
        fields = [
            "event",
            "recipient",
            "recipient_label",
            "channel",
            "email",
            "requester_notice",
            "created_at",
            "sent_at",
        ]


class ReferralDetailOutput(ReferralOutput):
    events = ReferralEventOutput(many=True, read_only=True)
    notices = ReferralNoticeOutput(many=True, read_only=True)

    class Meta(ReferralOutput.Meta):
        fields = [*ReferralOutput.Meta.fields, "events", "notices"]


class ReferralRecordInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=member_list)
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=CatalogueService.objects.all(), help_text="A catalogue code (DOMAIN 9)."
    )
    organization = PlanRelatedField(
        plan_queryset=lambda plan: contracted_organizations(plan=plan), help_text="The provider referred to."
    )
    referrer_kind = serializers.ChoiceField(choices=ReferrerKind.choices)
    referrer_name = optional_text(max_length=200, help_text="The referring entity (default for the plan: you).")
    referrer_email = optional_text(max_length=254, help_text="A validated address, unless it has portal logins.")
    referrer_organization = PlanRelatedField(
        plan_queryset=lambda plan: contracted_organizations(plan=plan), required=False, allow_null=True, default=None,
        help_text="The referring organization when it has portal logins (a provider).",
    )  # fmt: skip
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    notes = optional_text(max_length=2000)
    service_from = serializers.DateField(required=False, help_text="A new request's first day.")
    service_to = serializers.DateField(required=False, help_text="A new request's last day.")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class ReferralAcceptInput(serializers.Serializer):
    provider_contact = serializers.CharField(max_length=200, help_text="The phone or email the member reaches you at.")
    note = optional_text(max_length=2000)


class ReferralDeclineInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = optional_text(max_length=2000, help_text="Required for `other`.")


class ReferralStartInput(serializers.Serializer):
    started_on = serializers.DateField(required=False, help_text="Default: today.")
    note = optional_text(max_length=2000)


class ReferralCloseInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=ClosureReason.choices, help_text="Any but `not_authorized`, which only the request's denial gives."
    )
    note = optional_text(max_length=2000, help_text="Required for `other`.")


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    member = IdFilter(field_name="member_id")
    organization = IdFilter(field_name="organization_id")
    request = IdFilter(field_name="request_id")
    service = django_filters.CharFilter(field_name="service__code")
    stalled = django_filters.BooleanFilter(method="filter_stalled", help_text="Past either plan clock.")

    def filter_stalled(self, queryset, name, value):
        stalled = selectors.stalled_on(clocks.now())
        return queryset.filter(stalled) if value else queryset.exclude(stalled)


# What a refused step answers (400) at its field, beyond the input's own checks.
STEP_ERRORS = [
    (["invalid"], "provider_contact", ["accept"]),
    (["invalid"], "note", ["decline", "close"]),
    (["invalid"], "started_on", ["start_service"]),
    (["invalid_reason"], "reason", ["close"]),
]
INTAKE_ERRORS = [
    (["closed_loop_exempt"], "service"),
    (["invalid"], "organization"),
    (["invalid"], "referrer_kind"),
    (["invalid"], "referrer_name"),
    (["no_electronic_contact", "invalid"], "referrer_email"),
]


def step_validation_errors(viewset):
    for codes, field, actions in STEP_ERRORS:
        viewset = extend_validation_errors(codes, field_name=field, actions=actions)(viewset)
    return viewset


def intake_validation_errors(viewset):
    for codes, field in INTAKE_ERRORS:
        viewset = extend_validation_errors(codes, field_name=field, actions=["create"])(viewset)
    return viewset


class ReferralActionsMixin:
    """The loop's steps as explicit POST actions, for the plan's and the provider's viewsets."""

    output_class = ReferralOutput

    def _act(self, request, service, payload_class):
        return service_response(
            request, payload_class=payload_class, service=partial(service, referral=self.get_object()),
            output_class=self.output_class,
        )  # fmt: skip

    @extend_schema(request=ReferralAcceptInput, responses={200: ReferralOutput, 409: TRANSITION_CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The provider accepts: the member is told its name and contact, the referrer of the assignment."""
        return self._act(request, services.referral_accept, ReferralAcceptInput)

    @extend_schema(request=ReferralDeclineInput, responses={200: ReferralOutput, 409: TRANSITION_CONFLICT})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The provider declines, with its reason."""
        return self._act(request, services.referral_decline, ReferralDeclineInput)

    @extend_schema(
        request=ReferralStartInput,
        responses={200: ReferralOutput, 409: conflict_response("invalid_transition", "not_authorized_yet", "conflict")},
    )
    @action(detail=True, methods=["post"], url_path="start-service")
    def start_service(self, request, pk=None):
        """The service started: only once the request is authorized (409 `not_authorized_yet`)."""
        return self._act(request, services.referral_start_service, ReferralStartInput)

    @extend_schema(
        request=ReferralCloseInput,
        responses={200: ReferralOutput, 409: conflict_response("invalid_transition", "not_started", "conflict")},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the loop with its reason; the referring entity is told. "Not authorized" is the
        request's denial's, never chosen."""
        return self._act(request, services.referral_close, ReferralCloseInput)


@intake_validation_errors
@step_validation_errors
class ReferralViewSet(
    ReferralActionsMixin, PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet
):
    """The plan's closed-loop referrals (DOMAIN 9), newest first."""

    queryset = Referral.objects.none()
    serializer_class = ReferralOutput
    filterset_class = ReferralFilter
    capability = Capability.REFERRALS_READ
    action_capabilities = {
        "create": Capability.REFERRALS_RECORD,
        "accept": Capability.REFERRALS_MANAGE,
        "decline": Capability.REFERRALS_MANAGE,
        "start_service": Capability.REFERRALS_MANAGE,
        "close": Capability.REFERRALS_MANAGE,
    }
    ordering = ("-sent_at", "-id")

    def get_queryset(self):
        referrals = selectors.referral_list(plan=self.request.plan, principal=self.request.principal)
        return referrals.prefetch_related("events", "notices") if self.action == "retrieve" else referrals

    def get_serializer_class(self):
        return ReferralDetailOutput if self.action == "retrieve" else ReferralOutput

    @extend_schema(
        request=ReferralRecordInput,
        responses={201: ReferralOutput, 409: conflict_response("open_referral_exists", "open_request_exists")},
    )
    def create(self, request):
        """Record a referral (sobering centers are exempt: 400 `closed_loop_exempt` at `service`); the
        member's live request for the service is used, else one is submitted from the referrer."""
        return service_response(
            request, payload_class=ReferralRecordInput, service=services.referral_record,
            output_class=ReferralOutput, status_code=status.HTTP_201_CREATED,
        )  # fmt: skip


class ReferralSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralSettings
        fields = list(services.SETTINGS_FIELDS)
        extra_kwargs = {name: {"required": True} for name in services.SETTINGS_FIELDS}


class ReferralSettingsView(PlanAPIView):
    """The plan's stalled-referral clocks (DOMAIN 9): the provider's answer in business days and the
    closure in days. PUT sends both; running clocks keep their due dates."""

    capability = Capability.PLAN_SETTINGS_MANAGE

    @extend_schema(responses=ReferralSettingsSerializer)
    def get(self, request):
        return Response(ReferralSettingsSerializer(selectors.referral_settings_of(plan=request.plan)).data)

    @extend_schema(request=ReferralSettingsSerializer, responses=ReferralSettingsSerializer)
    def put(self, request):
        payload = ReferralSettingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.referral_settings_update(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(ReferralSettingsSerializer(saved).data)
