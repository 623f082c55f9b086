"""/api/v1/provider/: the API of provider staff and their integrations (issue 13).

A provider principal (a provider API key, or the browser session of a provider login) sees, per
plan, the members that plan assigned to its organization, with the minimum-necessary fields and the
plan on every row; every read is in the PHI access log. Plan staff are refused (403): they hold no
provider capability, and a plan principal is never taken for a provider one. The organization's
provider administrator manages its logins and keys here.
"""

from contextlib import ExitStack

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform import clocks
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import ProviderRole
from ecm_platform.tenancy.scoping import plans_scope
from providers import provider_selectors as selectors
from providers import staff
from providers.models import Assignment, ProviderApiKey, ProviderMembership


def provider_principal(request):
    """The provider principal the request acts as: the provider key's, else the session's."""
    if isinstance(request.auth, ProviderApiKey):
        day = clocks.local_date(clocks.now())
        return selectors.principal_of_provider_membership(request.auth.provider_membership, day=day)
    principal = getattr(request._request, "principal", None)
    return principal if principal is not None and principal.is_provider and request.auth is None else None


class ProviderViewSet(viewsets.GenericViewSet):
    """The base of the provider API: the scope of the principal's contracting plans is entered right
    after authentication (see ecm_platform/api/views.py for why) and always left."""

    capability: Capability = Capability.ASSIGNED_MEMBERS_READ
    action_capabilities: dict = {}

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        request.membership, request.plan = None, None
        request.principal = provider_principal(request)
        if request.principal is not None:
            self._scope_stack.enter_context(plans_scope(request.principal.plan_ids))


class PlanOfRow(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def with_plan(output: type[serializers.ModelSerializer]) -> type[serializers.ModelSerializer]:
    """The plan API's `output` for the provider API, whose rows come from several plans: the row's
    plan after its id. Named "Provider<output>" (the schema's component)."""
    meta = type("Meta", (output.Meta,), {"fields": ["id", "plan", *output.Meta.fields[1:]]})
    return type(f"Provider{output.__name__}", (output,), {"plan": PlanOfRow(read_only=True), "Meta": meta})


class ProviderAssignmentOutput(serializers.ModelSerializer):
    plan = PlanOfRow()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.SerializerMethodField()
    lead_care_manager = serializers.CharField(source="lead_care_manager.name", default=None)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "plan",
            "member",
            "member_name",
            "authorized_on",
            "started_on",
            "communication_due",
            "communicated_at",
            "lead_care_manager",
        ]

    def get_member_name(self, assignment) -> str:
        return f"{assignment.member.last_name}, {assignment.member.first_name}"


class ProviderMemberOutput(serializers.Serializer):
    """Minimum necessary: who the member is, how to reach them, and the assignment."""

    id = serializers.IntegerField(source="member.id")
    plan = PlanOfRow()
    cin = serializers.CharField(source="member.cin")
    first_name = serializers.CharField(source="member.first_name")
    last_name = serializers.CharField(source="member.last_name")
    birth_date = serializers.DateField(source="member.birth_date")
    preferred_language = serializers.CharField(source="member.preferred_language")
    phone = serializers.CharField(source="member.phone")
    email = serializers.CharField(source="member.email")
    address_line = serializers.CharField(source="member.address_line")
    city = serializers.CharField(source="member.city")
    zip_code = serializers.CharField(source="member.zip_code")
    assignment = ProviderAssignmentOutput(source="*")


PLAN_FILTER = OpenApiParameter("plan", str, description="One contracting plan's code.")
MEMBER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The member's id.")


class AssignedRowsMixin:
    """Lists and details of the organization's assignments, each read in the PHI access log."""

    ordering = "pk"

    def get_queryset(self):
        return selectors.assignment_list_of_provider(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )

    @extend_schema(parameters=[PLAN_FILTER])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class AssignedMemberViewSet(AssignedRowsMixin, ProviderViewSet):
    """Members the plans assigned to your organization, the plan on every row (provider staff)."""

    queryset = Assignment.objects.none()
    serializer_class = ProviderMemberOutput

    @extend_schema(responses=ProviderMemberOutput, parameters=[MEMBER_ID])
    def retrieve(self, request, pk=None):
        assignment = selectors.assigned_member_get(principal=request.principal, member_id=pk)
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[assignment.member])
        return Response(ProviderMemberOutput(assignment).data)


