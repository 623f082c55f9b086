from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform.api.fields import PlanRelatedField
from ecm_platform.api.views import PlanAPIView, PlanViewSet
from ecm_platform.tenancy import selectors, services
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.models import County, Membership, PlanApiKey, Role


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()


class CountyOutput(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name", "has_wpc_or_hhp"]


class PlanOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    counties = CountyOutput(many=True)


class MeOutput(serializers.Serializer):
    user = UserOutput()
    plan = PlanOutput()
    role = serializers.ChoiceField(choices=Role.choices)
    authenticated_by = serializers.ChoiceField(choices=["api_key", "session"])


class MeView(PlanAPIView):
    """Who the caller is: the user, the plan the request acts for, and the role in it."""

    capability = Capability.PROFILE_READ

    @extend_schema(responses=MeOutput)
    def get(self, request):
        membership = request.membership
        data = {
            "user": membership.user,
            "plan": membership.plan,
            "role": membership.role,
            "authenticated_by": "api_key" if isinstance(request.auth, PlanApiKey) else "session",
        }
        return Response(MeOutput(data).data)


class CountyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """California's 58 counties (reference data shared by every plan)."""

    queryset = County.objects.none()
    serializer_class = CountyOutput
    capability = Capability.REFERENCE_READ
    lookup_field = "code"
    ordering = "code"

    def get_queryset(self):
        return selectors.county_list()


class MembershipOutput(serializers.ModelSerializer):
    user = UserOutput()

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "created_at"]


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Who works for this plan, in which role (plan administrators)."""

    queryset = Membership.objects.none()
    serializer_class = MembershipOutput
    capability = Capability.MEMBERSHIPS_MANAGE
    ordering = "pk"

    def get_queryset(self):
        return selectors.membership_list(plan=self.request.plan)


class ApiKeyOutput(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id")
    username = serializers.CharField(source="membership.user.username")
    role = serializers.CharField(source="membership.role")
    expires_at = serializers.DateTimeField(source="expiry_date")

    class Meta:
        model = PlanApiKey
        fields = [
            "prefix",
            "name",
            "membership",
            "username",
            "role",
            "created",
            "expires_at",
            "revoked",
            "revoked_at",
        ]


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="The secret key. Shown this once; store it now.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyCreateInput(serializers.Serializer):
    membership = PlanRelatedField(
        plan_queryset=selectors.membership_list, help_text="An integrator's membership, or your own."
    )
    name = serializers.CharField(max_length=50)
    expires_at = serializers.DateTimeField(required=False, help_text="Default: one year from now.")

    def validate_membership(self, membership):
        # A key acts as its membership's user: an administrator may not mint one that acts as a colleague.
        is_service_account = Principal.of_membership(membership).may(Capability.SERVICE_ACCOUNT)
        if not is_service_account and membership.user_id != self.context["request"].user.pk:
            raise serializers.ValidationError("Issue keys for integrator memberships or for yourself.")
        return membership


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The plan's API keys (plan administrators). A new key's secret is returned once."""

    queryset = PlanApiKey.objects.none()
    serializer_class = ApiKeyOutput
    capability = Capability.API_KEYS_MANAGE
    lookup_field = "prefix"
    ordering = "-created"

    def get_queryset(self):
        return selectors.api_key_list(plan=self.request.plan)

    @extend_schema(request=ApiKeyCreateInput, responses={201: ApiKeyCreatedOutput})
    def create(self, request):
        payload = ApiKeyCreateInput(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        api_key, raw_key = services.api_key_issue(plan=request.plan, actor=request.principal, **payload.validated_data)
        api_key.key = raw_key
        return Response(ApiKeyCreatedOutput(api_key).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiKeyOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, prefix=None):
        api_key = services.api_key_revoke(plan=request.plan, api_key=self.get_object(), actor=request.principal)
        return Response(ApiKeyOutput(api_key).data)


ROUTES = [
    ("counties", CountyViewSet, "county"),
    ("memberships", MembershipViewSet, "membership"),
    ("api-keys", ApiKeyViewSet, "api-key"),
]
PATHS = [path("me/", MeView.as_view(), name="me")]
