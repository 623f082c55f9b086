"""The real routes plus one page and one API route nobody covered: the harness must notice."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.urls import urlpatterns as real_urlpatterns


class ExtraView(PlanAPIView):
    allowed_roles = frozenset({"reviewer"})

    def get(self, request):
        return Response({})


urlpatterns = [
    *real_urlpatterns,
    path("extra-page/", lambda request: HttpResponse("extra"), name="extra-page"),
    path("api/v1/extra/", ExtraView.as_view(), name="extra-api"),
]
