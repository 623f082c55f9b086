from django.urls import path

from ecm_platform.jobs import views

urlpatterns = [path("<int:pk>/", views.import_job_detail, name="import-job")]
