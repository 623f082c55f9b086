"""The plan's provider network in /api/v1/: the organizations of the directory with their vetting,
and the plan's contracts with them, activated, edited and ended (DOMAIN 7)."""

import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from benefits.models import CatalogueService
from ecm_platform.api.fields import PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PlanViewSet, service_response
from ecm_platform.identifiers import normalize_tin, validate_tin
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County
from eligibility.models import PopulationOfFocus
from providers import selectors, services
from providers.models import (
    Contract,
    ContractService,
    ProviderOrganization,
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


class OrientationInput(serializers.Serializer):
    completed_on = serializers.DateField()


class ContractEndInput(serializers.Serializer):
    end_date = serializers.DateField(help_text="The contract's last day; its members are reassigned (DOMAIN 7).")


class ContractLineSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=CatalogueService.objects.all(), help_text="A catalogue code: ecm, respite, ..."
    )
    capacity = serializers.IntegerField(min_value=1, help_text="Members the provider serves in it at once.")
    assigned = serializers.IntegerField(
        read_only=True, default=0, help_text="Members it holds today (ECM: assignments; else placements)."
    )
    capacity_left = serializers.IntegerField(read_only=True, default=None, help_text="Capacity minus them.")

    class Meta:
        model = ContractService
        fields = ["service", "capacity", "assigned", "capacity_left"]


def lines_field(**kwargs):
    return ContractLineSerializer(
        many=True, required=False, help_text="The services it covers, each with its capacity (DOMAIN 7, 9).", **kwargs
    )


class ContractUpdateInput(serializers.Serializer):
    counties = county_codes()
    pofs = pof_codes()
    capacity = serializers.IntegerField(min_value=0, help_text="Its ECM line's capacity.")
    lines = lines_field(allow_empty=False)
    is_presumptive_capable = serializers.BooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # a PATCH: what is left out stays; `lines` given are all of them


class ContractSerializer(serializers.ModelSerializer):
    organization = PlanRelatedField(plan_queryset=lambda plan: selectors.organization_list())
    counties = county_codes()
    pofs = pof_codes()
    lines = lines_field(allow_empty=False)
    capacity = serializers.IntegerField(
        min_value=1, required=False, help_text="Its ECM line's capacity (a contract of ECM alone: give this, no lines)."
    )
    assigned = serializers.IntegerField(read_only=True, default=0, help_text="Assignments open today.")
    capacity_left = serializers.IntegerField(read_only=True, default=None, help_text="Capacity minus them.")

    class Meta:
        model = Contract
        fields = [
            "id", "organization", "lines", "counties", "pofs", "capacity", "assigned", "capacity_left",
            "is_presumptive_capable", "start_date", "end_date", "activated_on", "vetting_to_complete",
            "orientation_due", "orientation_completed_on",
        ]  # fmt: skip
        read_only_fields = [
            "id", "assigned", "activated_on", "vetting_to_complete", "orientation_due", "orientation_completed_on",
        ]  # fmt: skip

    def validate(self, attrs):
        if ("lines" in attrs) == ("capacity" in attrs):
            raise serializers.ValidationError({"lines": "Give the lines, or the capacity of a contract of ECM alone."})
        return attrs


class ContractFilter(django_filters.FilterSet):
    # Declared explicitly: Meta.fields on a scoped model queries at import (TRAPS.md).
    organization = IdFilter(field_name="organization_id")
    # The catalogue is shared reference data, not plan-owned: a class-level queryset is safe.
    service = django_filters.ModelChoiceFilter(
        field_name="lines__service",
        to_field_name="code",
        queryset=CatalogueService.objects.all(),
        distinct=True,
        help_text="A catalogue code, e.g. ecm or respite",
    )
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
        "end": Capability.CONTRACTS_END,
        "orientation": Capability.PROVIDERS_MANAGE,
    }
    ordering = "pk"

    def get_queryset(self):
        return selectors.contract_list(plan=self.request.plan)

    def _fresh(self, contract):
        return selectors.contract_list(plan=self.request.plan).get(pk=contract.pk)

    @extend_schema(request=ContractUpdateInput, responses=ContractSerializer)
    def partial_update(self, request, pk=None):
        """Change the lines (each service's capacity; a line added or removed), the ECM capacity, counties,
        POFs or presumptive capability; the end has its own action. No line drops below the members
        it holds today (400 capacity_below_assigned)."""
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

    @extend_schema(request=ContractEndInput, responses={200: ContractSerializer, 409: conflict_response("ended")})
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
        """A contract of `lines` (ECM and/or Community Supports, each with its capacity), or of ECM
        alone with `capacity`."""
        payload = ContractSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        contract = services.contract_create(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(ContractSerializer(self._fresh(contract)).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("provider-organizations", OrganizationViewSet, "provider-organization"),
    ("contracts", ContractViewSet, "contract"),
]
