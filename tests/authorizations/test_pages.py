"""The authorization pages (DOMAIN 5 and 6): worklists, submitting, deciding, notices, attachments."""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest, DenialReason, Notice, RequestSource, Status, Urgency
from authorizations.services import (
    attachment_add,
    request_deny,
    request_start_review,
    request_submit,
    transition_import,
)
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.tenancy.models import County, Role
from eligibility.models import PopulationOfFocus
from tests.authorizations.conftest import MONDAY
from tests.factories import enrolled_member

LA = ZoneInfo("America/Los_Angeles")
FRIDAY = datetime(2026, 11, 20, 10, tzinfo=LA)  # the worklist is looked at on Friday morning
STAFF = [Role.CARE_COORDINATOR, Role.REVIEWER, Role.REPORTING_ANALYST, Role.PLAN_ADMINISTRATOR]


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def as_role(client, plan_a, make_membership):
    def login(role):
        membership = make_membership(plan_a, role)
        client.force_login(membership.user)
        return membership

    return login


@pytest.fixture
def in_review(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request):
    """A self-referral received on MONDAY and put in review."""
    request = make_request(plan_a, coordinator_a.user, eligible_member_a)
    with clocks.frozen(MONDAY):
        return request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)


def act(client, request, action, status=None, at=FRIDAY, **fields):
    data = {"expected_status": status or request.status} | {f"{action}-{name}": v for name, v in fields.items()}
    with clocks.frozen(at):
        return client.post(f"/authorizations/{request.pk}/{action}/", data)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_pages_open_for_plan_staff_and_not_for_integrators(client, plan_a, in_review, make_membership):
    with clocks.frozen(FRIDAY):
        request_deny(
            plan=plan_a,
            actor=make_membership(plan_a, Role.REVIEWER).user,
            request=in_review,
            reason="no_pof",
            explanation="You do not meet any Population of Focus.",
        )
    notice = Notice.objects.get(request=in_review)
    pages = [
        "/authorizations/",
        "/authorizations/reassessments/",
        f"/authorizations/{in_review.pk}/",
        f"/authorizations/notices/{notice.pk}/",
        f"/authorizations/notices/{notice.pk}/pdf/",
    ]
    new_form = f"/authorizations/new/?member={in_review.member_id}"
    for role in [*STAFF, Role.INTEGRATOR]:
        client.force_login(make_membership(plan_a, role).user)
        with clocks.frozen(FRIDAY):
            statuses = [client.get(url).status_code for url in pages]
            new_status = client.get(new_form).status_code
        assert statuses == [403 if role == Role.INTEGRATOR else 200] * len(pages), role
        assert new_status == (200 if role == Role.CARE_COORDINATOR else 403), role  # DOMAIN 5.2: coordinators submit


def test_the_worklist_is_sorted_by_due_instant_with_badges(client, plan_a, coordinator_a, make_request, as_role):
    # DOMAIN 5.1: expedited 72 real hours; routine the end of the 5th working day.
    late = enrolled_member(plan_a, last_name="Expedited-Late")
    soon = enrolled_member(plan_a, last_name="Expedited-Soon")
    routine = enrolled_member(plan_a, last_name="Routine-Later")
    make_request(plan_a, coordinator_a.user, routine, at=MONDAY)  # due Mon 11-23 23:59:59
    make_request(
        plan_a, coordinator_a.user, soon, at=datetime(2026, 11, 18, 9, 30, tzinfo=LA), urgency=Urgency.EXPEDITED
    )
    make_request(plan_a, coordinator_a.user, late, at=MONDAY, urgency=Urgency.EXPEDITED)  # due Thu 11-19 10:00
    as_role(Role.REVIEWER)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get("/authorizations/"))
    assert re.findall(r"(Expedited-Late|Expedited-Soon|Routine-Later)", page) == [
        "Expedited-Late",
        "Expedited-Soon",
        "Routine-Later",
    ]
    assert '<span class="tag overdue">Overdue</span> overdue by 1 day' in page
    # Received Wed 09:30: due Sat 09:30, less than 24 hours after Friday 10:00.
    assert '<span class="tag due-soon">Due soon</span> 23 h left' in page
    assert '<span class="clock clock-on-time">3 days 13 h left</span>' in page  # routine: due Monday 23:59:59
    (listed,) = PhiAccess.objects.filter(plan=plan_a, path="/authorizations/")  # issue 15: one row per read
    assert listed.member_ids == [late.pk, soon.pk, routine.pk]


