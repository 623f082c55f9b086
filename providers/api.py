import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform import clocks
from ecm_platform.api.fields import EmptyInput, PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.views import PhiReadMixin, PlanViewSet, service_response
from ecm_platform.errors import ConflictError
from ecm_platform.identifiers import normalize_tin, validate_tin
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from members.selectors import member_list
from providers import provider_api, selectors, services, settings_api
from providers.models import (
    Assignment,
    AwaitingAssignment,
    CareManager,
    Contract,
    ProviderChangeRequest,
    ProviderOrganization,
    Service,
)


def county_codes():
    return serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all(), many=True)


def pof_codes(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=PopulationOfFocus.objects.all(), many=True, **kwargs
    )


class OrganizationSerializer(serializers.ModelSerializer):
    counties = county_codes()
    pof_experience = pof_codes(required=False)
    tax_id = serializers.CharField(
        validators=[validate_tin], help_text="EIN: 12-3456789 or 123456789, stored as its 9 digits."
    )

    class Meta:
        model = ProviderOrganization
        fields = [
            "id",
            "npi",
            "tax_id",
            "name",
            "organization_type",
            "enrollment_pathway",
            "counties",
            "pof_experience",
            "is_active",
        ]
        read_only_fields = ["id", "is_active"]
        extra_kwargs = {"npi": {"validators": []}}

    def validate_tax_id(self, value):
        return normalize_tin(value)


class VettingCriterionOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    met_on = serializers.DateField(allow_null=True)


class VettingOutput(serializers.Serializer):
    complete = serializers.BooleanField()
    criteria = VettingCriterionOutput(many=True)


class VettingCheckInput(serializers.Serializer):
    criterion = serializers.CharField(help_text="The text of one criterion of GET .../vetting/.")
    met_on = serializers.DateField()


class VettingCheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    criterion = serializers.CharField()
    met_on = serializers.DateField()


