"""The member API's output (issue 15): MemberOutput renders rows by a plain dict build and the
viewset reads only the columns it shows, so the JSON must stay the ModelSerializer's, field for
field and in the same order, on the same rows."""

import json
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from ecm_platform.tenancy.models import Role
from members.api import EnrollmentSpanSerializer
from members.models import Member
from tests.factories import EnrollmentSpanFactory, MemberFactory


class ReferenceMemberOutput(serializers.ModelSerializer):
    """The member output as DRF's ModelSerializer renders it: the contract the API keeps."""

    county = serializers.CharField(source="county.code")
    enrollments = EnrollmentSpanSerializer(many=True)

    class Meta:
        model = Member
        fields = [
            "id", "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language",
            "address_line", "city", "zip_code", "phone", "email", "county", "medicare_model",
            "pcp_npi", "behavioral_health_npi", "enrollments", "created_at", "updated_at",
        ]  # fmt: skip


def rendered(data) -> str:
    """The JSON text, keys in their order, as the API's renderer writes it."""
    return json.dumps(json.loads(JSONRenderer().render(data)))


@pytest.fixture
def members(plan_a):
    """Members with no span, an open span, and ended and open spans; blank and filled optional
    fields; a timestamp on a UTC midnight (the day differs in the plan's time zone)."""
    with scopes_disabled():
        bare = MemberFactory(plan=plan_a, email="", phone="", pcp_npi="", address_line="")
        one = MemberFactory(plan=plan_a, email="a@example.org", pcp_npi="1234567893", behavioral_health_npi="")
        EnrollmentSpanFactory(member=one, start_date=date(2024, 3, 1))
        two = MemberFactory(plan=plan_a, sex="F", preferred_language="es", medicare_model="medicare_ffs")
        EnrollmentSpanFactory(member=two, start_date=date(2021, 1, 1), end_date=date(2021, 12, 31))
        EnrollmentSpanFactory(member=two, start_date=date(2019, 5, 1), end_date=date(2020, 6, 30))
        EnrollmentSpanFactory(member=two, start_date=date(2023, 1, 1))
        Member.objects.filter(pk=two.pk).update(created_at=datetime(2025, 1, 1, tzinfo=UTC))
    return [bare, one, two]


def reference(plan, pks) -> list[dict]:
    with scopes_disabled():
        rows = Member.objects.filter(plan=plan, pk__in=pks).select_related("county").prefetch_related("enrollments")
        return ReferenceMemberOutput(rows.order_by("pk"), many=True).data


def test_list_and_detail_render_as_the_model_serializer_does(plan_a, members, make_membership, make_api_client):
    api = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    pks = [member.pk for member in members]
    expected = reference(plan_a, pks)
    assert [span["end_date"] for span in expected[2]["enrollments"]] == ["2020-06-30", "2021-12-31", None]

    listed = [row for row in api.get("/api/v1/members/?page_size=100").json()["results"] if row["id"] in pks]
    assert rendered(listed) == rendered(expected)
    for pk, row in zip(pks, expected, strict=True):
        assert rendered(api.get(f"/api/v1/members/{pk}/").json()) == rendered(row)


def test_timestamps_follow_the_current_time_zone_as_drf_does(plan_a, members, make_membership, make_api_client):
    api = make_api_client(make_membership(plan_a, Role.CARE_COORDINATOR))
    pk = members[2].pk
    with timezone.override("UTC"):
        expected = reference(plan_a, [pk])[0]
        body = api.get(f"/api/v1/members/{pk}/").json()
    assert body["created_at"] == expected["created_at"] == "2025-01-01T00:00:00Z"
    assert rendered(body) == rendered(expected)
