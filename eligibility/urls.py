from django.urls import path

from eligibility import settings_views, views

urlpatterns = [
    path("members/", views.member_search, name="member-search"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/determinations/new/", views.determination_new, name="determination-new"),
    path("eligibility/worklist/", views.worklist, name="eligibility-worklist"),
    path("eligibility/claims/upload/", views.claims_upload, name="claims-upload"),
    path("eligibility/scans/", views.scan_list, name="scan-list"),
    path("eligibility/scans/start/", views.scan_start, name="scan-start"),
    path("settings/pof-starts/", settings_views.pof_starts, name="settings-pof-starts"),
]
