"""API keys: bound to one membership, shown once, stored hashed, expiring, revocable."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan, PlanApiKey, Role


def key_client(raw_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def test_me_returns_the_keys_user_plan_and_role(plan_a, make_membership, make_api_client):
    membership = make_membership(plan_a, Role.INTEGRATOR)
    response = make_api_client(membership).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == membership.user.username
    assert body["plan"]["code"] == "plan-a"
    assert [c["name"] for c in body["plan"]["counties"]] == ["Alameda", "Contra Costa"]
    assert body["role"] == "integrator"
    assert body["authenticated_by"] == "api_key"


def test_an_admin_issues_a_key_that_is_shown_once_and_stored_hashed(plan_a, admin_a, make_membership, make_api_client):
    integrator = make_membership(plan_a, Role.INTEGRATOR)
    admin = make_api_client(admin_a)
    response = admin.post("/api/v1/api-keys/", {"membership": integrator.pk, "name": "claims feed"})
    assert response.status_code == 201, response.json()
    raw_key = response.json()["key"]
    prefix = response.json()["prefix"]
    assert raw_key.startswith(prefix + ".")
    with scopes_disabled():
        stored = PlanApiKey.objects.get(prefix=prefix)
    assert raw_key.split(".", 1)[1] not in stored.hashed_key
    assert stored.is_valid(raw_key)
    # Never shown again.
    assert "key" not in admin.get(f"/api/v1/api-keys/{prefix}/").json()
    assert key_client(raw_key).get("/api/v1/me/").json()["role"] == "integrator"


def test_a_revoked_key_is_refused(plan_a, admin_a, make_membership, make_api_client):
    integrator = make_membership(plan_a, Role.INTEGRATOR)
    response = make_api_client(admin_a).post("/api/v1/api-keys/", {"membership": integrator.pk, "name": "x"})
    raw_key, prefix = response.json()["key"], response.json()["prefix"]
    revoked = make_api_client(admin_a).post(f"/api/v1/api-keys/{prefix}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["revoked"] is True
    refused = key_client(raw_key).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == "authentication_failed"


def test_an_expired_key_is_refused(plan_a, make_membership, make_api_client):
    membership = make_membership(plan_a, Role.INTEGRATOR)
    client = make_api_client(membership)
    with scopes_disabled():
        PlanApiKey.objects.filter(membership=membership).update(expiry_date=clocks.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("deactivated", ["membership", "user"])
def test_a_key_of_a_deactivated_membership_or_user_is_refused(plan_a, make_membership, make_api_client, deactivated):
    membership = make_membership(plan_a, Role.INTEGRATOR)
    client = make_api_client(membership)
    assert client.get("/api/v1/me/").status_code == 200
    with scopes_disabled():
        holder = membership if deactivated == "membership" else membership.user
        holder.is_active = False
        holder.save(update_fields=["is_active"])
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == "authentication_failed"
    with scopes_disabled():
        holder.is_active = True
        holder.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 200  # the same key: it was the deactivation


def test_a_key_in_use_stops_working_at_once_when_revoked_or_expired(plan_a, make_membership, make_api_client):
    """Issue 15: the lookup reads the key's row on every request; nothing in the process remembers
    a key that worked."""
    membership = make_membership(plan_a, Role.INTEGRATOR)
    client = make_api_client(membership)
    assert client.get("/api/v1/me/").status_code == 200
    with scopes_disabled():
        PlanApiKey.objects.filter(membership=membership).update(revoked=True)
    assert client.get("/api/v1/me/").status_code == 401
    expiring = make_api_client(membership)
    assert expiring.get("/api/v1/me/").status_code == 200
    with scopes_disabled():
        PlanApiKey.objects.filter(membership=membership).update(expiry_date=clocks.now() - timedelta(seconds=1))
    assert expiring.get("/api/v1/me/").status_code == 401


def test_a_key_of_a_deactivated_plan_or_of_another_plan_than_its_membership_is_refused(
    plan_a, plan_b, make_membership, make_api_client
):
    membership = make_membership(plan_a, Role.INTEGRATOR)
    client = make_api_client(membership)
    with scopes_disabled():
        HealthPlan.objects.filter(pk=plan_a.pk).update(is_active=False)
    assert client.get("/api/v1/me/").status_code == 401
    with scopes_disabled():
        HealthPlan.objects.filter(pk=plan_a.pk).update(is_active=True)
    assert client.get("/api/v1/me/").status_code == 200
    with scopes_disabled():
        PlanApiKey.objects.filter(membership=membership).update(plan=plan_b)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 401), ("Api-Key ", 401), ("Api-Key nothing.here", 401), ("Bearer abc", 401)],
)
def test_missing_or_malformed_credentials_are_401_with_the_error_shape(db, header, status):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me/")
    assert response.status_code == status
    assert response.json()["type"] == "client_error"
    assert response["WWW-Authenticate"] == "Api-Key"


def test_expiry_must_be_in_the_future_and_within_two_years(plan_a, admin_a, make_membership, make_api_client):
    integrator = make_membership(plan_a, Role.INTEGRATOR)
    client = make_api_client(admin_a)
    past = client.post(
        "/api/v1/api-keys/",
        {"membership": integrator.pk, "name": "x", "expires_at": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 400
    assert past.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "The expiry must be in the future.", "attr": "expires_at"}],
    }
    far = client.post(
        "/api/v1/api-keys/",
        {"membership": integrator.pk, "name": "x", "expires_at": "2099-01-01T00:00:00Z"},
    )
    assert far.status_code == 400
    assert far.json()["errors"][0]["attr"] == "expires_at"


def test_bootstrap_commands_issue_and_revoke(plan_a, make_membership, capsys):
    call_command("user_create", "--plan", "plan-a", "--username", "feed", "--role", "integrator")
    capsys.readouterr()
    call_command("apikey_issue", "--plan", "plan-a", "--username", "feed", "--name", "feed")
    raw_key = capsys.readouterr().out.strip()
    assert key_client(raw_key).get("/api/v1/me/").json()["user"]["username"] == "feed"
    call_command("apikey_revoke", "--plan", "plan-a", "--prefix", raw_key.split(".")[0])
    assert key_client(raw_key).get("/api/v1/me/").status_code == 401


def test_user_create_refuses_a_weak_password_and_a_second_role_in_one_plan(plan_a):
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "user_create",
            "--plan",
            "plan-a",
            "--username",
            "w",
            "--role",
            "reviewer",
            "--password",
            "short",
        )
    call_command("user_create", "--plan", "plan-a", "--username", "r", "--role", "reviewer")
    with pytest.raises(CommandError, match="one role per plan"):
        call_command("user_create", "--plan", "plan-a", "--username", "r", "--role", "integrator")


def test_plan_create_command_validates_counties(db):
    contact = ["--phone", "1-800-555-0100", "--appeals-address", r"PO Box 100\nSacramento, CA 95814"]
    with pytest.raises(CommandError, match="Unknown county codes: 99"):
        call_command("plan_create", "--code", "x", "--name", "X", "--counties", "01,99", *contact)
    call_command("plan_create", "--code", "x", "--name", "X", "--counties", "1,58", *contact)
    with scopes_disabled():
        assert HealthPlan.objects.get(code="x").appeals_address == "PO Box 100\nSacramento, CA 95814"
    with pytest.raises(CommandError, match="exists already"):
        call_command("plan_create", "--code", "x", "--name", "X", *contact)
    with pytest.raises(CommandError, match="--phone"):
        call_command("plan_create", "--code", "y", "--name", "Y", "--appeals-address", "PO Box 1\nFresno, CA 93721")