def test_the_worklist_filters(client, plan_a, coordinator_a, make_request, as_role):
    # DOMAIN 5.1: the reviewer narrows the worklist by urgency, county, POF and source.
    alameda = enrolled_member(plan_a, last_name="Alameda-Homeless")
    contra_costa = enrolled_member(plan_a, last_name="Contra-Costa", county=County.objects.get(code="07"))
    homeless = PopulationOfFocus.objects.get(code="HOMELESS")
    make_request(plan_a, coordinator_a.user, alameda, pofs=[homeless], source=RequestSource.PROVIDER_REFERRAL)
    make_request(plan_a, coordinator_a.user, contra_costa, urgency=Urgency.EXPEDITED)
    as_role(Role.REVIEWER)

    def names(query):
        with clocks.frozen(FRIDAY):
            return re.findall(r"(Alameda-Homeless|Contra-Costa)", text_of(client.get(f"/authorizations/?{query}")))

    assert names("") == ["Contra-Costa", "Alameda-Homeless"]
    assert names("urgency=expedited") == ["Contra-Costa"]
    assert names("county=01") == ["Alameda-Homeless"]
    assert names("pof=HOMELESS") == ["Alameda-Homeless"]
    assert names("source=provider_referral") == ["Alameda-Homeless"]
    assert names("source=family_referral") == []
    with clocks.frozen(FRIDAY):
        assert "No open requests with these filters." in text_of(client.get("/authorizations/?county=07&pof=HOMELESS"))


@pytest.mark.parametrize(
    ("received", "urgency", "due"),
    [
        # DOMAIN 5.1: 5th working day 2027-01-07, but the 7-calendar-day limit ends 2027-01-06.
        (datetime(2026, 12, 30, 10, tzinfo=LA), "routine", datetime(2027, 1, 6, 23, 59, 59, tzinfo=LA)),
        # DOMAIN 5.1: 72 real hours over the spring-forward change.
        (datetime(2027, 3, 13, 9, 30, tzinfo=LA), "expedited", datetime(2027, 3, 16, 10, 30, tzinfo=LA)),
    ],
)
def test_submitting_the_form_creates_a_request_due_by_the_clock(
    client, plan_a, eligible_member_a, as_role, received, urgency, due
):
    as_role(Role.CARE_COORDINATOR)
    url = f"/authorizations/new/?member={eligible_member_a.pk}"
    with clocks.frozen(received):
        form = text_of(client.get(url))
        assert re.search(r'value="HOMELESS"[^>]*checked', form)  # the member's open POF, claimed by default
        response = client.post(
            url,
            {
                "source": "family_referral",
                "urgency": urgency,
                "requester_name": "Rosa Example",
                "requester_contact": "intake@clinic.example.org",
                "notes": "Sister asks for help.",
                "pofs": ["HOMELESS"],
            },
        )
    request = AuthorizationRequest.objects.get(plan=plan_a, member=eligible_member_a)
    assert response.status_code == 302 and response["Location"] == f"/authorizations/{request.pk}/"
    assert (request.status, request.source, request.urgency) == (Status.RECEIVED, "family_referral", urgency)
    assert request.received_at == received and request.due_at == due
    assert [pof.code for pof in request.pofs.all()] == ["HOMELESS"]
    assert (request.requester_name, request.requester_contact) == ("Rosa Example", "intake@clinic.example.org")


