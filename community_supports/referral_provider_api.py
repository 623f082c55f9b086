"""/api/v1/provider/referrals/: the closed-loop referrals sent to your organization by the plans
contracting with it (DOMAIN 9), the plan on every row; accept (with the contact the member reaches
you at), decline with a reason, start the service once the plan authorized it, close with a reason.
POST sends a referral of a member assigned to your organization to another provider.
Another organization's referral is 404 like a missing one; every read is in the PHI access log.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from authorizations.models import Urgency
from benefits.models import CatalogueService
from community_supports import referral_selectors as selectors
from community_supports import referral_services as services
from community_supports.referral_api import (
    ReferralActionsMixin,
    ReferralDetailOutput,
    ReferralOutput,
    step_validation_errors,
)
from community_supports.referral_models import Referral
from ecm_platform.api.fields import optional_text
from ecm_platform.api.schema import conflict_response
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.scoping import plan_scope
from providers.models import ProviderOrganization
from providers.provider_api import PLAN_FILTER, ProviderViewSet, with_plan
from providers.provider_selectors import assignment_list_of_provider

STATUS_FILTER = OpenApiParameter("status", str, description="sent, accepted, declined, service_started, closed")


ProviderReferralOutput = with_plan(ReferralOutput)


ProviderReferralDetailOutput = with_plan(ReferralDetailOutput)


class ProviderReferralSendInput(serializers.Serializer):
    plan = serializers.CharField(help_text="The plan's code.")
    member = serializers.IntegerField(min_value=1, help_text="A member assigned to your organization in that plan.")
    service = serializers.SlugRelatedField(slug_field="code", queryset=CatalogueService.objects.all())
    organization = serializers.IntegerField(min_value=1, help_text="The provider referred to, contracted by the plan.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    notes = optional_text(max_length=2000)


def _refused(field: str, message: str):
    return exceptions.ValidationError({field: [ErrorDetail(message, code="not_found")]})


@step_validation_errors
class ProviderReferralViewSet(ReferralActionsMixin, mixins.ListModelMixin, ProviderViewSet):
    """Referrals sent to your organization (DOMAIN 9), newest first, the plan on every row."""

    queryset = Referral.objects.none()
    serializer_class = ProviderReferralOutput
    output_class = ProviderReferralOutput
    capability = Capability.REFERRALS_READ
    action_capabilities = {
        "create": Capability.PROVIDER_REFERRALS_SEND,
        "accept": Capability.PROVIDER_REFERRALS_RESPOND,
        "decline": Capability.PROVIDER_REFERRALS_RESPOND,
        "start_service": Capability.PROVIDER_REFERRALS_RESPOND,
        "close": Capability.PROVIDER_REFERRALS_RESPOND,
    }
    ordering = ("-sent_at", "-id")

    def get_queryset(self):
        referrals = selectors.provider_referrals(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )
        status = self.request.query_params.get("status")
        return referrals.filter(status=status) if status and self.action == "list" else referrals

    @extend_schema(parameters=[PLAN_FILTER, STATUS_FILTER])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(responses=ProviderReferralDetailOutput)
    def retrieve(self, request, pk=None):
        """One referral with its history and its notices."""
        referral = self.get_object()
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[referral.member])
        return Response(ProviderReferralDetailOutput(referral).data)

    @extend_schema(
        request=ProviderReferralSendInput,
        responses={201: ProviderReferralOutput, 409: conflict_response("open_referral_exists", "open_request_exists")},
    )
    def create(self, request):
        """Refer a member assigned to your organization to another provider (DOMAIN 9): you are the
        referring entity, told in your portal of the assignment, a non-authorization and the closure."""
        payload = ProviderReferralSendInput(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        assignment = (
            assignment_list_of_provider(principal=request.principal, plan_code=fields.pop("plan"))
            .filter(member_id=fields.pop("member"))
            .first()
        )
        if assignment is None:
            raise _refused("member", "No such member among your organization's assignments in that plan.")
        organization = ProviderOrganization.objects.filter(pk=fields.pop("organization")).first()
        if organization is None:
            raise _refused("organization", "No such provider organization.")
        with plan_scope(assignment.plan):
            referral = services.referral_send(
                plan=assignment.plan, actor=request.principal, member=assignment.member, organization=organization,
                **fields,
            )  # fmt: skip
        return Response(ProviderReferralOutput(referral).data, status=status.HTTP_201_CREATED)

    def _act(self, request, service, payload_class):
        referral = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        with plan_scope(referral.plan):
            done = service(plan=referral.plan, actor=request.principal, referral=referral, **payload.validated_data)
        return Response(ProviderReferralOutput(done).data)
