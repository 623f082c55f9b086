from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform.api.views import PlanViewSet
from ecm_platform.notifications import selectors, services
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import Capability


class NotificationOutput(serializers.ModelSerializer):
    is_read = serializers.BooleanField()

    class Meta:
        model = Notification
        fields = ["id", "text", "link", "created_at", "read_at", "is_read"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """The caller's own notifications in this plan."""

    queryset = Notification.objects.none()
    serializer_class = NotificationOutput
    capability = Capability.NOTIFICATIONS_READ
    ordering = "-id"

    def get_queryset(self):
        return selectors.notification_list(plan=self.request.plan, recipient=self.request.user)

    @extend_schema(request=None, responses=NotificationOutput)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(plan=request.plan, notification=self.get_object())
        return Response(NotificationOutput(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAllOutput", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.notifications_mark_all_read(plan_ids=[request.plan.pk], recipient=request.user)
        return Response({"marked": marked})


ROUTES = [("notifications", NotificationViewSet, "notification")]
