"""/api/v1/community-supports/deliveries/: the Community Supports delivered under the plan's
authorizations (DOMAIN 9), listed and recorded by plan staff; the provider's own are in
provider_api.py.

Recording checks the authorization (a Community Support, services started), the authorized period
and quantity, then the service's limits again against the member's other deliveries: a limit without
exceptions answers 400 `limit_exceeded`, one that allows exceptions 400
`limit_override_reason_required` until a reason is given. Every read is in the PHI access log.
"""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from community_supports import provider_api, referral_api, referral_provider_api, selectors, services
from community_supports.models import Delivery
from community_supports.serializers import DeliveryFields, DeliveryOutput, delivery_validation_errors
from ecm_platform.api.fields import PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.views import PhiReadMixin, PlanViewSet
from ecm_platform.tenancy.access import Capability


class DeliveryInput(DeliveryFields):
    request = PlanRelatedField(
        plan_queryset=lambda plan: selectors.community_supports_of_plan(plan=plan),
        help_text="The Community Supports authorization delivered under.",
    )


class DeliveryFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id")
    member = IdFilter(field_name="member_id")
    organization = IdFilter(field_name="organization_id")


@delivery_validation_errors
class DeliveryViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Community Supports delivered under the plan's authorizations (DOMAIN 9), newest first."""

    queryset = Delivery.objects.none()
    serializer_class = DeliveryOutput
    filterset_class = DeliveryFilter
    capability = Capability.DELIVERIES_READ
    action_capabilities = {"create": Capability.DELIVERIES_RECORD}
    ordering = ("-delivered_from", "-id")

    def get_queryset(self):
        return selectors.deliveries_visible(plan=self.request.plan, principal=self.request.principal)

    @extend_schema(request=DeliveryInput, responses={201: DeliveryOutput})
    def create(self, request):
        """Record a delivery: inside the authorized period and quantity, then within the service's
        limits with the member's other deliveries counted."""
        payload = DeliveryInput(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        delivery = services.delivery_record(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(DeliveryOutput(delivery).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("community-supports/deliveries", DeliveryViewSet, "community-supports-delivery"),
    ("referrals", referral_api.ReferralViewSet, "referral"),
    ("provider/referrals", referral_provider_api.ProviderReferralViewSet, "provider-referral"),
    *provider_api.ROUTES,
]
PATHS = [path("settings/referrals/", referral_api.ReferralSettingsView.as_view(), name="settings-referrals")]
