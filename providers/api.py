import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform import clocks
from ecm_platform.api.fields import EmptyInput, PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.views import PhiReadMixin, PlanViewSet, service_response
from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.access import Capability
from members.selectors import member_list
from providers import network_api, provider_api, selectors, services, settings_api
from providers.models import (
    Assignment,
    AwaitingAssignment,
    CareManager,
    ProviderChangeRequest,
)


class CareManagerSerializer(serializers.ModelSerializer):
    organization = PlanRelatedField(plan_queryset=lambda plan: selectors.contracted_organizations(plan=plan))
    caseload = serializers.IntegerField(read_only=True, default=0, help_text="Current members in this plan.")

    class Meta:
        model = CareManager
        fields = ["id", "organization", "name", "email", "phone", "is_active", "caseload"]
        read_only_fields = ["id", "is_active", "caseload"]


class CareManagerFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")


class CareManagerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Lead Care Managers at the plan's contracted organizations; caseloads count this plan only."""

    queryset = CareManager.objects.none()
    serializer_class = CareManagerSerializer
    filterset_class = CareManagerFilter
    capability = Capability.PROVIDERS_READ
    action_capabilities = {"create": Capability.CARE_MANAGERS_ADD}
    ordering = "pk"

    def get_queryset(self):
        return selectors.care_manager_list(plan=self.request.plan)

    @extend_schema(request=CareManagerSerializer, responses={201: CareManagerSerializer})
    def create(self, request):
        return service_response(
            request,
            payload_class=CareManagerSerializer,
            service=services.care_manager_add,
            output_class=CareManagerSerializer,
            status_code=status.HTTP_201_CREATED,
        )


class AssignmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id", "member", "organization", "contract", "lead_care_manager", "rule", "passed_over", "reason",
            "authorized_on", "communication_due", "communicated_at", "pcp_notification_due", "pcp_notified_at",
            "started_on", "ended_on", "end_reason",
        ]  # fmt: skip


class AssignmentInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=member_list)
    authorized_on = serializers.DateField()
    preferred_organization = PlanRelatedField(
        plan_queryset=lambda plan: selectors.organization_list(), required=False, allow_null=True
    )
    receives_specialty_behavioral_health = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out to decide from the member's SMI/SUD determination and specialty behavioral-health "
        "programs.",
    )
    more_appropriate_organization = PlanRelatedField(
        plan_queryset=lambda plan: selectors.organization_list(), required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OverrideInput(serializers.Serializer):
    organization = PlanRelatedField(plan_queryset=lambda plan: selectors.contracted_organizations(plan=plan))
    reason = serializers.CharField()


class LeadCareManagerInput(serializers.Serializer):
    care_manager = PlanRelatedField(plan_queryset=lambda plan: selectors.care_manager_list(plan=plan))


class AssignmentFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    organization = IdFilter(field_name="organization_id")
    is_current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")


class AssignmentViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Members' ECM Providers (DOMAIN 7): assigned by the rules, overridden with a reason."""

    queryset = Assignment.objects.none()
    serializer_class = AssignmentOutput
    filterset_class = AssignmentFilter
    capability = Capability.MEMBERS_READ
    action_capabilities = {
        "create": Capability.ASSIGNMENTS_MANAGE,
        "override": Capability.ASSIGNMENT_OVERRIDE,
        "communicated": Capability.ASSIGNMENTS_MANAGE,
        "pcp_notified": Capability.ASSIGNMENTS_MANAGE,
        "lead_care_manager": Capability.ASSIGNMENTS_MANAGE,
    }
    ordering = "-id"

    def get_queryset(self):
        return selectors.assignment_list(plan=self.request.plan)

    @extend_schema(request=AssignmentInput, responses={201: AssignmentOutput})
    def create(self, request):
        return service_response(
            request,
            payload_class=AssignmentInput,
            service=services.assignment_assign,
            output_class=AssignmentOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=OverrideInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        return service_response(
            request,
            payload_class=OverrideInput,
            service=services.assignment_override,
            output_class=AssignmentOutput,
            assignment=self.get_object(),
        )

    @extend_schema(request=LeadCareManagerInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"], url_path="lead-care-manager")
    def lead_care_manager(self, request, pk=None):
        return service_response(
            request,
            payload_class=LeadCareManagerInput,
            service=services.assignment_set_lead_care_manager,
            output_class=AssignmentOutput,
            assignment=self.get_object(),
        )

    @extend_schema(request=None, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def communicated(self, request, pk=None):
        return service_response(
            request,
            payload_class=EmptyInput,
            service=services.mark_communicated,
            output_class=AssignmentOutput,
            assignment=self.get_object(),
        )

    @extend_schema(request=None, responses=AssignmentOutput)
    @action(detail=True, methods=["post"], url_path="pcp-notified")
    def pcp_notified(self, request, pk=None):
        return service_response(
            request,
            payload_class=EmptyInput,
            service=services.mark_pcp_notified,
            output_class=AssignmentOutput,
            assignment=self.get_object(),
        )


class ChangeRequestSerializer(serializers.ModelSerializer):
    member = PlanRelatedField(plan_queryset=member_list)
    organization = PlanRelatedField(
        plan_queryset=lambda plan: selectors.contracted_organizations(plan=plan), source="requested_organization"
    )

    class Meta:
        model = ProviderChangeRequest
        fields = ["id", "member", "organization", "requested_on", "due", "resolved_on", "outcome"]
        read_only_fields = ["id", "due", "resolved_on", "outcome"]


class ChangeRequestViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Member-requested changes of ECM Provider, due within 30 days (DOMAIN 7)."""

    queryset = ProviderChangeRequest.objects.none()
    serializer_class = ChangeRequestSerializer
    capability = Capability.MEMBERS_READ
    action_capabilities = {
        "create": Capability.PROVIDER_CHANGES_MANAGE,
        "implement": Capability.PROVIDER_CHANGES_MANAGE,
    }
    ordering = "-id"

    def get_queryset(self):
        return selectors.change_request_list(plan=self.request.plan)

    @extend_schema(request=ChangeRequestSerializer, responses={201: ChangeRequestSerializer})
    def create(self, request):
        payload = ChangeRequestSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        change = services.provider_change_request(
            plan=request.plan,
            member=data["member"],
            organization=data["requested_organization"],
            requested_on=data["requested_on"],
            actor=request.principal,
        )
        return Response(ChangeRequestSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        return service_response(
            request,
            payload_class=EmptyInput,
            service=services.provider_change_implement,
            output_class=AssignmentOutput,
            change=self.get_object(),
        )


class AwaitingAssignmentOutput(serializers.ModelSerializer):
    days_waited = serializers.SerializerMethodField()

    class Meta:
        model = AwaitingAssignment
        fields = ["id", "member", "authorized_on", "cause", "detail", "preferred_organization", "since", "days_waited"]

    def get_days_waited(self, waiting) -> int:
        return waiting.days_waited(clocks.local_date(clocks.now()))


class AssignLaterInput(serializers.Serializer):
    organization = PlanRelatedField(
        plan_queryset=lambda plan: selectors.contracted_organizations(plan=plan),
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out to assign by the order (the member's preference first).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AwaitingAssignmentViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Authorized members no provider could take yet (DOMAIN 7), the longest waiting first;
    reviewers and coordinators are told when one is added."""

    queryset = AwaitingAssignment.objects.none()
    serializer_class = AwaitingAssignmentOutput
    capability = Capability.MEMBER_WORKLISTS
    action_capabilities = {"assign": Capability.ASSIGNMENTS_CREATE}
    ordering = "since"

    def get_queryset(self):
        return selectors.awaiting_assignment_list(plan=self.request.plan)

    @extend_schema(request=AssignLaterInput, responses={201: AssignmentOutput})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign the member now (the communication clock starts today); 409 while no provider can."""
        waiting = self.get_object()  # another plan's row is a 404 before its payload is read
        payload = AssignLaterInput(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        assignment = services.awaiting_assign(
            plan=request.plan, actor=request.principal, waiting=waiting, **payload.validated_data
        )
        if assignment is None:
            waiting.refresh_from_db(fields=["detail"])
            raise ConflictError(f"No provider can take the member yet: {waiting.detail}", code="no_provider")
        return Response(AssignmentOutput(assignment).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("provider-change-requests", ChangeRequestViewSet, "provider-change-request"),
    *network_api.ROUTES,
    ("care-managers", CareManagerViewSet, "care-manager"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("awaiting-assignments", AwaitingAssignmentViewSet, "awaiting-assignment"),
    *provider_api.ROUTES,
]
PATHS = settings_api.PATHS
