from django.urls import path

from reporting import views

urlpatterns = [path("reporting/referrals-encounters/", views.loop_measures_page, name="loop-measures")]
