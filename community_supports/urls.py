from django.urls import path

from community_supports import provider_views, referral_provider_views, referral_views, views

urlpatterns = [
    path("community-supports/deliveries/", views.delivery_list, name="community-supports-deliveries"),
    path("community-supports/requests/<int:pk>/", views.request_deliveries, name="community-supports-request"),
    path("community-supports/members/<int:pk>/", views.member_community_supports, name="community-supports-member"),
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/<int:pk>/", referral_views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/<slug:step>/", referral_views.referral_step, name="referral-step"),
    path("settings/referrals/", referral_views.referral_settings, name="settings-referrals"),
    path("provider/referrals/", referral_provider_views.provider_referral_list, name="provider-referrals"),
    path(
        "provider/referrals/<int:pk>/",
        referral_provider_views.provider_referral_detail,
        name="provider-referral-detail",
    ),
    path(
        "provider/referrals/<int:pk>/<slug:step>/",
        referral_provider_views.provider_referral_step,
        name="provider-referral-step",
    ),
    path("provider/community-supports/", provider_views.provider_placements, name="provider-community-supports"),
    path(
        "provider/community-supports/<int:pk>/",
        provider_views.provider_placement,
        name="provider-community-supports-placement",
    ),
]