@extend_validation_errors(["invalid_tin"], field_name="tax_id", actions=["create"])
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The provider directory: organizations are shared by every plan that contracts with them."""

    queryset = ProviderOrganization.objects.none()
    serializer_class = OrganizationSerializer
    capability = Capability.PROVIDERS_READ
    action_capabilities = {"create": Capability.PROVIDERS_MANAGE, "vetting_checks": Capability.PROVIDERS_MANAGE}
    ordering = "pk"

    def get_queryset(self):
        return selectors.organization_list()

    @extend_schema(request=OrganizationSerializer, responses={201: OrganizationSerializer})
    def create(self, request):
        return service_response(
            request,
            payload_class=OrganizationSerializer,
            service=services.organization_create,
            output_class=OrganizationSerializer,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=VettingOutput)
    @action(detail=True, methods=["get"])
    def vetting(self, request, pk=None):
        """The criteria this organization meets before the plan activates a contract (DOMAIN 7),
        each with the day this plan recorded it met."""
        organization = self.get_object()
        met = {c.criterion: c.met_on for c in selectors.vetting_checks(plan=request.plan, organization=organization)}
        criteria = [
            {"code": c.code, "text": c.text, "met_on": met.get(c.text)}
            for c in selectors.vetting_criteria(organization=organization)
        ]
        complete = all(c["met_on"] is not None for c in criteria)
        return Response(VettingOutput({"complete": complete, "criteria": criteria}).data)

    @extend_schema(request=VettingCheckInput, responses={201: VettingCheckOutput})
    @action(detail=True, methods=["post"], url_path="vetting-checks")
    def vetting_checks(self, request, pk=None):
        return service_response(
            request,
            payload_class=VettingCheckInput,
            service=services.vetting_check_record,
            output_class=VettingCheckOutput,
            status_code=status.HTTP_201_CREATED,
            organization=self.get_object(),
        )


class ActivateInput(serializers.Serializer):
    activated_on = serializers.DateField()


class ContractUpdateInput(serializers.Serializer):
    counties = county_codes()
    pofs = pof_codes()
    capacity = serializers.IntegerField(min_value=0)
    is_presumptive_capable = serializers.BooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # a PATCH: what is left out stays


class OrientationInput(serializers.Serializer):
    completed_on = serializers.DateField()


class ContractEndInput(serializers.Serializer):
    end_date = serializers.DateField(help_text="The contract's last day; its members are reassigned (DOMAIN 7).")


class ContractSerializer(serializers.ModelSerializer):
    organization = PlanRelatedField(plan_queryset=lambda plan: selectors.organization_list())
    counties = county_codes()
    pofs = pof_codes()
    assigned = serializers.IntegerField(read_only=True, default=0, help_text="Assignments open today.")
    capacity_left = serializers.IntegerField(read_only=True, default=None, help_text="Capacity minus them.")

    class Meta:
        model = Contract
        fields = [
            "id", "organization", "service", "counties", "pofs", "capacity", "assigned", "capacity_left",
            "is_presumptive_capable", "start_date", "end_date", "activated_on", "vetting_to_complete",
            "orientation_due", "orientation_completed_on",
        ]  # fmt: skip
        read_only_fields = [
            "id", "assigned", "activated_on", "vetting_to_complete", "orientation_due", "orientation_completed_on",
        ]  # fmt: skip


class ContractFilter(django_filters.FilterSet):
    # Declared explicitly: Meta.fields on a scoped model queries at import (TRAPS.md).
    organization = IdFilter(field_name="organization_id")
    service = django_filters.ChoiceFilter(choices=Service.choices)
    county = django_filters.CharFilter(field_name="counties__code", distinct=True, help_text="County code, e.g. 01")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """This plan's contracts, with how many members each serves now."""

    queryset = Contract.objects.none()
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    capability = Capability.PROVIDERS_READ
    action_capabilities = {
        "create": Capability.PROVIDERS_MANAGE,
        "activate": Capability.PROVIDERS_MANAGE,
        "partial_update": Capability.PROVIDERS_MANAGE,
        "end": Capability.PROVIDERS_MANAGE,
        "orientation": Capability.PROVIDERS_MANAGE,
    }
    ordering = "pk"

    def get_queryset(self):
        return selectors.contract_list(plan=self.request.plan)

    def _fresh(self, contract):
        return selectors.contract_list(plan=self.request.plan).get(pk=contract.pk)

    @extend_schema(request=ContractUpdateInput, responses=ContractSerializer)
    def partial_update(self, request, pk=None):
        """Change the capacity, counties, POFs or presumptive capability; the end has its own action."""
        contract = self.get_object()
        payload = ContractUpdateInput(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        contract = services.contract_update(
            plan=request.plan, actor=request.principal, contract=contract, **payload.validated_data
        )
        return Response(ContractSerializer(self._fresh(contract)).data)

    @extend_schema(request=OrientationInput, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def orientation(self, request, pk=None):
        """A Community Supports provider's orientation completed (DOMAIN 7: within 10 working days)."""
        return service_response(
            request,
            payload_class=OrientationInput,
            service=services.contract_orientation_record,
            output_class=ContractSerializer,
            contract=self.get_object(),
        )

    @extend_schema(request=ContractEndInput, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the contract: its members' assignments end and each is reassigned by the order, or
        goes on the awaiting-assignment worklist (DOMAIN 7)."""
        contract = self.get_object()
        payload = ContractEndInput(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        contract = services.contract_end(
            plan=request.plan, actor=request.principal, contract=contract, **payload.validated_data
        )
        return Response(ContractSerializer(self._fresh(contract)).data)

    @extend_schema(request=ActivateInput, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return service_response(
            request,
            payload_class=ActivateInput,
            service=services.contract_activate,
            output_class=ContractSerializer,
            contract=self.get_object(),
        )

    @extend_schema(request=ContractSerializer, responses={201: ContractSerializer})
    def create(self, request):
        return service_response(
            request,
            payload_class=ContractSerializer,
            service=services.contract_create,
            output_class=ContractSerializer,
            status_code=status.HTTP_201_CREATED,
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
    ("provider-organizations", OrganizationViewSet, "provider-organization"),
    ("contracts", ContractViewSet, "contract"),
    ("care-managers", CareManagerViewSet, "care-manager"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("awaiting-assignments", AwaitingAssignmentViewSet, "awaiting-assignment"),
    *provider_api.ROUTES,
]
PATHS = settings_api.PATHS
