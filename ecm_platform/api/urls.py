"""/api/v1/: every app registers its routes here."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from ecm_platform.calendars.api import HolidayViewSet
from ecm_platform.notifications.api import NotificationViewSet
from ecm_platform.tenancy.api import ApiKeyViewSet, CountyViewSet, MembershipViewSet, MeView

# Swagger UI sets inline styles (never inline scripts: the split view serves its script as a file).
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", permission_classes=[], authentication_classes=[]
    )
)

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="county")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("holidays", HolidayViewSet, basename="holiday")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]),
        name="schema",
    ),
    path("docs/", api_docs, name="docs"),
    *router.urls,
]
