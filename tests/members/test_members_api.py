"""Members through the API and the pages: validation (DOMAIN 2), PHI reads, bounded queries."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from ecm_platform.audit.models import PhiAccess, PhiPurpose
from ecm_platform.tenancy.models import Role
from members.models import Member
from tests.factories import EnrollmentSpanFactory, EventFactory, MemberFactory, enrolled_member

VALID_NPI = "1234567893"


@pytest.fixture
def coordinator(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR)


@pytest.fixture
def api(coordinator, make_api_client):
    return make_api_client(coordinator)


def new_member(**overrides):
    return {
        "cin": "91234567a",
        "first_name": "Rosa",
        "last_name": "Flores",
        "birth_date": "1970-02-03",
        "county": "07",
        "pcp_npi": VALID_NPI,
        "enrolled_from": "2024-01-01",
    } | overrides


def test_create_stores_the_cin_upper_case_with_an_enrollment(api, plan_a):
    response = api.post("/api/v1/members/", new_member())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["cin"], body["county"], body["enrollments"][0]["start_date"]) == (
        "91234567A",
        "07",
        "2024-01-01",
    )


@pytest.mark.parametrize(
    ("overrides", "attr", "detail"),
    [
        (
            {"cin": "1234567A"},
            "cin",
            "A CIN is 8 digits followed by one letter, e.g. 91234567A.",
        ),  # DOMAIN 2
        ({"cin": "912345678"}, "cin", "A CIN is 8 digits followed by one letter, e.g. 91234567A."),
        (
            {"pcp_npi": "1234567890"},
            "pcp_npi",
            "1234567890 is not a valid NPI: its check digit does not match.",
        ),
        ({"pcp_npi": "12345"}, "pcp_npi", "An NPI is exactly 10 digits."),
        ({"county": "58"}, "county", "Alpha Health Plan does not serve Yuba."),
        ({"county": "99"}, "county", "Object with code=99 does not exist."),
    ],
)
def test_invalid_members_are_400_with_the_field(api, plan_a, overrides, attr, detail):
    response = api.post("/api/v1/members/", new_member(**overrides))
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert response.json()["errors"][0]["detail"] == detail
    with scopes_disabled():
        assert not Member.objects.exists()


def test_a_cin_is_unique_within_a_plan_not_across_plans(api, plan_a, plan_b):
    with scopes_disabled():
        MemberFactory(plan=plan_b, cin="91234567A", county_id=1)
    assert api.post("/api/v1/members/", new_member()).status_code == 201
    duplicate = api.post("/api/v1/members/", new_member())
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0] == {
        "code": "duplicate",
        "detail": "A member with CIN 91234567A exists already.",
        "attr": "cin",
    }


def test_update_and_enrollment_spans(api, plan_a):
    member_id = api.post("/api/v1/members/", new_member()).json()["id"]
    patched = api.patch(f"/api/v1/members/{member_id}/", {"phone": "(510) 555-0101"})
    assert patched.json()["phone"] == "(510) 555-0101"
    overlap = api.post(f"/api/v1/members/{member_id}/enrollment-spans/", {"start_date": "2025-01-01"})
    assert overlap.status_code == 400
    assert overlap.json()["errors"][0]["detail"] == "The span overlaps an existing enrollment span."


def test_reading_a_member_is_recorded_in_the_phi_log(api, plan_a, coordinator):
    with scopes_disabled():
        member = enrolled_member(plan_a, cin="91234567A")
    api.get(f"/api/v1/members/{member.pk}/")
    api.get(f"/api/v1/members/{member.pk}/eligibility/?as_of=2026-01-01")
    api.get("/api/v1/members/")
    with scopes_disabled():
        accesses = list(PhiAccess.objects.filter(plan=plan_a).order_by("id"))
    assert [(a.member_ids, a.member_labels, a.row_count) for a in accesses] == [
        ([member.pk], ["91234567A"], 1),
        ([member.pk], ["91234567A"], 1),
        ([member.pk], ["91234567A"], 1),  # the list it appears on
    ]
    assert {a.purpose for a in accesses} == {PhiPurpose.CARE_COORDINATION}
    assert accesses[0].user == coordinator.user


def test_an_api_list_records_each_member_it_shows(api, plan_a, coordinator):
    with scopes_disabled():
        older = enrolled_member(plan_a, cin="91234567A")
        newer = enrolled_member(plan_a, cin="92345678B")
        for claimant in (older, newer, newer):
            EventFactory(member=claimant)
    api.get("/api/v1/members/?page_size=1")  # only the page's member, not the plan's
    api.get("/api/v1/utilization-events/")  # rows with a member: each member once, newest row first
    api.get("/api/v1/members/?cin=99999999A")  # nobody: the read itself is still recorded
    with scopes_disabled():
        accesses = list(PhiAccess.objects.filter(plan=plan_a).order_by("id"))
    assert [(a.path, a.member_ids, a.member_labels, a.label, a.row_count) for a in accesses] == [
        ("/api/v1/members/?page_size=1", [older.pk], ["91234567A"], "", 1),
        ("/api/v1/utilization-events/", [newer.pk, older.pk], ["92345678B", "91234567A"], "", 2),  # one read
        ("/api/v1/members/?cin=99999999A", [], [], "list", 0),
    ]
    assert {(a.user, a.purpose) for a in accesses} == {(coordinator.user, PhiPurpose.CARE_COORDINATION)}


def test_a_list_page_records_each_member_it_shows(client, plan_a, coordinator):
    with scopes_disabled():
        rosa = enrolled_member(plan_a, cin="91234567A", first_name="Rosa", last_name="Flores")
        ana = enrolled_member(plan_a, cin="92345678B", first_name="Ana", last_name="Flores")
        enrolled_member(plan_a, cin="93456789C", first_name="Other", last_name="Person")
    client.force_login(coordinator.user)
    assert client.get("/members/?name=flores").status_code == 200
    assert client.get("/members/?name=nobody").status_code == 200
    with scopes_disabled():
        accesses = list(PhiAccess.objects.filter(plan=plan_a).order_by("id"))
    assert [(a.path, a.member_ids, a.member_labels, a.label, a.row_count) for a in accesses] == [
        ("/members/?name=flores", [ana.pk, rosa.pk], ["92345678B", "91234567A"], "", 2),  # as the page shows them
        ("/members/?name=nobody", [], [], "list", 0),
    ]
    assert {(a.user, a.purpose) for a in accesses} == {(coordinator.user, PhiPurpose.CARE_COORDINATION)}


def test_member_search_filters(api, plan_a):
    with scopes_disabled():
        enrolled_member(
            plan_a,
            cin="91234567A",
            first_name="Rosa",
            last_name="Flores",
            birth_date=date(1970, 2, 3),
        )
        enrolled_member(plan_a, cin="92222222B", first_name="Ana", last_name="Flores")

    def names(query):
        return [m["first_name"] for m in api.get(f"/api/v1/members/?{query}").json()["results"]]

    assert names("cin=91234567a") == ["Rosa"]
    assert sorted(names("name=flo")) == ["Ana", "Rosa"]
    assert names("name=ro+flo") == ["Rosa"]
    assert names("birth_date=1970-02-03") == ["Rosa"]


def test_member_lists_and_pages_run_a_bounded_number_of_queries(
    client, api, plan_a, coordinator, django_assert_max_num_queries
):
    with scopes_disabled():
        for _ in range(40):
            EnrollmentSpanFactory(member=MemberFactory(plan=plan_a, last_name="Bulk"))
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/v1/members/?page_size=40").json()["results"]) == 40
    client.force_login(coordinator.user)
    with django_assert_max_num_queries(16):
        page = client.get("/members/?name=Bulk")
    assert page.content.count(b"/members/") >= 40


def test_reference_data_is_readable(api):
    programs = {
        p["code"]: p["rules"][0]["treatment"] for p in api.get("/api/v1/programs/?page_size=100").json()["results"]
    }
    assert (
        programs["pace"] == "excluded"
        and programs["mssp"] == "either_or"
        and programs["ccs"] == "wrap_pending_guidance"
    )
    pofs = api.get("/api/v1/pofs/?page_size=100").json()["results"]
    assert len(pofs) == 12
    high = next(p for p in pofs if p["code"] == "HIGH_UTILIZER")
    assert (high["live_in_wpc_hhp_counties"], high["live_in_other_counties"]) == (
        "2022-01-01",
        "2022-07-01",
    )


def test_a_detail_names_its_member_by_id_whatever_list_filters_it_is_sent(api, plan_a, plan_b):
    """Issue 15: a detail builds no FilterSet (ecm_platform/api/views.py, PhiReadMixin); the member
    is still looked up among the plan's members only."""
    with scopes_disabled():
        member, other = MemberFactory(plan=plan_a), MemberFactory(plan=plan_b)
    response = api.get(f"/api/v1/members/{member.pk}/?cin=00000000Z&name=nobody")
    assert response.status_code == 200
    assert response.json()["id"] == member.pk
    assert api.get(f"/api/v1/members/{other.pk}/?cin={other.cin}").status_code == 404
