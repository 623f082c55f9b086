import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from ecm_platform.api.filters import YearFilter
from ecm_platform.api.views import PlanViewSet
from ecm_platform.calendars import selectors, services
from ecm_platform.calendars.models import Holiday
from ecm_platform.tenancy.access import Capability


class HolidayOutput(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name"]


class HolidayCreateInput(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100)


class HolidayFilter(django_filters.FilterSet):
    # Declared explicitly: Meta.fields on a scoped model would query at import time.
    year = YearFilter(field_name="date", lookup_expr="year")


# services.holiday_create refuses a second closure on the same day.
@extend_validation_errors(["duplicate"], field_name="date", actions=["create"])
class HolidayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, PlanViewSet):
    """The plan's office closures: no working-day deadline counts them (DOMAIN 5.1).

    Everyone in the plan reads them; plan administrators add and remove days.
    """

    queryset = Holiday.objects.none()
    serializer_class = HolidayOutput
    filterset_class = HolidayFilter
    capability = Capability.REFERENCE_READ
    action_capabilities = {"create": Capability.PLAN_SETTINGS_MANAGE, "destroy": Capability.PLAN_SETTINGS_MANAGE}
    ordering = "date"

    def get_queryset(self):
        return selectors.holiday_list(plan=self.request.plan)

    @extend_schema(request=HolidayCreateInput, responses={201: HolidayOutput})
    def create(self, request):
        payload = HolidayCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        holiday = services.holiday_create(
            plan=request.plan,
            day=payload.validated_data["date"],
            name=payload.validated_data["name"],
            actor=request.principal,
        )
        return Response(HolidayOutput(holiday).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.holiday_delete(plan=self.request.plan, holiday=instance, actor=self.request.principal)


ROUTES = [("holidays", HolidayViewSet, "holiday")]
