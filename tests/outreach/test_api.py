"""The plan's outreach API (DOMAIN 8): engagements and their close-outs, attempts with their verdict,
the verdict before saving, and the plan's outreach settings; permissions per role, another plan's
engagement 404, every read in the PHI access log, bounded query counts."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.tenancy.models import Role
from outreach.models import Attempt, EngagementState, OutreachSettings
from tests.conftest import api_client_of, membership_of
from tests.outreach.world import LA, engagement_of, identified_member, synced

pytestmark = pytest.mark.usefixtures("in_plan_a")

ATTEMPTS = "/api/v1/outreach/attempts/"
ENGAGEMENTS = "/api/v1/outreach/engagements/"
AT = datetime(2026, 11, 24, 9, 30, tzinfo=LA)


def client_of(plan, role):
    return api_client_of(membership_of(plan, role))


@pytest.fixture
def coordinator_api(plan_a):
    return client_of(plan_a, Role.CARE_COORDINATOR)


@pytest.fixture
def engagement(plan_a):
    """A member the plan identified, targeted by the job (DOMAIN 8)."""
    member = identified_member(plan_a)
    synced(plan_a)
    return engagement_of(plan_a, member)


def attempt(engagement, **overrides):
    return {
        "engagement": engagement.pk,
        "attempted_at": AT.isoformat(),
        "method": "telephone",
        "outcome": "no_answer",
        "minutes": 5,
    } | overrides


def test_the_engagement_list_shows_the_plans_outreach_and_logs_the_read(engagement, coordinator_api):
    """DOMAIN 8: an identified member's outreach, run by the plan's staff; a PHI read (STYLE)."""
    response = coordinator_api.get(ENGAGEMENTS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["member"], row["kind"], row["state"], row["organization"]) == (
        engagement.pk, engagement.member_id, "identified", "open", None,
    )  # fmt: skip
    assert (row["county"], row["member_name"]) == ("01", engagement.member.full_name)
    assert phi_accesses_naming(engagement.member_id).count() == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [("state=open", True), ("state=declined", False), ("kind=identified", True), ("kind=assigned", False),
     ("county=01", True), ("county=02", False), ("overdue=true", True), ("overdue=false", False)],
)  # fmt: skip
def test_the_engagement_list_filters(engagement, coordinator_api, query, found):
    """DOMAIN 8: a day after the first attempt was due, with no attempt yet, the outreach is overdue."""
    with clocks.frozen(engagement.first_attempt_due + timedelta(days=1)):
        response = coordinator_api.get(f"{ENGAGEMENTS}?{query}")
    assert [row["id"] for row in response.json()["results"]] == ([engagement.pk] if found else [])


def test_the_member_filter_and_keyset_pages(plan_a, engagement, coordinator_api):
    other = identified_member(plan_a)
    synced(plan_a)
    first = coordinator_api.get(f"{ENGAGEMENTS}?page_size=1").json()
    second = coordinator_api.get(first["next"]).json()
    assert {first["results"][0]["member"], second["results"][0]["member"]} == {engagement.member_id, other.pk}
    mine = coordinator_api.get(f"{ENGAGEMENTS}?member={other.pk}").json()["results"]
    assert [row["member"] for row in mine] == [other.pk]


def test_recording_an_attempt_returns_its_verdict(engagement, coordinator_api):
    """DOMAIN 8: a telephone call counts answered or not; a pre-recorded robo-call does not (FAQ 20)."""
    call = coordinator_api.post(ATTEMPTS, attempt(engagement, notes="Left no message"))
    assert call.status_code == 201, call.content
    body = call.json()
    assert (body["counts"], body["successful"], body["engagement"], body["notes"]) == (
        True, False, engagement.pk, "Left no message",
    )  # fmt: skip
    assert body["count_reason"].startswith("A telephone call by staff counts")
    robocall = coordinator_api.post(ATTEMPTS, attempt(engagement, method="robocall", outcome="prerecorded_message"))
    assert (robocall.json()["counts"], robocall.json()["successful"]) == (False, False)
    visit = coordinator_api.post(ATTEMPTS, attempt(engagement, method="in_person", outcome="reached_member"))
    assert (visit.json()["counts"], visit.json()["successful"]) == (True, True)
    detail = coordinator_api.get(f"{ENGAGEMENTS}{engagement.pk}/").json()
    assert (detail["attempts_made"], detail["counting_attempts"]) == (3, 2)
    assert detail["policy"]["met"] is False
    assert "reached" in detail["policy"]["explanation"]


def test_the_attempt_list_filters_by_verdict_and_time(engagement, coordinator_api):
    coordinator_api.post(ATTEMPTS, attempt(engagement))
    coordinator_api.post(ATTEMPTS, attempt(engagement, method="postal_mail", attempted_at="2026-11-25T10:00:00-08:00"))
    counted = coordinator_api.get(f"{ATTEMPTS}?counts=true").json()["results"]
    assert [row["method"] for row in counted] == ["telephone"]
    later = coordinator_api.get(f"{ATTEMPTS}?attempted_from=2026-11-25T00:00:00-08:00").json()["results"]
    assert [(row["method"], row["counts"]) for row in later] == [("postal_mail", False)]
    both = coordinator_api.get(f"{ATTEMPTS}?engagement={engagement.pk}&member={engagement.member_id}").json()
    assert [row["method"] for row in both["results"]] == ["postal_mail", "telephone"]  # newest first
    assert phi_accesses_naming(engagement.member_id).count() == 3
    attempt_id = both["results"][0]["id"]
    detail = coordinator_api.get(f"{ATTEMPTS}{attempt_id}/")
    assert (detail.status_code, detail.json()["method"], detail.json()["counts"]) == (200, "postal_mail", False)
    assert phi_accesses_naming(engagement.member_id).count() == 4


@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"method": "in_person", "outcome": "live_message"}, "outcome", "impossible_outcome"),
        ({"outcome": "lost"}, "outcome", "invalid_choice"),
        ({"minutes": 601}, "minutes", "max_value"),
        ({"attempted_at": "2027-01-04T10:00:00-08:00"}, "attempted_at", "future"),
        ({"attempted_at": "2026-10-01T10:00:00-07:00"}, "attempted_at", "early"),
        ({"notes": "x" * 2001}, "notes", "max_length"),
        ({"staff": "nobody-here"}, "staff", "invalid_staff"),
        # DOMAIN 8: a written message counts only when it asks for a response: never a default.
        ({"method": "email"}, "asks_for_response", "required"),
        ({"method": "text", "outcome": "reached_member"}, "asks_for_response", "required"),
    ],
)
def test_an_attempt_the_rules_refuse_is_a_400_naming_the_field(engagement, coordinator_api, overrides, attr, code):
    """DOMAIN 8: an outcome the method cannot have, a time in the future or before targeting."""
    response = coordinator_api.post(ATTEMPTS, attempt(engagement, **overrides))
    assert response.status_code == 400, response.content
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [(attr, code)]
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.REPORTING_ANALYST, Role.PLAN_ADMINISTRATOR])
def test_a_role_that_does_not_reach_out_cannot_record(plan_a, engagement, role):
    """DOMAIN 8: the plan's coordinators (and integrators) record the plan's own outreach."""
    response = client_of(plan_a, role).post(ATTEMPTS, attempt(engagement))
    assert response.status_code == 403
    assert Attempt.objects.count() == 0


def test_an_integrator_records(plan_a, engagement):
    response = client_of(plan_a, Role.INTEGRATOR).post(ATTEMPTS, attempt(engagement))
    assert response.status_code == 201


def test_a_username_that_is_nobodys_answers_as_one_of_another_plans_staff(plan_b, engagement, coordinator_api):
    """Tenancy: which usernames exist in other plans is not the caller's to learn."""
    stranger = membership_of(plan_b, Role.CARE_COORDINATOR).user.get_username()
    answers = [
        coordinator_api.post(ATTEMPTS, attempt(engagement, staff=username)).json()["errors"][0]["detail"]
        for username in (stranger, "nobody-at-all")
    ]
    assert answers == [f"{stranger} does not work for the plan.", "nobody-at-all does not work for the plan."]


