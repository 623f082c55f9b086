from django.urls import path

from encounters import views

urlpatterns = [
    path("encounters/", views.encounter_list, name="encounters"),
    path("encounters/<int:pk>/", views.encounter_detail, name="encounter"),
    path("encounters/invoices/upload/", views.invoice_upload, name="encounters-invoice-upload"),
    path("encounters/invoices/line/", views.invoice_line, name="encounters-invoice-line"),
]
