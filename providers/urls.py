from django.urls import path

from providers import assignment_views, settings_views, views

urlpatterns = [
    path("providers/", views.directory, name="provider-directory"),
    path("providers/capacity/", views.capacity, name="provider-capacity"),
    path("providers/contracts/new/", views.contract_new, name="contract-new"),
    path("providers/contracts/<int:pk>/activate/", views.contract_activate, name="contract-activate"),
    path("providers/contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("providers/contracts/<int:pk>/end/", views.contract_end, name="contract-end"),
    path("providers/assignments/", assignment_views.assignment_worklist, name="assignment-worklist"),
    path("providers/assignments/<int:pk>/", assignment_views.assignment_detail, name="assignment-detail"),
    path(
        "providers/assignments/<int:pk>/lead-care-manager/",
        assignment_views.assignment_lead_care_manager,
        name="assignment-lead-care-manager",
    ),
    path("providers/assignments/<int:pk>/override/", assignment_views.assignment_override, name="assignment-override"),
    path("providers/assignments/<int:pk>/change/", assignment_views.change_request_new, name="change-request-new"),
    path(
        "providers/assignments/<int:pk>/communicated/",
        assignment_views.assignment_communicated,
        name="assignment-communicated",
    ),
    path(
        "providers/assignments/<int:pk>/pcp-notified/",
        assignment_views.assignment_pcp_notified,
        name="assignment-pcp-notified",
    ),
    path("providers/awaiting/", assignment_views.awaiting_list, name="awaiting-list"),
    path("providers/awaiting/<int:pk>/assign/", assignment_views.awaiting_assign, name="awaiting-assign"),
    path("providers/changes/", assignment_views.change_request_list, name="change-request-list"),
    path(
        "providers/changes/<int:pk>/implement/",
        assignment_views.change_request_implement,
        name="change-request-implement",
    ),
    path("providers/<int:pk>/", views.profile, name="provider-profile"),
    path("providers/<int:pk>/vetting/", views.vetting_record, name="provider-vetting"),
    path("providers/<int:pk>/care-managers/new/", views.care_manager_new, name="care-manager-new"),
    path("settings/assignment/", settings_views.assignment_settings_page, name="settings-assignment"),
]
