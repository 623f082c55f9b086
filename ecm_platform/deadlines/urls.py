from django.urls import path

from ecm_platform.deadlines import views

urlpatterns = [path("", views.deadline_list, name="deadline-list")]