def test_another_plans_engagement_is_missing(plan_a, plan_b, engagement):
    """Tenancy: another plan's engagement is 404 on every route that names it, 400 in a body."""
    other = client_of(plan_b, Role.CARE_COORDINATOR)
    assert other.get(f"{ENGAGEMENTS}{engagement.pk}/").status_code == 404
    mine = api_client_of(membership_of(plan_a, Role.CARE_COORDINATOR)).post(ATTEMPTS, attempt(engagement)).json()
    assert other.get(f"{ATTEMPTS}{mine['id']}/").status_code == 404
    assert other.get(ATTEMPTS).json()["results"] == []
    assert other.post(f"{ENGAGEMENTS}{engagement.pk}/decline/", {}).status_code == 404
    assert other.get(ENGAGEMENTS).json()["results"] == []
    recorded = other.post(ATTEMPTS, attempt(engagement))
    assert recorded.status_code == 400
    assert recorded.json()["errors"][0]["attr"] == "engagement"
    assert Attempt.objects.count() == 1
    assert engagement_of(plan_a, engagement.member).state == EngagementState.OPEN


@pytest.mark.parametrize(
    ("method", "asks", "outcome", "counts", "successful"),
    [("email", "false", "no_answer", False, False), ("email", "true", "no_answer", True, False),
     ("robocall", "true", "callback_answered", True, True), ("postal_mail", "true", "reached_member", False, False)],
)  # fmt: skip
def test_the_verdict_before_saving(coordinator_api, method, asks, outcome, counts, successful):
    """DOMAIN 8: an email that asks for a response counts, an informational one does not; a robo-call
    answered by staff on call-back counts (FAQ 20); postal mail never counts (Policy Guide XI)."""
    query = f"method={method}&asks_for_response={asks}&outcome={outcome}"
    response = coordinator_api.get(f"{ATTEMPTS}verdict/?{query}")
    assert response.status_code == 200
    assert (response.json()["counts"], response.json()["successful"]) == (counts, successful)
    assert response.json()["reason"]


