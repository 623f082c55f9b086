from django.urls import path

from benefits import catalogue_views, election_urls

urlpatterns = [
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/", catalogue_views.catalogue_service, name="catalogue-service"),
    *election_urls.urlpatterns,
]
