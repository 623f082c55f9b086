from django.urls import path

from providers import settings_views, views

urlpatterns = [
    path("providers/", views.directory, name="provider-directory"),
    path("providers/capacity/", views.capacity, name="provider-capacity"),
    path("providers/contracts/new/", views.contract_new, name="contract-new"),
    path("providers/assignments/", views.assignment_worklist, name="assignment-worklist"),
    path("providers/assignments/<int:pk>/communicated/", views.assignment_communicated, name="assignment-communicated"),
    path("providers/assignments/<int:pk>/pcp-notified/", views.assignment_pcp_notified, name="assignment-pcp-notified"),
    path("providers/<int:pk>/", views.profile, name="provider-profile"),
    path("providers/<int:pk>/vetting/", views.vetting_record, name="provider-vetting"),
    path("settings/assignment/", settings_views.assignment_settings_page, name="settings-assignment"),
]
