from django.urls import path

from community_supports import provider_views, views

urlpatterns = [
    path("community-supports/deliveries/", views.delivery_list, name="community-supports-deliveries"),
    path("community-supports/requests/<int:pk>/", views.request_deliveries, name="community-supports-request"),
    path("community-supports/members/<int:pk>/", views.member_community_supports, name="community-supports-member"),
    path("provider/community-supports/", provider_views.provider_placements, name="provider-community-supports"),
    path(
        "provider/community-supports/<int:pk>/",
        provider_views.provider_placement,
        name="provider-community-supports-placement",
    ),
]
