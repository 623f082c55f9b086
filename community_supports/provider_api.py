"""/api/v1/provider/community-supports/deliveries/: what a Community Supports provider delivered to
the members the plans placed with it (DOMAIN 9), the plan on every row, across its contracting
plans; recorded under one of its active placements (another organization's authorization is "no
such placement", 400 at `request`). The same checks as the plan's endpoint, by the same service.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from community_supports import selectors, services
from community_supports.models import Delivery
from community_supports.serializers import DeliveryFields, DeliveryOutput, delivery_validation_errors
from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.scoping import plan_scope
from providers.provider_api import PLAN_FILTER, ProviderViewSet, with_plan

ProviderDeliveryOutput = with_plan(DeliveryOutput)


class ProviderDeliveryInput(DeliveryFields):
    request = serializers.IntegerField(min_value=1, help_text="One of your organization's active placements.")


@delivery_validation_errors
class ProviderDeliveryViewSet(mixins.ListModelMixin, ProviderViewSet):
    """Your organization's Community Supports deliveries (DOMAIN 9), the plan on every row."""

    queryset = Delivery.objects.none()
    serializer_class = ProviderDeliveryOutput
    capability = Capability.DELIVERIES_READ
    action_capabilities = {"create": Capability.PROVIDER_DELIVERIES_RECORD}
    ordering = ("-delivered_from", "-id")

    def get_queryset(self):
        return selectors.provider_deliveries(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )

    @extend_schema(parameters=[PLAN_FILTER])
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=ProviderDeliveryInput, responses={201: ProviderDeliveryOutput})
    def create(self, request):
        """Record a delivery under one of your organization's placements: inside the authorized
        period and quantity, then within the service's limits."""
        payload = ProviderDeliveryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        placement = selectors.provider_placements(principal=request.principal).filter(pk=fields.pop("request")).first()
        if placement is None:
            raise exceptions.ValidationError(
                {"request": [ErrorDetail("No such placement among your organization's.", code="not_found")]}
            )
        with plan_scope(placement.plan):
            delivery = services.delivery_record(
                plan=placement.plan, actor=request.principal, request=placement, **fields
            )
        return Response(ProviderDeliveryOutput(delivery).data, status=status.HTTP_201_CREATED)


ROUTES = [("provider/community-supports/deliveries", ProviderDeliveryViewSet, "provider-community-supports-delivery")]
