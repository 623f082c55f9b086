from django.urls import path

from benefits import catalogue_views, clock_views, election_urls

urlpatterns = [
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/", catalogue_views.catalogue_service, name="catalogue-service"),
    *election_urls.urlpatterns,
    path("settings/community-supports/clocks/", clock_views.service_clocks, name="settings-service-clocks"),
    path(
        "settings/community-supports/clocks/<slug:code>/clear/",
        clock_views.service_clock_clear,
        name="settings-service-clock-clear",
    ),
]
