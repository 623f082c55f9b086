"""/api/v1/community-supports/clocks/ (DOMAIN 5.1; FAQ 28): the plan administrator lists the
Community Supports with the plan's expedited clock, sets one (PUT /clocks/<code>/) or clears it
(DELETE /clocks/<code>/). Plan settings without members: no PHI access recorded.
benefits/api.py imports ROUTES."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from benefits import clock_services
from benefits.models import CatalogueService, ServiceKind
from ecm_platform.api.views import PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability


class ClockOutput(serializers.Serializer):
    service = serializers.CharField(source="code")
    name = serializers.CharField()
    catalogue_hours = serializers.IntegerField(source="expedited_hours")
    plan_hours = serializers.IntegerField(source="plan_clock", allow_null=True, help_text="None: the catalogue's.")


class ClockInput(serializers.Serializer):
    expedited_hours = serializers.IntegerField(min_value=clock_services.MIN_HOURS, max_value=clock_services.MAX_HOURS)


def _set(*, plan, actor, community_support, expedited_hours):
    # service_response's own `service` argument is the function it calls.
    clock_services.service_clock_set(plan=plan, actor=actor, service=community_support, expedited_hours=expedited_hours)
    community_support.plan_clock = expedited_hours
    return community_support


class ServiceClockViewSet(PlanViewSet):
    """The plan's expedited clock per Community Support."""

    queryset = CatalogueService.objects.none()
    capability = Capability.SERVICE_CLOCKS_MANAGE
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9]+"
    pagination_class = None  # the catalogue's Community Supports: a bounded reference list

    def _service(self, code) -> CatalogueService:
        try:
            return CatalogueService.objects.get(code=code, kind=ServiceKind.COMMUNITY_SUPPORT)
        except CatalogueService.DoesNotExist:
            raise Http404("No such Community Support.") from None

    @extend_schema(responses=ClockOutput(many=True))
    def list(self, request):
        rows = clock_services.service_clocks_of(plan=request.plan, principal=request.principal)
        return Response(ClockOutput(rows, many=True).data)

    @extend_schema(responses=ClockOutput)
    def retrieve(self, request, code=None):
        rows = clock_services.service_clocks_of(plan=request.plan, principal=request.principal)
        service = self._service(code)
        return Response(ClockOutput(next(row for row in rows if row.pk == service.pk)).data)

    @extend_schema(request=ClockInput, responses=ClockOutput)
    def update(self, request, code=None):
        """Decide expedited requests for this Community Support within 1 to 72 hours (audited)."""
        return service_response(
            request,
            payload_class=ClockInput,
            service=_set,
            output_class=ClockOutput,
            community_support=self._service(code),
        )

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, code=None):
        """The catalogue's clock applies again (audited)."""
        clock_services.service_clock_clear(plan=request.plan, actor=request.principal, service=self._service(code))
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [("community-supports/clocks", ServiceClockViewSet, "community-supports-clock")]
