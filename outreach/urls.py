from django.urls import path

from outreach import measure_views, provider_views, views

urlpatterns = [
    path("outreach/", views.worklist, name="outreach-worklist"),
    path("outreach/attempts/verdict/", views.attempt_verdict, name="outreach-verdict"),
    path("outreach/engagements/<int:pk>/", views.engagement_detail, name="outreach-engagement"),
    path("outreach/engagements/<int:pk>/attempts/", views.engagement_attempt, name="outreach-attempt"),
    path("outreach/engagements/<int:pk>/referral/", views.engagement_referral, name="outreach-referral"),
    path("outreach/engagements/<int:pk>/<slug:action>/", views.engagement_close, name="outreach-close"),
    path("outreach/measures/", measure_views.measure_runs, name="outreach-measures"),
    path("outreach/measures/<int:pk>/", measure_views.measure_run_detail, name="outreach-measure"),
    path(
        "outreach/measures/<int:pk>/download.csv", measure_views.measure_run_download_csv, name="outreach-measure-csv"
    ),
    path(
        "outreach/measures/<int:pk>/download.xlsx",
        measure_views.measure_run_download_xlsx,
        name="outreach-measure-xlsx",
    ),
    path("members/<int:member_id>/outreach/", views.member_outreach, name="outreach-member"),
    path("settings/outreach/", views.outreach_settings, name="settings-outreach"),
    path("provider/outreach/", provider_views.provider_worklist, name="provider-outreach-worklist"),
    path("provider/outreach/<int:pk>/", provider_views.provider_engagement, name="provider-outreach-engagement"),
    path("provider/outreach/<int:pk>/attempts/", provider_views.provider_attempt, name="provider-outreach-attempt"),
    path("provider/outreach/<int:pk>/<slug:action>/", provider_views.provider_close, name="provider-outreach-close"),
]
