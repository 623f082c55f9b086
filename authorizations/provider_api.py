"""/api/v1/provider/presumptive-starts/: a presumptive-capable provider starts ECM for a member of a
plan it contracts with (DOMAIN 5.1, 5.2), acting for its own organization only; the service checks
the contract. The answer names the request, never more of the member than the caller sent: a
refusal says why by its code, not whose request is already open, and the CIN lookup is in the PHI
access log.

/api/v1/provider/presumptive-starts/{id}/withdraw/: the member asked the provider to stop (or the
start was a duplicate): the presumptive services end today with the member's discontinuation
notice (DOMAIN 5.2, 5.3).

/api/v1/provider/decisions/: the decisions on the organization's requests, told in the portal
(DOMAIN 5.3), with the reason when not authorized; every read in the PHI access log.

/api/v1/provider/authorizations/: the Community Supports authorizations whose member the plans
placed with the organization (DOMAIN 9), across the plans it contracts with; another provider's,
and a plan's it has no contract with, never appear. Every read in the PHI access log."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from authorizations import selectors, services
from authorizations.models import AuthorizationRequest, RequesterNotice, WithdrawalReason
from authorizations.selectors import community_supports_of_provider
from authorizations.services.requester_notices import NOT_AUTHORIZED, requester_notice_reasons, requester_notice_text
from benefits.models import ECM_CODE, CatalogueService
from ecm_platform.api.schema import conflict_response
from ecm_platform.audit.services import phi_read_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import HealthPlan
from members.selectors import member_list
from providers.models import ProviderOrganization
from providers.provider_api import PlanOfRow, ProviderViewSet

NOT_STARTED = (
    "The service cannot start presumptively for this member now; the code says why, and the plan can tell you more."
)


class PresumptiveStartInput(serializers.Serializer):
    plan = serializers.SlugField(max_length=30, help_text="The code of a plan that contracts with your organization.")
    cin = serializers.RegexField(r"^[0-9]{8}[A-Z]$", help_text="The member's Medi-Cal CIN (8 digits and a letter).")
    requester_contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # The catalogue is shared reference data, not plan-owned: a class-level queryset is safe.
    service = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CatalogueService.objects.all(),
        required=False,
        help_text=f"A catalogue code: {ECM_CODE} (the default) or a Community Support the contract covers.",
    )
    service_from = serializers.DateField(required=False, help_text="A Community Support's period: its first day.")
    service_to = serializers.DateField(required=False, help_text="Its last day.")
    quantity = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, help_text="In the service's limit unit (hours, dollars...)."
    )


class PresumptiveStartOutput(serializers.ModelSerializer):
    plan = PlanOfRow()

    class Meta:
        model = AuthorizationRequest
        fields = ["id", "plan", "status", "received_at", "presumptive_until", "due_at"]


class PresumptiveWithdrawInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[WithdrawalReason.MEMBER_DECLINED, WithdrawalReason.DUPLICATE],
        help_text="member_declined (the member asked to stop) or duplicate.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PresumptiveStartViewSet(ProviderViewSet):
    """Start ECM (or, with `service`, a Community Support the contract covers) presumptively for a
    member, or stop it at the member's request (provider administrators and care managers)."""

    queryset = AuthorizationRequest.objects.none()
    serializer_class = PresumptiveStartOutput
    capability = Capability.PRESUMPTIVE_START
    action_capabilities = {"withdraw": Capability.PRESUMPTIVE_WITHDRAW}

    def get_queryset(self):
        return selectors.presumptive_starts_of_provider(principal=self.request.principal)

    @extend_schema(
        request=PresumptiveStartInput,
        responses={201: PresumptiveStartOutput, 409: conflict_response("open_request_exists", "invalid_transition")},
    )
    def create(self, request):
        payload = PresumptiveStartInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        principal = request.principal
        plan = HealthPlan.objects.filter(code=data["plan"], pk__in=principal.plan_ids, is_active=True).first()
        if plan is None:
            raise DomainError("Your organization has no contract in force with this plan.", field="plan")
        member = member_list(plan=plan).filter(cin=data["cin"]).first()
        phi_read_record(principal=principal, path=request.get_full_path(), members=[member] if member else [])
        if member is None:
            raise DomainError(f"{plan.name} has no member with this CIN.", field="cin", code="unknown_member")
        try:
            started = services.request_start_presumptive(
                plan=plan,
                actor=principal,
                member=member,
                organization=ProviderOrganization.objects.get(pk=principal.organization_id),
                requester_contact=data["requester_contact"],
                notes=data["notes"],
                service=data.get("service"),
                service_from=data.get("service_from"),
                service_to=data.get("service_to"),
                quantity=data.get("quantity"),
            )
        except DomainError as refused:
            if refused.field == "organization":
                raise  # about the caller's own contract
            # The plan's own message names the member and any request already open.
            raise type(refused)(NOT_STARTED, field=refused.field, code=refused.code) from None
        return Response(PresumptiveStartOutput(started).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PresumptiveWithdrawInput,
        responses={200: PresumptiveStartOutput, 409: conflict_response("invalid_transition", "conflict")},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The member asked to stop (DOMAIN 5.2): the presumptive services end today, with a
        discontinuation notice dated and effective the same day (DOMAIN 5.3)."""
        started = self.get_object()
        payload = PresumptiveWithdrawInput(data=request.data)
        payload.is_valid(raise_exception=True)
        withdrawn = services.request_withdraw(
            plan=started.plan, actor=request.principal, request=started, **payload.validated_data
        )
        return Response(PresumptiveStartOutput(withdrawn).data)


class DecisionOutput(serializers.ModelSerializer):
    plan = PlanOfRow()
    member = serializers.IntegerField(source="request.member_id")
    member_name = serializers.CharField(source="request.member.full_name")
    reasons = serializers.SerializerMethodField(help_text="The reason codes' labels, when not authorized.")
    explanation = serializers.SerializerMethodField(help_text="The reviewer's explanation, as written.")
    message = serializers.SerializerMethodField(help_text="The decision as the requester reads it.")

    class Meta:
        model = RequesterNotice
        fields = ["id", "plan", "request", "member", "member_name", "decision", "reasons", "explanation", "message",
                  "created_at"]  # fmt: skip

    def get_reasons(self, told) -> list[str]:
        return requester_notice_reasons(told) if told.decision in NOT_AUTHORIZED else []

    def get_explanation(self, told) -> str:
        return told.notice.content["explanation"] if told.decision in NOT_AUTHORIZED else ""

    def get_message(self, told) -> str:
        return requester_notice_text(told)


class DecisionViewSet(mixins.ListModelMixin, ProviderViewSet):
    """The plans' decisions on the requests your organization sent (provider staff; DOMAIN 5.3)."""

    queryset = RequesterNotice.objects.none()
    serializer_class = DecisionOutput
    ordering = "pk"

    def get_queryset(self):
        return selectors.requester_notices_of_provider(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )

    @extend_schema(parameters=[OpenApiParameter("plan", str, description="One contracting plan's code.")])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        members = [row.request.member for row in rows]
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=members)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class ProviderAuthorizationOutput(serializers.ModelSerializer):
    plan = PlanOfRow()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.full_name")
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_name = serializers.CharField(source="service.name")
    placed_on = serializers.DateField(source="service_assignment.started_on", help_text="Placed with you from.")
    placement_ended_on = serializers.DateField(
        source="service_assignment.ended_on", allow_null=True, help_text="The placement's last day, once ended."
    )

    class Meta:
        model = AuthorizationRequest
        fields = [
            "id", "plan", "member", "member_name", "service", "service_name", "status", "service_from", "service_to",
            "quantity", "services_started_on", "placed_on", "placement_ended_on",
        ]  # fmt: skip


class ProviderAuthorizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProviderViewSet):
    """Your organization's Community Supports authorizations, in every plan that contracts with it
    (provider staff; DOMAIN 9)."""

    queryset = AuthorizationRequest.objects.none()
    serializer_class = ProviderAuthorizationOutput
    capability = Capability.PROVIDER_REQUESTS_READ
    ordering = "-pk"

    def get_queryset(self):
        plan_code = self.request.query_params.get("plan") if self.action == "list" else None
        return community_supports_of_provider(principal=self.request.principal, plan_code=plan_code)

    @extend_schema(parameters=[OpenApiParameter("plan", str, description="One contracting plan's code.")])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[r.member for r in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        row = self.get_object()
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member])
        return Response(self.get_serializer(row).data)


ROUTES = [
    ("provider/presumptive-starts", PresumptiveStartViewSet, "provider-presumptive-start"),
    ("provider/decisions", DecisionViewSet, "provider-decision"),
    ("provider/authorizations", ProviderAuthorizationViewSet, "provider-authorization"),
]
