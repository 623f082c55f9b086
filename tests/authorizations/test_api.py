"""The authorization API (DOMAIN 5 and 6): requests and their transitions, attachments, and lists
that do not query per row, through HTTP."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from authorizations.models import AuthorizationRequest, Notice, Status, Urgency
from authorizations.services import (
    appeal_file,
    discontinuations_take_effect,
    grievance_file,
    request_start_review,
)
from authorizations.services.discontinuation import discontinuation_job
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from providers.models import Assignment
from providers.selectors import open_assignment
from providers.services import assignment_set_lead_care_manager, care_manager_add
from tests.authorizations.api_helpers import denied, post, status_of
from tests.authorizations.conftest import MONDAY

LA = ZoneInfo("America/Los_Angeles")


def test_submit_returns_the_due_instant_of_the_clock(plan_a, coordinator_api, eligible_member_a, provider_a):
    # DOMAIN 5.1: received Wed 2026-12-30 10:00 -> 5th working day 01-07, but the 7-calendar-day
    # limit ends Wed 01-06 -> due 2027-01-06 23:59:59 PST.
    received = datetime(2026, 12, 30, 10, tzinfo=LA)
    response = post(
        coordinator_api,
        "/api/v1/authorizations/",
        {
            "member": eligible_member_a.pk,
            "source": "provider_referral",
            "requester_name": "Dr. Rivera",
            "requester_organization": provider_a.pk,
            "requester_contact": "intake@clinic.example.org",
            "pofs": ["HOMELESS"],
        },
        at=received,
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    assert body["urgency"] == "routine"
    assert datetime.fromisoformat(body["received_at"]) == received
    assert datetime.fromisoformat(body["due_at"]) == datetime(2027, 1, 6, 23, 59, 59, tzinfo=LA)
    assert body["time_remaining_seconds"] == int(
        (datetime(2027, 1, 6, 23, 59, 59, tzinfo=LA) - received).total_seconds()
    )
    assert body["pofs"] == ["HOMELESS"]
    assert body["requester_organization"] == provider_a.pk
    assert body["notices"] == [] and body["attachments"] == []


def test_presumptive_and_transition_sources_are_not_submitted(coordinator_api, eligible_member_a):
    # DOMAIN 5.2: presumptive and transition authorizations have their own actions.
    response = post(
        coordinator_api, "/api/v1/authorizations/", {"member": eligible_member_a.pk, "source": "presumptive"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "source"


def test_the_list_filters_by_status_due_before_and_urgency(
    plan_a, coordinator_a, reviewer_a, coordinator_api, eligible_member_a, make_eligible_member, make_request
):
    # DOMAIN 5.1: received Mon 2026-11-16 10:00 PST; routine is due at the end of the 5th working
    # day (Mon 11-23), expedited 72 hours later (Thu 11-19 10:00).
    routine = make_request(plan_a, coordinator_a.user, eligible_member_a)
    expedited = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a), urgency=Urgency.EXPEDITED)
    reviewed = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a))
    with scopes_disabled(), clocks.frozen(MONDAY):
        request_start_review(plan=plan_a, actor=reviewer_a.user, request=reviewed)

    def ids(query=""):
        response = coordinator_api.get(f"/api/v1/authorizations/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    # The most urgent first: by due instant, then id.
    assert ids() == [expedited.pk, routine.pk, reviewed.pk]
    assert ids("?urgency=expedited") == [expedited.pk]
    assert ids("?urgency=routine") == [routine.pk, reviewed.pk]
    assert ids("?status=in_review") == [reviewed.pk]
    assert ids("?status=received&urgency=routine") == [routine.pk]
    assert ids("?due_before=2026-11-20T00:00:00Z") == [expedited.pk]
    assert ids(f"?member={eligible_member_a.pk}&is_open=true") == [routine.pk]
    assert ids("?is_open=false") == []
    assert coordinator_api.get("/api/v1/authorizations/?due_before=soon").status_code == 400


def test_every_transition_has_its_action_endpoint(
    plan_a, coordinator_api, reviewer_api, eligible_member_a, provider_a, make_request, coordinator_a
):
    # DOMAIN 5.2 and 6: received -> in_review -> deferred -> in_review -> approved -> active ->
    # (discontinuation proposed) -> (discontinuation decided, scheduled), each through its own
    # endpoint; the job discontinues it on the effective date.
    created = post(
        coordinator_api, "/api/v1/authorizations/", {"member": eligible_member_a.pk, "source": "self_referral"}
    ).json()
    url = f"/api/v1/authorizations/{created['id']}"

    steps = [
        (coordinator_api, "start-review", {}, "in_review"),
        (reviewer_api, "extend", {"days": 7, "reason": "Waiting for the hospital records."}, "deferred"),
        (coordinator_api, "resume", {}, "in_review"),
        (reviewer_api, "approve", {"decision": "full", "explanation": "Meets the homeless POF."}, "approved"),
        (None, "lead care manager", {}, "approved"),
        (coordinator_api, "start-services", {"started_on": "2026-11-17"}, "active"),
        (
            coordinator_api,
            "propose-discontinuation",
            {"reason": "goals_met", "proposed_by": "provider", "note": "All goals met."},
            "active",
        ),
        (reviewer_api, "discontinue", {"reason": "goals_met", "effective_on": "2026-11-30"}, "active"),
    ]
    for client, verb, data, expected in steps:
        if client is None:  # DOMAIN 5.2: services start only with a Lead Care Manager (the providers API's)
            with scope(plan=plan_a):
                assignment = open_assignment(plan=plan_a, member=eligible_member_a)
                care_manager = care_manager_add(plan=plan_a, actor=OPERATOR, organization=provider_a, name="Lee")
                assignment_set_lead_care_manager(
                    plan=plan_a, assignment=assignment, care_manager=care_manager, actor=OPERATOR
                )
            continue
        response = post(client, f"{url}/{verb}/", data)
        assert response.status_code == 200, (verb, response.json())
        assert response.json()["status"] == expected, verb
    assert response.json()["discontinuation_state"] == "scheduled"
    with scope(plan=plan_a), clocks.frozen(datetime(2026, 11, 30, 23, 30, tzinfo=LA)):
        assert discontinuations_take_effect(plan=plan_a, actor=discontinuation_job(plan_a)) == [created["id"]]

    with clocks.frozen(MONDAY):
        body = coordinator_api.get(f"{url}/").json()
    assert (body["status"], body["discontinuation_state"]) == ("discontinued", "")
    assert body["extension_days"] == 7
    assert body["decision"] == "full"
    assert body["services_started_on"] == "2026-11-17"
    assert body["discontinuation_proposed_reason"] == "goals_met"
    assert body["discontinuation_reason"] == "goals_met"
    assert body["discontinuation_effective_on"] == "2026-11-30"
    assert body["needs_lower_level_of_care"] is True
    assert body["time_remaining_seconds"] is None  # the decision clock stopped
    with scope(plan=plan_a):
        # DOMAIN 7: the assignment ended on the effective date, freeing its place.
        assignment = Assignment.objects.get(member=eligible_member_a, organization=provider_a)
        assert (assignment.ended_on, assignment.end_reason) == (date(2026, 11, 30), "discontinued")
        # DOMAIN 5.3: a delay notice for the member's own request, the approval letter and a
        # discontinuation notice.
        assert sorted(Notice.objects.filter(request_id=created["id"]).values_list("notice_type", flat=True)) == [
            "approval",
            "delay",
            "discontinuation",
        ]
    assert len(body["notices"]) == 3

    history = coordinator_api.get(f"{url}/history/").json()["results"]
    assert [event["code"] for event in history] == [
        "authorizations.request.received",
        "authorizations.request.start_review",
        "authorizations.request.extend",
        "authorizations.request.resume",
        "authorizations.request.approve",
        "authorizations.request.start_services",
        "authorizations.request.discontinuation_proposed",
        "authorizations.request.discontinuation_scheduled",
        "authorizations.request.discontinue",
    ]
    assert history[0]["actor_label"]
    assert history[2]["payload"]["reason"] == "Waiting for the hospital records."


def test_deny_and_withdraw_endpoints(
    plan_a, coordinator_a, coordinator_api, reviewer_api, eligible_member_a, make_eligible_member, make_request
):
    # DOMAIN 5.2: deny with a reason code and explanation; withdraw with a reason (no notice, 5.3).
    to_deny = make_request(plan_a, coordinator_a.user, eligible_member_a)
    to_withdraw = make_request(plan_a, coordinator_a.user, make_eligible_member(plan_a))
    post(coordinator_api, f"/api/v1/authorizations/{to_deny.pk}/start-review/")

    denial = post(
        reviewer_api,
        f"/api/v1/authorizations/{to_deny.pk}/deny/",
        {"reason": "no_pof", "explanation": "No POF applies.", "alternative_services": "Complex Case Management"},
    )
    withdrawal = post(
        coordinator_api, f"/api/v1/authorizations/{to_withdraw.pk}/withdraw/", {"reason": "member_declined"}
    )

    assert denial.status_code == 200, denial.json()
    assert denial.json()["status"] == "denied"
    assert denial.json()["denial_reason"] == "no_pof"
    assert len(denial.json()["notices"]) == 1
    assert withdrawal.status_code == 200, withdrawal.json()
    assert withdrawal.json()["status"] == "withdrawn"
    assert withdrawal.json()["withdrawal_reason"] == "member_declined"
    assert withdrawal.json()["notices"] == []


def test_attachments_are_uploaded_and_listed_on_the_request(coordinator_api, under_review):
    upload = SimpleUploadedFile("referral.pdf", b"%PDF-1.4 referral", content_type="application/pdf")
    with clocks.frozen(MONDAY):
        response = coordinator_api.post(
            f"/api/v1/authorizations/{under_review.pk}/attachments/", {"file": upload}, format="multipart"
        )

    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0, "uploaded_at": ""} == {
        "id": 0, "name": "referral.pdf", "content_type": "application/pdf", "size": 17, "uploaded_at": "",
    }  # fmt: skip
    detail = coordinator_api.get(f"/api/v1/authorizations/{under_review.pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["referral.pdf"]
    assert "content" not in detail["attachments"][0]


def test_a_coordinator_cannot_approve(plan_a, coordinator_api, under_review, provider_a):
    # DOMAIN 5.2: coordinators prepare, reviewers decide.
    response = post(coordinator_api, f"/api/v1/authorizations/{under_review.pk}/approve/", {"decision": "full"})

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert status_of(plan_a, under_review.pk) == Status.IN_REVIEW
    with scope(plan=plan_a):
        assert not Assignment.objects.exists()


def test_approving_a_received_request_is_a_conflict(
    plan_a, coordinator_a, reviewer_api, eligible_member_a, make_request
):
    # DOMAIN 5.2: illegal transitions are impossible, with a clear message.
    request = make_request(plan_a, coordinator_a.user, eligible_member_a)

    response = post(reviewer_api, f"/api/v1/authorizations/{request.pk}/approve/", {"decision": "full"})

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "invalid_transition", "detail": "A request that is received cannot be approved.", "attr": None}
        ],
    }
    assert status_of(plan_a, request.pk) == Status.RECEIVED


def test_deny_without_an_explanation_names_the_field(plan_a, reviewer_api, under_review):
    # DOMAIN 5.2: a denial requires a reason code and a plain-language explanation.
    url = f"/api/v1/authorizations/{under_review.pk}/deny/"

    blank = post(reviewer_api, url, {"reason": "no_pof", "explanation": "  "})
    missing = post(reviewer_api, url, {"reason": "no_pof"})

    assert blank.status_code == 400
    assert blank.json()["errors"] == [
        {"code": "invalid", "detail": "Explain the denial in plain language.", "attr": "explanation"}
    ]
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "explanation"
    assert status_of(plan_a, under_review.pk) == Status.IN_REVIEW


def grow(plan, coordinator, reviewer, make_eligible_member, make_request, count):
    """`count` members, each with a denied request (and its notice), an appeal and a grievance."""
    for _ in range(count):
        member = make_eligible_member(plan)
        request = denied(plan, coordinator, reviewer, member, make_request)
        with scopes_disabled(), clocks.frozen(MONDAY):
            appeal_file(plan=plan, actor=coordinator.user, notice=request.notices.get(), reason="Disagree")
            grievance_file(plan=plan, actor=coordinator.user, member=member, description="Slow", request=request)


def queries(client, path) -> int:
    # The connection keeps at most 9,000 queries: building the rows can fill it, and a full log no
    # longer grows. Start each count from an empty log.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path", ["/api/v1/authorizations/", "/api/v1/notices/", "/api/v1/appeals/", "/api/v1/grievances/"]
)
def test_list_endpoints_do_not_query_per_row(
    path, plan_a, coordinator_a, reviewer_a, coordinator_api, make_eligible_member, make_request,
    django_assert_max_num_queries,
):  # fmt: skip
    grow(plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request, 1)
    with scopes_disabled():
        request = AuthorizationRequest.objects.filter(plan=plan_a).first()
    # An attachment, so that the attachments prefetch is counted too.
    upload = SimpleUploadedFile("a.txt", b"a", content_type="text/plain")
    coordinator_api.post(f"/api/v1/authorizations/{request.pk}/attachments/", {"file": upload}, format="multipart")
    few = queries(coordinator_api, path)
    grow(plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request, 4)

    connection.queries_log.clear()
    with django_assert_max_num_queries(few):
        assert len(coordinator_api.get(path).json()["results"]) == 5


def test_the_history_does_not_query_per_event(
    coordinator_api, reviewer_api, under_review, django_assert_max_num_queries
):
    url = f"/api/v1/authorizations/{under_review.pk}/history/"
    few = queries(coordinator_api, url)
    post(reviewer_api, f"/api/v1/authorizations/{under_review.pk}/extend/", {"days": 3, "reason": "Records"})
    post(coordinator_api, f"/api/v1/authorizations/{under_review.pk}/resume/")

    connection.queries_log.clear()
    with django_assert_max_num_queries(few):
        assert len(coordinator_api.get(url).json()["results"]) == 4
