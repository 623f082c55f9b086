from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ecm_platform.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("plan/switch/", tenancy_views.plan_switch, name="plan-switch"),
    path("healthz/", tenancy_views.healthz, name="healthz"),
    path("api/v1/", include(("ecm_platform.api.urls", "api"))),
    path("admin/", admin.site.urls),
]
