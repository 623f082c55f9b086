from django.urls import path

from authorizations import settings_views, views

urlpatterns = [
    path("authorizations/", views.worklist, name="authorization-worklist"),
    path("authorizations/new/", views.request_new, name="authorization-new"),
    path("authorizations/start/<int:member_id>/", views.request_start, name="authorization-start"),
    path("authorizations/members/<int:member_id>/", views.member_authorizations, name="member-authorizations"),
    path("authorizations/reassessments/", views.reassessment_worklist, name="reassessment-worklist"),
    path("authorizations/<int:pk>/", views.request_detail, name="authorization-detail"),
    path("authorizations/<int:pk>/attachments/", views.attachment_add, name="authorization-attachment-add"),
    path("authorizations/<int:pk>/<slug:action>/", views.request_action, name="authorization-action"),
    path("authorizations/attachments/<int:pk>/", views.attachment_download, name="authorization-attachment"),
    path("authorizations/notices/<int:pk>/", views.notice_preview, name="notice-preview"),
    path("authorizations/notices/<int:pk>/pdf/", views.notice_pdf, name="notice-pdf"),
    path("settings/letters/", settings_views.letter_contact, name="settings-letters"),
    path("settings/authorizations/", settings_views.authorization_settings_page, name="settings-authorizations"),
]
