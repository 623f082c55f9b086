"""The authorization API (DOMAIN 5.3, 5.4, 3.5): notices and their PDF, appeals, grievances and the
Member Transition List, through HTTP."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django_scopes import scope, scopes_disabled

from authorizations.models import AuthorizationRequest, Status
from authorizations.services import (
    appeal_file,
)
from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.tenancy.models import Role
from tests.authorizations.api_helpers import denied, post, status_of
from tests.authorizations.conftest import MONDAY

LA = ZoneInfo("America/Los_Angeles")


def test_notices_are_listed_and_their_pdf_downloaded(
    plan_a, coordinator_a, reviewer_a, coordinator_api, eligible_member_a, make_request
):
    # DOMAIN 5.3: a denied self-referral gets a denial notice, listed on the member and the request.
    request = denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request)

    listed = coordinator_api.get(f"/api/v1/notices/?member={eligible_member_a.pk}&request={request.pk}").json()
    assert [n["notice_type"] for n in listed["results"]] == ["denial"]
    notice_id = listed["results"][0]["id"]
    assert coordinator_api.get("/api/v1/notices/?notice_type=delay").json()["results"] == []

    detail = coordinator_api.get(f"/api/v1/notices/{notice_id}/").json()
    assert detail["content"]["member_cin"] == eligible_member_a.cin
    assert detail["appeal_by"] == "2027-01-15"  # 60 calendar days after 2026-11-16
    assert "pdf" not in detail

    with scope(plan=plan_a):
        reads_before = phi_accesses_naming(eligible_member_a.pk).count()
    pdf = coordinator_api.get(f"/api/v1/notices/{notice_id}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="notice-{notice_id}.pdf"'
    assert pdf.content.startswith(b"%PDF")
    with scope(plan=plan_a):
        assert phi_accesses_naming(eligible_member_a.pk).count() == reads_before + 1


def test_another_plan_gets_404_for_requests_notices_and_their_pdf(
    plan_a, plan_b, coordinator_a, reviewer_a, eligible_member_a, make_request, make_membership, make_api_client
):
    # DOMAIN 5.3 / ARCHITECTURE Tenancy: another plan's objects look missing, the NOA PDF too.
    request = denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request)
    with scope(plan=plan_a):
        notice = request.notices.get()
    plan_b_reviewer = make_api_client(make_membership(plan_b, Role.REVIEWER))

    for url in [
        f"/api/v1/authorizations/{request.pk}/",
        f"/api/v1/authorizations/{request.pk}/history/",
        f"/api/v1/notices/{notice.pk}/",
        f"/api/v1/notices/{notice.pk}/pdf/",
    ]:
        assert plan_b_reviewer.get(url).status_code == 404, url
    assert (
        post(plan_b_reviewer, f"/api/v1/authorizations/{request.pk}/withdraw/", {"reason": "duplicate"}).status_code
        == 404
    )
    assert plan_b_reviewer.get("/api/v1/notices/").json()["results"] == []
    assert status_of(plan_a, request.pk) == Status.DENIED


def test_an_appeal_within_60_days_is_accepted_and_a_late_one_refused(
    plan_a, coordinator_a, reviewer_a, coordinator_api, eligible_member_a, make_request
):
    # DOMAIN 5.3, 5.4: appeal to the plan within 60 calendar days of the notice date (2026-11-16).
    request = denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request)
    with scope(plan=plan_a):
        notice = request.notices.get()

    late = post(
        coordinator_api, "/api/v1/appeals/", {"notice": notice.pk, "reason": "I am homeless."},
        at=datetime(2027, 1, 16, 18, tzinfo=UTC),
    )  # fmt: skip
    timely = post(
        coordinator_api, "/api/v1/appeals/", {"notice": notice.pk, "reason": "I am homeless.", "is_expedited": True},
        at=datetime(2027, 1, 15, 18, tzinfo=UTC),
    )  # fmt: skip

    assert late.status_code == 400
    assert late.json()["errors"][0]["attr"] == "received_at"
    assert late.json()["errors"][0]["code"] == "appeal_late"
    assert timely.status_code == 201, timely.json()
    assert timely.json()["request"] == request.pk
    assert timely.json()["is_expedited"] is True
    # Expedited: resolution due 72 hours after receipt.
    assert datetime.fromisoformat(timely.json()["resolution_due"]) == datetime(2027, 1, 18, 18, tzinfo=UTC)


def test_an_overturned_denial_reopens_the_request_as_approved(
    plan_a, coordinator_a, reviewer_a, coordinator_api, reviewer_api, eligible_member_a, provider_a, make_request
):
    # DOMAIN 5.2, 5.4: an overturned denial is authorized (denied -> approved), never reviewed again.
    request = denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request)
    with scopes_disabled(), clocks.frozen(MONDAY):
        appeal = appeal_file(plan=plan_a, actor=coordinator_a.user, notice=request.notices.get(), reason="Homeless")
    url = f"/api/v1/appeals/{appeal.pk}"

    acknowledged = post(coordinator_api, f"{url}/acknowledge/")
    by_coordinator = post(coordinator_api, f"{url}/resolve/", {"outcome": "overturned", "summary": "x"})
    resolved = post(reviewer_api, f"{url}/resolve/", {"outcome": "overturned", "summary": "New evidence."})

    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert by_coordinator.status_code == 403
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["outcome"] == "overturned"
    detail = coordinator_api.get(f"/api/v1/authorizations/{request.pk}/").json()
    assert detail["status"] == "approved"
    # 42 CFR 438.424: services within 72 hours of the reversal.
    assert datetime.fromisoformat(detail["services_due_by"]) == MONDAY + timedelta(hours=72)
    assert coordinator_api.get("/api/v1/appeals/?is_resolved=true").json()["results"][0]["id"] == appeal.pk
    assert coordinator_api.get("/api/v1/appeals/?is_resolved=false").json()["results"] == []


def test_grievances_are_filed_acknowledged_and_resolved(plan_a, coordinator_api, eligible_member_a, under_review):
    # DOMAIN 5.4: acknowledgement due in 5 calendar days, resolution in 30 (72 hours when urgent).
    filed = post(
        coordinator_api,
        "/api/v1/grievances/",
        {"member": eligible_member_a.pk, "description": "Nobody called me back.", "request": under_review.pk},
    )
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert body["request"] == under_review.pk
    assert datetime.fromisoformat(body["acknowledgement_due"]) == datetime(2026, 11, 21, 23, 59, 59, tzinfo=LA)
    url = f"/api/v1/grievances/{body['id']}"

    acknowledged = post(coordinator_api, f"{url}/acknowledge/")
    again = post(coordinator_api, f"{url}/acknowledge/")
    resolved = post(coordinator_api, f"{url}/resolve/", {"outcome": "resolved", "summary": "Called back."})

    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert again.status_code == 409
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["outcome"] == "resolved"
    assert resolved.json()["resolution_summary"] == "Called back."
    listed = coordinator_api.get(f"/api/v1/grievances/?member={eligible_member_a.pk}&is_resolved=true").json()
    assert [g["id"] for g in listed["results"]] == [body["id"]]


def test_the_member_transition_list_is_imported_whole_or_not_at_all(
    plan_a, coordinator_api, eligible_member_a, make_eligible_member, django_capture_on_commit_callbacks
):
    # DOMAIN 3.5, 5.1: HHP/WPC members are authorized (active), reassessment due six months later;
    # issue 15: the import is a background job, the request answers 202 with the job to poll.
    other = make_eligible_member(plan_a)
    rows = [
        {"cin": eligible_member_a.cin, "program": "wpc", "transition_date": "2026-07-01"},
        {"cin": other.cin, "program": "hhp", "transition_date": "2026-08-31"},
    ]
    bad = [rows[0], {"cin": "99999999Z", "program": "wpc", "transition_date": "2026-07-01"}]

    def imported(rows):
        with django_capture_on_commit_callbacks(execute=True):
            started = post(coordinator_api, "/api/v1/transition-imports/", {"rows": rows})
        assert started.status_code == 202, started.json()
        assert started.json()["url"] == f"/api/v1/import-jobs/{started.json()['id']}/"
        return coordinator_api.get(started.json()["url"]).json()

    refused = imported(bad)
    assert (refused["state"], refused["rows_total"], refused["rows_done"]) == ("failed", 2, 2)
    assert [(e["row"], e["field"]) for e in refused["report"]["errors"]] == [(2, "cin")]
    assert "99999999Z" in refused["report"]["errors"][0]["message"]
    with scope(plan=plan_a):
        assert not AuthorizationRequest.objects.exists()

    done = imported(rows)
    assert (done["state"], done["report"]) == (
        "succeeded",
        {"created": 2, "unchanged": 0, "errors": [], "error_count": 0},
    )
    assert imported(rows)["report"] == {"created": 0, "unchanged": 2, "errors": [], "error_count": 0}

    listed = coordinator_api.get("/api/v1/authorizations/?source=transition").json()["results"]
    assert sorted((r["transition_program"], r["status"], r["reassessment_due"]) for r in listed) == [
        ("hhp", "active", "2027-02-28"),
        ("wpc", "active", "2027-01-01"),
    ]
    wpc = next(r for r in listed if r["transition_program"] == "wpc")
    reassessed = post(
        coordinator_api, f"/api/v1/authorizations/{wpc['id']}/reassessed/", {"reassessed_on": "2026-11-10"}
    )
    assert reassessed.status_code == 200, reassessed.json()
    assert reassessed.json()["reassessed_on"] == "2026-11-10"


def test_an_empty_transition_list_is_refused(coordinator_api):
    response = post(coordinator_api, "/api/v1/transition-imports/", {"rows": []})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "rows.non_field_errors"
