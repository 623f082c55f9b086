"""The election pages (DOMAIN 9); benefits/urls.py includes `urlpatterns`."""

from django.urls import path

from benefits import election_views

urlpatterns = [
    path("settings/community-supports/", election_views.elections, name="settings-community-supports"),
    path(
        "settings/community-supports/<int:pk>/remove/",
        election_views.election_remove,
        name="settings-community-supports-remove",
    ),
    path(
        "settings/community-supports/<int:pk>/cancel/",
        election_views.election_cancel,
        name="settings-community-supports-cancel",
    ),
    path("community-supports/offered/", election_views.offered, name="community-supports-offered"),
    path(
        "provider/community-supports/offered/",
        election_views.provider_offered,
        name="provider-community-supports-offered",
    ),
]
