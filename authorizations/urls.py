from django.urls import path

from authorizations import appeal_views, provider_views, settings_views, transition_views, views, worklist_views

urlpatterns = [
    path("authorizations/", views.worklist, name="authorization-worklist"),
    path("authorizations/new/", views.request_new, name="authorization-new"),
    path("authorizations/start/<int:member_id>/", views.request_start, name="authorization-start"),
    path("authorizations/members/<int:member_id>/", views.member_authorizations, name="member-authorizations"),
    path("authorizations/reassessments/", worklist_views.reassessment_worklist, name="reassessment-worklist"),
    path(
        "authorizations/awaiting-provider/",
        worklist_views.awaiting_provider_worklist,
        name="awaiting-provider-worklist",
    ),
    path("authorizations/transition-list/", transition_views.transition_upload, name="transition-upload"),
    path("authorizations/<int:pk>/", views.request_detail, name="authorization-detail"),
    path("authorizations/<int:pk>/attachments/", views.attachment_add, name="authorization-attachment-add"),
    path("authorizations/<int:pk>/<slug:action>/", views.request_action, name="authorization-action"),
    path("authorizations/attachments/<int:pk>/", views.attachment_download, name="authorization-attachment"),
    path("authorizations/notices/<int:pk>/", views.notice_preview, name="notice-preview"),
    path("authorizations/notices/<int:pk>/pdf/", views.notice_pdf, name="notice-pdf"),
    path("appeals/", appeal_views.appeal_list, name="appeal-list"),
    path("appeals/new/", appeal_views.appeal_new, name="appeal-new"),
    path("appeals/<int:pk>/", appeal_views.appeal_detail, name="appeal-detail"),
    path("appeals/<int:pk>/acknowledge/", appeal_views.appeal_acknowledge, name="appeal-acknowledge"),
    path("appeals/<int:pk>/resolve/", appeal_views.appeal_resolve, name="appeal-resolve"),
    path("grievances/", appeal_views.grievance_list, name="grievance-list"),
    path("grievances/new/", appeal_views.grievance_new, name="grievance-new"),
    path("grievances/<int:pk>/", appeal_views.grievance_detail, name="grievance-detail"),
    path("grievances/<int:pk>/acknowledge/", appeal_views.grievance_acknowledge, name="grievance-acknowledge"),
    path("grievances/<int:pk>/resolve/", appeal_views.grievance_resolve, name="grievance-resolve"),
    path("settings/letters/", settings_views.letter_contact, name="settings-letters"),
    path("settings/authorizations/", settings_views.authorization_settings_page, name="settings-authorizations"),
    path("provider/authorizations/", provider_views.provider_authorizations, name="provider-authorizations"),
]