def test_one_click_start_from_the_high_utilizer_worklist(client, plan_a, eligible_member_a, as_role):
    # DOMAIN 5.1: the plan's own identification is a source; the member's open POFs are claimed.
    as_role(Role.CARE_COORDINATOR)
    with clocks.frozen(FRIDAY):
        worklist = text_of(client.get("/eligibility/worklist/?pof=HOMELESS"))
        assert f'action="/authorizations/start/{eligible_member_a.pk}/"' in worklist
        first = client.post(f"/authorizations/start/{eligible_member_a.pk}/")
        again = client.post(f"/authorizations/start/{eligible_member_a.pk}/")
    request = AuthorizationRequest.objects.get(plan=plan_a, member=eligible_member_a)
    assert first["Location"] == again["Location"] == f"/authorizations/{request.pk}/"
    assert (request.source, request.urgency, request.status) == ("mcp_identification", "routine", "received")
    assert [pof.code for pof in request.pofs.all()] == ["HOMELESS"]
    # DOMAIN 5.1: received Friday 11-20; the 7-calendar-day limit (Fri 11-27) beats the 5th working day.
    assert request.due_at == datetime(2026, 11, 27, 23, 59, 59, tzinfo=LA)
    as_role(Role.REVIEWER)
    with clocks.frozen(FRIDAY):
        assert "Start request" not in text_of(client.get("/eligibility/worklist/?pof=HOMELESS"))
        assert client.post(f"/authorizations/start/{eligible_member_a.pk}/").status_code == 403


def test_a_reviewer_approves_through_the_page_and_the_member_is_assigned(
    client, plan_a, in_review, provider_a, as_role
):
    # DOMAIN 5.2: an eligible result allows approval, which assigns an ECM Provider (DOMAIN 7).
    as_role(Role.REVIEWER)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get(f"/authorizations/{in_review.pk}/"))
    assert "Eligible" in page and "Homeless" in page.title() and 'name="expected_status" value="in_review"' in page
    assert '<button type="submit" class="primary">Approve</button>' in page
    assert "Withdraw</button>" not in page  # coordinators withdraw
    response = act(client, in_review, "approve", decision="full", explanation="Meets the Homeless POF.")
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.decision, in_review.decision_explanation) == (
        "approved",
        "full",
        "Meets the Homeless POF.",
    )
    with clocks.frozen(FRIDAY):
        page = text_of(client.get(response["Location"]))
    assert "Approved." in page and f"Assigned to</dt><dd>{provider_a.name}</dd>" in page
    assert "Approved</td>" in page  # the history


def test_a_coordinators_approve_is_refused_and_changes_nothing(client, plan_a, in_review, as_role):
    # DOMAIN 5.2: coordinators prepare, reviewers decide.
    as_role(Role.CARE_COORDINATOR)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get(f"/authorizations/{in_review.pk}/"))
    assert "Approve</button>" not in page and "Deny</button>" not in page and "Withdraw</button>" in page
    events = AuditEvent.objects.filter(plan=plan_a).count()
    response = act(client, in_review, "approve", decision="full")
    assert response.status_code == 403
    in_review.refresh_from_db()
    assert (in_review.status, in_review.decided_at) == ("in_review", None)
    assert AuditEvent.objects.filter(plan=plan_a).count() == events
    as_role(Role.REPORTING_ANALYST)
    assert act(client, in_review, "start_review").status_code == 403


def test_a_stale_page_is_refused_as_a_conflict(client, plan_a, in_review, as_role):
    # DOMAIN 5.2: two people deciding at once: the second sees a clear conflict, nothing changes.
    as_role(Role.REVIEWER)
    updated_at = in_review.updated_at
    response = act(client, in_review, "deny", status="received", reason="no_pof", explanation="Stale page.")
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.updated_at) == ("in_review", updated_at)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get(response["Location"]))
    assert "Someone else changed this request since you opened it: it is now in review." in page
    assert not Notice.objects.filter(plan=plan_a).exists()


