from django.urls import path

from exchange import views

urlpatterns = [path("settings/column-maps/<slug:kind>/", views.column_map, name="settings-column-map")]
