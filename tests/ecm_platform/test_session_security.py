"""Session security (HIPAA 164.312, NIST SP 800-63B): logoff, lockout, passwords, headers."""

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.factories import TEST_PASSWORD


@pytest.fixture
def member(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR)


def sign_in(client, user, password=TEST_PASSWORD, **extra):
    return client.post("/login/", {"username": user.username, "password": password}, **extra)


def test_idle_for_the_timeout_signs_out_and_says_why(client, member):
    start = clocks.now()
    with clocks.frozen(start):
        sign_in(client, member.user)
    with clocks.frozen(start + timedelta(minutes=14, seconds=59)):
        assert client.get("/").status_code == 200
    with clocks.frozen(start + timedelta(minutes=29, seconds=58)):
        assert client.get("/").status_code == 200  # the previous request was activity
    with clocks.frozen(start + timedelta(minutes=45)):
        response = client.get("/")
    assert response["Location"] == "/login/?timeout=1"
    assert "_auth_user_id" not in client.session
    assert b"signed out after 15 minutes without activity" in client.get("/login/?timeout=1").content


def test_polling_the_status_is_not_activity_but_keepalive_is(client, member):
    start = clocks.now()
    with clocks.frozen(start):
        sign_in(client, member.user)
    with clocks.frozen(start + timedelta(minutes=10)):
        assert client.get("/session/status/").json() == {"authenticated": True, "seconds_left": 300}
    with clocks.frozen(start + timedelta(minutes=14)):
        assert client.post("/session/keepalive/").json()["seconds_left"] == 900
    with clocks.frozen(start + timedelta(minutes=28)):
        assert client.get("/").status_code == 200


def test_the_absolute_lifetime_ends_even_an_active_session(client, member):
    start = clocks.now()
    with clocks.frozen(start):
        sign_in(client, member.user)
    for minutes in range(10, 12 * 60, 10):
        with clocks.frozen(start + timedelta(minutes=minutes)):
            assert client.get("/session/keepalive/").status_code == 405  # GET is not activity either
            client.post("/session/keepalive/")
    with clocks.frozen(start + timedelta(hours=12, seconds=1)):
        assert client.get("/")["Location"] == "/login/?timeout=1"


def test_a_timed_out_api_session_is_refused(client, member):
    start = clocks.now()
    with clocks.frozen(start):
        sign_in(client, member.user)
    with clocks.frozen(start + timedelta(minutes=16)):
        assert client.get("/api/v1/me/").status_code == 401


def idle_timeout_setting(value: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with SESSION_IDLE_TIMEOUT_SECONDS=value; print the
    resulting timeout in seconds."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; "
            "print(int(settings.SESSION_IDLE_TIMEOUT.total_seconds()))",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "ecm_platform.settings",
            "SESSION_IDLE_TIMEOUT_SECONDS": value,
            "PATH": "/usr/bin",
        },
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("seconds", ["60", "600", "1800"])
def test_an_idle_timeout_from_one_to_30_minutes_is_accepted(seconds):
    result = idle_timeout_setting(seconds)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == seconds


@pytest.mark.parametrize("seconds", ["0", "59", "1801"])
def test_the_timeout_is_configurable_but_never_above_30_minutes_or_below_one(seconds):
    result = idle_timeout_setting(seconds)
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT_SECONDS must be between 60 and 1800" in result.stderr


def test_login_and_plan_switch_issue_new_session_ids(client, plan_b, member, make_membership):
    make_membership(plan_b, Role.REVIEWER, user=member.user)
    client.get("/login/")
    anonymous = client.cookies.get("sessionid")
    sign_in(client, member.user)
    signed_in = client.cookies["sessionid"].value
    assert anonymous is None or anonymous.value != signed_in
    client.post("/plan/switch/", {"plan": "plan-b"})
    assert client.cookies["sessionid"].value != signed_in