def test_invalid_input_and_refused_rules_are_shown_on_the_page(client, plan_a, in_review, as_role):
    # DOMAIN 5.2: a denial needs a reason code and a plain-language explanation.
    as_role(Role.REVIEWER)
    response = act(client, in_review, "deny", reason="no_pof", explanation="")
    assert response.status_code == 400 and "This field is required." in text_of(response)
    # DOMAIN 5.1: one extension of at most 14 calendar days.
    response = act(client, in_review, "extend", days="15", reason="Waiting for records.")
    assert response.status_code == 400 and "less than or equal to 14" in text_of(response)
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    assert act(client, in_review, "not_an_action").status_code == 404


def test_a_denial_issues_a_notice_to_preview_and_download(client, plan_a, in_review, as_role):
    # DOMAIN 5.3: a member-requested service that is denied gets a denial notice.
    as_role(Role.REVIEWER)
    act(client, in_review, "deny", reason="no_pof", explanation="You do not meet any Population of Focus.")
    notice = Notice.objects.get(plan=plan_a, request=in_review)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get(f"/authorizations/{in_review.pk}/"))
        preview = client.get(f"/authorizations/notices/{notice.pk}/")
        pdf = client.get(f"/authorizations/notices/{notice.pk}/pdf/")
    assert f'href="/authorizations/notices/{notice.pk}/"' in page and "Denial</td>" in page
    assert preview.status_code == 200 and in_review.member.full_name in preview.content.decode()
    policy = dict(d.strip().split(" ", 1) for d in preview["Content-Security-Policy"].split(";"))
    assert (policy["style-src"], policy["script-src"]) == ("'self' 'unsafe-inline'", "'self'")  # never inline scripts
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment; filename=")
    reads = phi_accesses_naming(in_review.member_id).filter(plan=plan_a)
    assert {f"/authorizations/notices/{notice.pk}/", f"/authorizations/notices/{notice.pk}/pdf/"} <= set(
        reads.values_list("path", flat=True)
    )


def test_attachments_upload_and_download(client, plan_a, in_review, as_role):
    as_role(Role.CARE_COORDINATOR)
    upload = io.BytesIO(b"referral form")
    upload.name = "referral.txt"
    with clocks.frozen(FRIDAY):
        response = client.post(f"/authorizations/{in_review.pk}/attachments/", {"file": upload})
    assert response.status_code == 302
    attachment = in_review.attachments.get()
    with clocks.frozen(FRIDAY):
        assert f'href="/authorizations/attachments/{attachment.pk}/"' in text_of(client.get(response["Location"]))
        download = client.get(f"/authorizations/attachments/{attachment.pk}/")
    assert download.content == b"referral form"
    assert download["Content-Disposition"] == 'attachment; filename="referral.txt"'
    as_role(Role.REPORTING_ANALYST)
    upload.seek(0)
    assert client.post(f"/authorizations/{in_review.pk}/attachments/", {"file": upload}).status_code == 403