def test_a_call_needs_no_asks_for_response_and_a_written_message_does(engagement, coordinator_api):
    """DOMAIN 8: whether a message asked for a response decides only for emails, texts and other
    electronic messages; the verdict endpoint asks for it there too."""
    response = coordinator_api.post(ATTEMPTS, attempt(engagement))
    assert response.status_code == 201, response.content
    assert (response.json()["asks_for_response"], response.json()["counts"]) == (False, True)
    refused = coordinator_api.get(f"{ATTEMPTS}verdict/?method=email&outcome=no_answer")
    assert refused.status_code == 400
    assert [(error["attr"], error["code"]) for error in refused.json()["errors"]] == [("asks_for_response", "required")]
    bulk = coordinator_api.post(
        f"{ATTEMPTS}bulk/", {"attempts": [attempt(engagement), attempt(engagement, method="email")]}, format="json"
    )
    assert bulk.status_code == 400
    assert [error["attr"] for error in bulk.json()["errors"]] == ["attempts.1.asks_for_response"]
    assert Attempt.objects.count() == 1


def test_the_verdict_of_an_impossible_outcome_is_a_400(coordinator_api):
    response = coordinator_api.get(f"{ATTEMPTS}verdict/?method=in_person&outcome=prerecorded_message")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["outcome"]


