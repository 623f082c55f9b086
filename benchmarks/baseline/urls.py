"""The baseline's two views: a page of members (keyset, 50 rows, optional CIN or name prefix, the
project's search semantics) and one member."""

from django.conf import settings
from django.db.models import Q
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from benchmarks.baseline.models import Member


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        exclude = ["plan_id"]


class Keyset(CursorPagination):
    page_size = 50
    ordering = "pk"


class Members:
    serializer_class = MemberSerializer

    def get_queryset(self):
        members = Member.objects.filter(plan_id=settings.BENCH_PLAN_ID)
        if cin := self.request.query_params.get("cin"):
            members = members.filter(cin=cin.strip().upper())
        for word in self.request.query_params.get("name", "").split():
            members = members.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
        return members


class MemberList(Members, generics.ListAPIView):
    pagination_class = Keyset


class MemberDetail(Members, generics.RetrieveAPIView):
    pass


urlpatterns = [
    path("members/", MemberList.as_view()),
    path("members/<int:pk>/", MemberDetail.as_view()),
]