def test_the_reassessment_worklist_shows_due_dates_and_overdue(client, plan_a, coordinator_a, as_role):
    # DOMAIN 3.5 / 5.1: transition members are reassessed six months after the transition.
    overdue = enrolled_member(plan_a, last_name="Transition-Overdue")
    upcoming = enrolled_member(plan_a, last_name="Transition-Upcoming")
    with clocks.frozen(FRIDAY):
        transition_import(
            plan=plan_a,
            actor=coordinator_a.user,
            rows=[
                {"cin": overdue.cin, "program": "wpc", "transition_date": "2026-03-01"},
                {"cin": upcoming.cin, "program": "hhp", "transition_date": "2026-10-01"},
            ],
        )
    as_role(Role.REVIEWER)
    with clocks.frozen(FRIDAY):
        page = text_of(client.get("/authorizations/reassessments/"))
    assert re.findall(r"Transition-\w+", page) == ["Transition-Overdue", "Transition-Upcoming"]
    assert '2026-09-01 <span class="tag overdue">Overdue</span>' in page and "2027-04-01</td>" in page
    request = AuthorizationRequest.objects.get(plan=plan_a, member=overdue)
    with clocks.frozen(FRIDAY):
        response = client.post(
            f"/authorizations/{request.pk}/reassessed/",
            {
                "expected_status": "active",
                "reassessed-reassessed_on": "2026-11-19",
                "next": "/authorizations/reassessments/",
            },
        )
        assert response["Location"] == "/authorizations/reassessments/"
        assert "Transition-Overdue" not in text_of(client.get("/authorizations/reassessments/"))
    request.refresh_from_db()
    assert request.reassessed_on == date(2026, 11, 19)


def test_pages_run_a_bounded_number_of_queries(
    client, plan_a, coordinator_a, reviewer_a, make_request, as_role, django_assert_max_num_queries
):
    homeless = PopulationOfFocus.objects.get(code="HOMELESS")
    first = enrolled_member(plan_a)
    request = make_request(plan_a, coordinator_a.user, first, pofs=[homeless])
    as_role(Role.REVIEWER)
    # The navigation counts the user's clocks at risk or overdue: one query, whatever the page lists.
    budget = {"/authorizations/": 15, f"/authorizations/{request.pk}/": 21}
    for url, limit in budget.items():
        with clocks.frozen(FRIDAY), django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
    for _ in range(15):
        make_request(plan_a, coordinator_a.user, enrolled_member(plan_a), pofs=[homeless])
    with clocks.frozen(MONDAY):
        for name in ("a.txt", "b.txt", "c.txt"):
            attachment_add(
                plan=plan_a,
                actor=coordinator_a.user,
                request=request,
                name=name,
                content_type="text/plain",
                content=b"x",
            )
        request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
    for url, limit in budget.items():
        with clocks.frozen(FRIDAY), django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_a_refused_approval_shows_the_rule_on_the_page(
    client, plan_a, coordinator_a, reviewer_a, make_request, as_role
):
    # DOMAIN 5.2: approval needs an eligible result (or a discretionary high-utilizer justification).
    member = enrolled_member(plan_a, first_name="Nopof")
    request = make_request(plan_a, coordinator_a.user, member)
    with clocks.frozen(MONDAY):
        request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
    as_role(Role.REVIEWER)
    response = act(client, request, "approve", decision="full")
    assert response.status_code == 400
    assert "is not eligible on 2026-11-20 (Not in a live Population of Focus)" in text_of(response)
    request.refresh_from_db()
    assert request.status == "in_review"


def test_a_members_requests_and_notices_are_listed_on_the_member(client, plan_a, make_membership):
    # DOMAIN 5.3: notices are listed on the member and the request
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
    reviewer = make_membership(plan_a, Role.REVIEWER)
    with scopes_disabled():
        member = enrolled_member(plan_a, first_name="Noemi")
        request = request_submit(plan=plan_a, actor=coordinator.user, member=member, source=RequestSource.SELF_REFERRAL)
        request = request_start_review(plan=plan_a, actor=reviewer.user, request=request)
        request_deny(plan=plan_a, actor=reviewer.user, request=request, reason=DenialReason.OTHER, explanation="x")
        notice = request.notices.get()
    client.force_login(coordinator.user)
    page = client.get(f"/authorizations/members/{member.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/authorizations/{request.pk}/" in html
    assert f"/authorizations/notices/{notice.pk}/pdf/" in html
    assert "Appeal by" in html and str(clocks.local_date(clocks.now())) in html
    assert f"/authorizations/members/{member.pk}/" in client.get(f"/members/{member.pk}/").content.decode()