def test_ten_failures_lock_the_username_with_a_clear_message(client, member):
    for _ in range(9):
        assert sign_in(client, member.user, password="wrong password!").status_code == 200
    locked = sign_in(client, member.user, password="wrong password!")
    assert locked.status_code == 429
    assert b"locked for 30 minutes" in locked.content
    # Even the right password is refused while locked, from another address too.
    assert sign_in(client, member.user, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_ten_failures_from_one_address_lock_that_address(client, plan_a, make_membership):
    users = [make_membership(plan_a).user for _ in range(10)]
    for user in users:
        sign_in(client, user, password="wrong password!", REMOTE_ADDR="10.1.1.1")
    assert sign_in(client, users[0], REMOTE_ADDR="10.1.1.1").status_code == 429
    assert sign_in(client, users[0], REMOTE_ADDR="10.2.2.2").status_code == 302


def test_the_lock_lifts_30_minutes_after_the_tenth_failure(client, member):
    # Axes reads django.utils.timezone.now() (not ecm_platform.clocks), so the wall clock travels.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            sign_in(client, member.user, password="wrong password!")
        assert sign_in(client, member.user).status_code == 429
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert sign_in(client, member.user).status_code == 302
    assert not AccessAttempt.objects.filter(username=member.user.username).exists()  # reset on success


def test_attempts_during_the_lock_do_not_prolong_it(client, member):
    # Locked for 30 minutes from the tenth failure: retrying meanwhile (even with the right password)
    # neither gets in nor keeps the account locked longer, so nobody can lock a colleague out for good.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            sign_in(client, member.user, password="wrong password!")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert sign_in(client, member.user).status_code == 429
        assert sign_in(client, member.user, password="wrong password!").status_code == 429
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert sign_in(client, member.user).status_code == 302


def test_an_admin_unlock_lifts_the_lock_at_once(client, member):
    for _ in range(10):
        sign_in(client, member.user, password="wrong password!")
    assert sign_in(client, member.user).status_code == 429
    AccessAttempt.objects.all().delete()  # what the admin's "unlock" (delete attempts) does
    assert sign_in(client, member.user).status_code == 302


def test_axes_admin_is_available_for_unlocking(admin_client):
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass", False),  # under 12 characters
        ("password1234", False),  # common
        ("all lowercase words here", True),  # no composition rules
        ("correct horse battery staple", True),
    ],
)
def test_passwords_follow_nist_800_63b(password, accepted):
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@pytest.mark.parametrize("path", ["/login/", "/", "/notifications/", "/api/v1/me/", "/api/v1/docs/"])
def test_every_page_carries_the_security_headers(client, member, path):
    client.force_login(member.user)
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_an_inline_script():
    root = Path(__file__).resolve().parents[2]
    for template in [*root.glob("templates/**/*.html"), *root.glob("*/**/templates/**/*.html")]:
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            assert "src=" in chunk.split(">")[0], f"inline script in {template}"
            assert chunk.split(">", 1)[1].lstrip().startswith("</script>"), f"inline script in {template}"


def csrf_token_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/session/keepalive/", {}),
        ("/notifications/read-all/", {}),
        ("/plan/switch/", {"plan": "plan-a"}),
        ("/logout/", {}),
    ],
)
def test_a_signed_in_page_post_without_a_csrf_token_is_refused(member, path, data):
    # Django's test client skips CSRF checks unless told otherwise.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    token = csrf_token_of(browser.get("/"))  # the browser holds a CSRF cookie, as after any page
    assert browser.post(path, data).status_code == 403
    assert browser.post(path, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert "_auth_user_id" in browser.session  # not even the logout happened
    assert browser.post(path, {**data, "csrfmiddlewaretoken": token}).status_code in (200, 302)


def test_a_session_api_post_without_a_csrf_token_is_refused_in_the_error_shape(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    token = csrf_token_of(browser.get("/"))
    refused = browser.post("/api/v1/notifications/read-all/", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "type": "client_error",
        "errors": [{"code": "permission_denied", "detail": "CSRF Failed: CSRF token missing.", "attr": None}],
    }
    accepted = browser.post("/api/v1/notifications/read-all/", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert accepted.json() == {"marked": 0}


def test_the_login_form_needs_its_csrf_token_too(member):
    browser = Client(enforce_csrf_checks=True)
    token = csrf_token_of(browser.get("/login/"))
    assert sign_in(browser, member.user).status_code == 403
    assert "_auth_user_id" not in browser.session
    assert sign_in(browser, member.user, HTTP_X_CSRFTOKEN=token).status_code == 302