def test_a_decline_then_the_referral_to_other_programs(plan_a, engagement, coordinator_api):
    """DOMAIN 8: a member who declines is closed out and referred to the plan's other programs."""
    declined = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/decline/", {"note": "Not now"})
    assert declined.status_code == 200, declined.content
    assert (declined.json()["state"], declined.json()["close_note"]) == ("declined", "Not now")
    again = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/decline/", {})
    assert again.status_code == 409
    late = coordinator_api.post(ATTEMPTS, attempt(engagement))
    assert (late.status_code, late.json()["errors"][0]["code"]) == (409, "engagement_closed")
    empty = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/other-programs-referral/", {"note": ""})
    assert empty.status_code == 400
    referred = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/other-programs-referral/", {"note": "CalAIM CS"})
    assert referred.status_code == 200
    assert referred.json()["other_programs_note"] == "CalAIM CS"


def test_unreachable_is_refused_until_the_attempt_policy_is_met(engagement, coordinator_api):
    """DOMAIN 8: unable to reach only after the plan's attempt policy (3 counting attempts, 2 methods, 30 days)."""
    coordinator_api.post(ATTEMPTS, attempt(engagement))
    response = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/unreachable/", {})
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("engagement", "attempt_policy_not_met")]


def test_enrolling_an_identified_member_submits_a_request(engagement, coordinator_api):
    """DOMAIN 8: a plan-identified member who agrees: a request is submitted (source plan identification)."""
    response = coordinator_api.post(f"{ENGAGEMENTS}{engagement.pk}/enroll/", {})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "enrolled"
    assert response.json()["request"] is not None


def test_a_reviewer_cannot_close_outreach(plan_a, engagement):
    response = client_of(plan_a, Role.REVIEWER).post(f"{ENGAGEMENTS}{engagement.pk}/decline/", {})
    assert response.status_code == 403
    assert engagement_of(plan_a, engagement.member).state == EngagementState.OPEN


def test_the_plan_administrator_reads_and_changes_the_outreach_settings(plan_a):
    """DOMAIN 8: the first attempt's clock and the attempt policy are plan settings."""
    admin = client_of(plan_a, Role.PLAN_ADMINISTRATOR)
    assert admin.get("/api/v1/settings/outreach/").json() == {
        "first_attempt_business_days": 10, "unreachable_attempts": 3, "unreachable_days": 30,
        "unreachable_methods": 2, "referral_business_days": 10,
    }  # fmt: skip
    changed = admin.get("/api/v1/settings/outreach/").json() | {"unreachable_attempts": 4}
    assert admin.put("/api/v1/settings/outreach/", changed).json()["unreachable_attempts"] == 4
    assert OutreachSettings.objects.get(plan=plan_a).unreachable_attempts == 4
    wrong = admin.put("/api/v1/settings/outreach/", changed | {"unreachable_days": 400})
    assert [error["attr"] for error in wrong.json()["errors"]] == ["unreachable_days"]
    partial = admin.put("/api/v1/settings/outreach/", {"unreachable_days": 20})
    assert partial.status_code == 400
    assert client_of(plan_a, Role.CARE_COORDINATOR).get("/api/v1/settings/outreach/").status_code == 403


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_lists_and_details_cost_at_most_8_queries_whatever_the_rows(plan_a, engagement, coordinator_api):
    """Issue 15's budget: at most 8 queries per request, the same for one row as for many."""
    first = coordinator_api.post(ATTEMPTS, attempt(engagement)).json()["id"]
    paths = [
        ENGAGEMENTS,
        f"{ENGAGEMENTS}{engagement.pk}/",
        ATTEMPTS,
        f"{ATTEMPTS}{first}/",
        f"{ATTEMPTS}?counts=true",
        f"{ENGAGEMENTS}?overdue=true",
    ]
    few = [_queries(coordinator_api, path) for path in paths]
    members = [identified_member(plan_a) for _ in range(4)]
    synced(plan_a)
    for member in members:
        coordinator_api.post(ATTEMPTS, attempt(engagement_of(plan_a, member), method="email"))
    many = [_queries(coordinator_api, path) for path in paths]
    assert (max(many), many) == (max(few), few)
    assert max(many) <= 8
