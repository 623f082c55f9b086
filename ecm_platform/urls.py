from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ecm_platform.audit import views as audit_views
from ecm_platform.calendars import views as calendar_views
from ecm_platform.notifications import views as notification_views
from ecm_platform.tenancy import settings_views
from ecm_platform.tenancy import views as tenancy_views


def app_page_urls():
    """Each domain app's `urls.py`, collected like the API routes (the core imports no domain app)."""
    for app in settings.LOCAL_APPS:
        if not app.startswith("ecm_platform.") and find_spec(f"{app}.urls") is not None:
            yield path("", include(f"{app}.urls"))


urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("login/", tenancy_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("plan/switch/", tenancy_views.plan_switch, name="plan-switch"),
    path("session/status/", tenancy_views.session_status, name="session-status"),
    path("session/keepalive/", tenancy_views.session_keepalive, name="session-keepalive"),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notification-read-all",
    ),
    path(
        "notifications/<int:pk>/open/",
        notification_views.notification_open,
        name="notification-open",
    ),
    path("deadlines/", include("ecm_platform.deadlines.urls")),
    path("jobs/", include("ecm_platform.jobs.urls")),
    path("audit/events/", audit_views.audit_events, name="audit-events"),
    path("audit/phi-access/", audit_views.phi_accesses, name="audit-phi-access"),
    path("settings/", settings_views.settings_index, name="settings-index"),
    path("settings/holidays/", calendar_views.holiday_calendar, name="settings-holidays"),
    path("settings/holidays/<int:pk>/remove/", calendar_views.holiday_remove, name="settings-holiday-remove"),
    path("healthz/", tenancy_views.healthz, name="healthz"),
    path("api/v1/", include(("ecm_platform.api.urls", "api"))),
    path("admin/", admin.site.urls),
    *app_page_urls(),
]

handler404 = "ecm_platform.api.errors.not_found"
