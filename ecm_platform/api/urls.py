"""/api/v1/: the routes every app declares in its `api.py` (`ROUTES` for viewsets, `PATHS` for
plain views), collected from the installed apps the way the admin collects `admin.py`, so the
core never imports a domain app."""

from importlib import import_module
from importlib.util import find_spec

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

# Swagger UI sets inline styles (never inline scripts: the split view serves its script as a file).
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[], authentication_classes=[])
)


def app_api_modules():
    for app in settings.LOCAL_APPS:
        if find_spec(f"{app}.api") is not None:
            yield import_module(f"{app}.api")


router = SimpleRouter()
app_paths = []
for module in app_api_modules():
    for prefix, viewset, basename in getattr(module, "ROUTES", []):
        router.register(prefix, viewset, basename=basename)
    app_paths.extend(getattr(module, "PATHS", []))

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]),
        name="schema",
    ),
    path("docs/", api_docs, name="docs"),
    *app_paths,
    *router.urls,
]
