"""The browser's plan: chosen from the user's memberships, re-validated on every request,
and switching cycles the session id (ARCHITECTURE.md, Tenancy)."""

import pytest
from django_scopes import scopes_disabled

from ecm_platform.audit.models import AuditEvent
from ecm_platform.calendars.models import Holiday
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.services import membership_create
from tests.factories import TEST_PASSWORD


@pytest.fixture
def two_plan_user(plan_a, plan_b, make_membership):
    membership_a = make_membership(plan_a, Role.REVIEWER)
    make_membership(plan_b, Role.CARE_COORDINATOR, user=membership_a.user)
    return membership_a.user


def login(client, user):
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def test_login_page_renders(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_pages_need_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_first_plan_is_chosen_and_shown(client, two_plan_user):
    login(client, two_plan_user)
    page = client.get("/")
    assert b"Alpha Health Plan" in page.content
    assert b"Utilization reviewer" in page.content
    assert client.get("/api/v1/me/").json()["plan"]["code"] == "plan-a"


def test_switching_plan_cycles_the_session_id(client, two_plan_user):
    login(client, two_plan_user)
    session_before = client.cookies["sessionid"].value
    response = client.post("/plan/switch/", {"plan": "plan-b", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != session_before
    me = client.get("/api/v1/me/").json()
    assert (me["plan"]["code"], me["role"], me["authenticated_by"]) == (
        "plan-b",
        "care_coordinator",
        "session",
    )


def test_switching_to_a_plan_without_membership_is_refused(client, plan_a, plan_b, make_membership):
    user = make_membership(plan_a, Role.REVIEWER).user
    login(client, user)
    session_before = client.cookies["sessionid"].value
    response = client.post("/plan/switch/", {"plan": "plan-b"})
    assert response.status_code == 404
    assert client.cookies["sessionid"].value == session_before
    assert client.get("/api/v1/me/").json()["plan"]["code"] == "plan-a"


def test_a_session_naming_a_plan_the_user_lost_is_not_honoured(client, two_plan_user, plan_b):
    login(client, two_plan_user)
    client.post("/plan/switch/", {"plan": "plan-b"})
    with scopes_disabled():
        two_plan_user.plan_memberships.filter(plan=plan_b).update(is_active=False)
    assert client.get("/api/v1/me/").json()["plan"]["code"] == "plan-a"
    assert client.session[SESSION_PLAN_KEY] != plan_b.pk


def test_a_forged_session_plan_is_ignored(client, plan_a, plan_b, make_membership):
    user = make_membership(plan_a, Role.REVIEWER).user
    login(client, user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan_b.pk
    session.save()
    assert client.get("/api/v1/me/").json()["plan"]["code"] == "plan-a"


def test_switch_redirects_only_to_this_site(client, two_plan_user):
    login(client, two_plan_user)
    response = client.post("/plan/switch/", {"plan": "plan-b", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_switcher_is_shown_to_users_with_several_plans(client, two_plan_user):
    login(client, two_plan_user)
    page = client.get("/").content.decode()
    assert 'name="plan"' in page
    assert "Bravo Health Plan" in page


def test_healthz_is_public(client, db):
    assert client.get("/healthz/").content == b"ok"


def test_a_plan_administrator_edits_only_their_plans_holidays_in_the_admin(client, plan_a, plan_b, make_membership):
    # DOMAIN 5.1: the plan administrator edits the calendar; Django admin is the editor for now.
    with scopes_disabled():
        admin_user = make_membership(plan_b, Role.CARE_COORDINATOR).user
        membership_create(user=admin_user, plan=plan_a, role=Role.PLAN_ADMINISTRATOR, actor=OPERATOR)
        holiday_b = Holiday.objects.filter(plan=plan_b).first()
    login(client, admin_user)
    client.post("/plan/switch/", {"plan": "plan-a"})
    listing = client.get("/admin/calendars/holiday/")
    assert listing.status_code == 200
    assert client.get(f"/admin/calendars/holiday/{holiday_b.pk}/change/").status_code == 302  # not found
    added = client.post("/admin/calendars/holiday/add/", {"date": "2026-12-24", "name": "Christmas Eve"})
    assert added.status_code == 302
    with scopes_disabled():
        assert Holiday.objects.get(date="2026-12-24", name="Christmas Eve").plan == plan_a
    # In plan B the same user is a coordinator: no admin access to plan B's calendar.
    client.post("/plan/switch/", {"plan": "plan-b"})
    assert client.get("/admin/calendars/holiday/").status_code == 403


def test_the_admin_refuses_a_duplicate_closure_day_and_audits_through_the_services(client, plan_a, make_membership):
    with scopes_disabled():
        admin_user = make_membership(plan_a, Role.CARE_COORDINATOR).user
        admin_user.plan_memberships.all().delete()
        membership_create(user=admin_user, plan=plan_a, role=Role.PLAN_ADMINISTRATOR, actor=OPERATOR)
    login(client, admin_user)
    duplicate = client.post("/admin/calendars/holiday/add/", {"date": "2026-12-25", "name": "Again"})
    assert duplicate.status_code == 200
    assert b"2026-12-25 is already a closure day." in duplicate.content
    added = client.post("/admin/calendars/holiday/add/", {"date": "2026-12-24", "name": "Christmas Eve"})
    assert added.status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.filter(plan=plan_a, code="calendars.holiday.created", actor=admin_user).count() == 1


def test_the_coordinator_dashboard_points_at_the_worklists_that_exist(client, plan_a, make_membership):
    client.force_login(make_membership(plan_a, Role.CARE_COORDINATOR).user)
    page = client.get("/")
    html = page.content.decode()
    assert '<a href="/eligibility/worklist/">Open the worklist</a>' in html
    assert '<a href="/providers/assignments/">Open assignments</a>' in html
    assert "once member and claims data are loaded" not in html and "Nothing to show yet" not in html
    assert client.get("/eligibility/worklist/").status_code == 200  # the link leads somewhere real
    assert client.get("/providers/assignments/").status_code == 200


def test_the_reviewer_dashboard_links_the_request_worklist(client, plan_a, make_membership):
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)
    assert '<a href="/authorizations/">Open the request worklist</a>' in client.get("/").content.decode()
    assert client.get("/authorizations/").status_code == 200