class AssignmentViewSet(AssignedRowsMixin, ProviderViewSet):
    """Your organization's current assignments, per plan (provider staff)."""

    queryset = Assignment.objects.none()
    serializer_class = ProviderAssignmentOutput


class ProviderStaffOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.get_full_name")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = ProviderMembership
        fields = ["id", "username", "full_name", "email", "role", "is_active", "created_at"]


class ProviderStaffCreateInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=300, required=False, default="")
    password = serializers.CharField(write_only=True, help_text="The first password; the user changes it.")
    role = serializers.ChoiceField(choices=ProviderRole.choices)


class StaffViewSet(mixins.ListModelMixin, ProviderViewSet):
    """Your organization's logins (provider administrators)."""

    queryset = ProviderMembership.objects.none()
    serializer_class = ProviderStaffOutput
    capability = Capability.PROVIDER_STAFF_MANAGE
    ordering = "pk"

    def get_queryset(self):
        return selectors.provider_membership_list(organization_id=self.request.principal.organization_id)

    @extend_schema(request=ProviderStaffCreateInput, responses={201: ProviderStaffOutput})
    def create(self, request):
        payload = ProviderStaffCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        provider_membership = staff.provider_user_create(
            actor=request.principal,
            organization=request.principal.provider_membership.organization,
            **payload.validated_data,
        )
        return Response(ProviderStaffOutput(provider_membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProviderStaffOutput)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """End a colleague's login: their sessions and keys stop working."""
        provider_membership = staff.provider_membership_deactivate(
            actor=request.principal, provider_membership=self.get_object()
        )
        return Response(ProviderStaffOutput(provider_membership).data)


class ProviderApiKeyOutput(serializers.ModelSerializer):
    provider_membership = serializers.IntegerField(source="provider_membership_id")
    username = serializers.CharField(source="provider_membership.user.username")
    role = serializers.CharField(source="provider_membership.role")
    expires_at = serializers.DateTimeField(source="expiry_date")

    class Meta:
        model = ProviderApiKey
        fields = [
            "prefix",
            "name",
            "provider_membership",
            "username",
            "role",
            "created",
            "expires_at",
            "revoked",
            "revoked_at",
        ]


class ProviderApiKeyCreatedOutput(ProviderApiKeyOutput):
    key = serializers.CharField(help_text="The secret key. Shown this once; store it now.")

    class Meta(ProviderApiKeyOutput.Meta):
        fields = [*ProviderApiKeyOutput.Meta.fields, "key"]


class ProviderApiKeyCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    expires_at = serializers.DateTimeField(required=False, help_text="Default: one year from now.")


class ProviderApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProviderViewSet):
    """Your organization's API keys (provider administrators). A key acts as the administrator who
    issues it; its secret is returned once."""

    queryset = ProviderApiKey.objects.none()
    serializer_class = ProviderApiKeyOutput
    capability = Capability.PROVIDER_STAFF_MANAGE
    lookup_field = "prefix"
    ordering = "-created"

    def get_queryset(self):
        return selectors.provider_api_key_list(organization_id=self.request.principal.organization_id)

    @extend_schema(request=ProviderApiKeyCreateInput, responses={201: ProviderApiKeyCreatedOutput})
    def create(self, request):
        payload = ProviderApiKeyCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        api_key, raw_key = staff.provider_api_key_issue(
            actor=request.principal,
            provider_membership=request.principal.provider_membership,
            **payload.validated_data,
        )
        api_key.key = raw_key
        return Response(ProviderApiKeyCreatedOutput(api_key).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProviderApiKeyOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, prefix=None):
        api_key = staff.provider_api_key_revoke(actor=request.principal, api_key=self.get_object())
        return Response(ProviderApiKeyOutput(api_key).data)


ROUTES = [
    ("provider/members", AssignedMemberViewSet, "provider-member"),
    ("provider/assignments", AssignmentViewSet, "provider-assignment"),
    ("provider/staff", StaffViewSet, "provider-staff"),
    ("provider/api-keys", ProviderApiKeyViewSet, "provider-api-key"),
]
