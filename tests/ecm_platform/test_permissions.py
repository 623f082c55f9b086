"""Who may call what: roles x endpoints (DOMAIN 1 roles); denied writes change nothing."""

import pytest
from django_scopes import scopes_disabled

from ecm_platform.calendars.models import Holiday
from ecm_platform.tenancy.models import PlanApiKey, Role

ADMIN_ONLY_READS = ["/api/v1/memberships/", "/api/v1/api-keys/"]
EVERYONE_READS = ["/api/v1/me/", "/api/v1/counties/", "/api/v1/holidays/"]


@pytest.mark.parametrize("role", Role.values)
def test_role_matrix(role, plan_a, make_membership, make_api_client):
    membership = make_membership(plan_a, role)
    client = make_api_client(membership)
    is_admin = role == Role.PLAN_ADMINISTRATOR
    for path in EVERYONE_READS:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_ONLY_READS:
        assert client.get(path).status_code == (200 if is_admin else 403), path

    with scopes_disabled():
        holidays_before = Holiday.objects.filter(plan=plan_a).count()
        keys_before = PlanApiKey.objects.filter(plan=plan_a).count()
        holiday = Holiday.objects.filter(plan=plan_a).first()
    created = client.post("/api/v1/holidays/", {"date": "2026-12-24", "name": "Christmas Eve"})
    assert created.status_code == (201 if is_admin else 403)
    issued = client.post("/api/v1/api-keys/", {"membership": membership.pk, "name": "x"})
    assert issued.status_code == (201 if is_admin else 403)
    deleted = client.delete(f"/api/v1/holidays/{holiday.pk}/")
    assert deleted.status_code == (204 if is_admin else 403)
    if not is_admin:
        assert created.json()["errors"][0]["code"] == "permission_denied"
        with scopes_disabled():
            assert Holiday.objects.filter(plan=plan_a).count() == holidays_before
            assert PlanApiKey.objects.filter(plan=plan_a).count() == keys_before


def test_a_signed_in_user_without_a_plan_gets_403(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="a long enough password")
    client.force_login(user)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403


def test_holiday_validation_errors_name_the_field(plan_a, admin_a, make_api_client):
    client = make_api_client(admin_a)
    response = client.post("/api/v1/holidays/", {"date": "not a date", "name": ""})
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"date", "name"}
    duplicate = client.post("/api/v1/holidays/", {"date": "2026-12-25", "name": "Christmas again"})
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0] == {
        "code": "duplicate",
        "detail": "2026-12-25 is already a closure day.",
        "attr": "date",
    }


@pytest.mark.parametrize(
    "path",
    ["/api/v1/holidays/?year=0", "/api/v1/holidays/?year=100000", "/api/v1/determinations/?member=1.5",
     "/api/v1/utilization-events/?member=99999999999999999999999", "/api/v1/assignments/?organization=-3"],
)  # fmt: skip
def test_bad_filter_values_are_400_not_500(plan_a, admin_a, make_api_client, path):
    response = make_api_client(admin_a).get(path)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


def test_an_administrator_cannot_mint_a_key_that_acts_as_a_colleague(plan_a, admin_a, make_membership, make_api_client):
    reviewer = make_membership(plan_a, Role.REVIEWER)
    response = make_api_client(admin_a).post("/api/v1/api-keys/", {"membership": reviewer.pk, "name": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "Issue keys for integrator memberships or for yourself."
