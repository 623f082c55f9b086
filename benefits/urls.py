from django.urls import path

from benefits import catalogue_views

urlpatterns = [
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/", catalogue_views.catalogue_service, name="catalogue-service"),
]
