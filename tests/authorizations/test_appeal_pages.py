"""Appeals and grievances in the browser (DOMAIN 5.4): the lists (open first, their clocks as
badges), filing an appeal from a notice and a grievance from a member, acknowledging, and
resolving after a confirmation step. Each page calls the service the API calls: the allowed role
succeeds, the others get 403, and the service's refusals come back on the form (400)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from authorizations.models import Appeal, AppealOutcome, DenialReason, Grievance, Notice, Status
from authorizations.services import (
    appeal_acknowledge,
    appeal_file,
    appeal_resolve,
    grievance_file,
    request_deny,
    request_start_review,
)
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.tenancy.models import Role
from tests.authorizations.conftest import MONDAY
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")

LA = ZoneInfo("America/Los_Angeles")
TUESDAY = datetime(2026, 11, 17, 10, tzinfo=LA)  # the day after the denial
STAFF = [Role.CARE_COORDINATOR, Role.REVIEWER, Role.REPORTING_ANALYST, Role.PLAN_ADMINISTRATOR, Role.INTEGRATOR]


@pytest.fixture
def denied(plan_a, coordinator_a, reviewer_a, eligible_member_a, make_request, provider_a):
    """A request denied on MONDAY, with its denial notice."""
    request = make_request(plan_a, coordinator_a.user, eligible_member_a, notes="x", requester_name="Dr. Who")
    with clocks.frozen(MONDAY):
        request = request_start_review(plan=plan_a, actor=reviewer_a.user, request=request)
        return request_deny(
            plan=plan_a, actor=reviewer_a.user, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="No Population of Focus applies.",
        )  # fmt: skip


@pytest.fixture
def notice(denied):
    return Notice.objects.get(request=denied)


@pytest.fixture
def appeal(plan_a, coordinator_a, notice):
    with clocks.frozen(TUESDAY):
        return appeal_file(plan=plan_a, actor=coordinator_a.user, notice=notice, reason="I am homeless.")


@pytest.fixture
def login(client, plan_a, make_membership):
    def as_role(role):
        client.force_login(make_membership(plan_a, role).user)
        return client

    return as_role


def get(client, url, at=TUESDAY):
    with clocks.frozen(at):
        return client.get(url)


def post(client, url, data=None, at=TUESDAY):
    with clocks.frozen(at):
        return client.post(url, data or {})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_pages_are_for_plan_staff_and_filing_for_those_who_record_appeals(login, appeal, notice, plan_a):
    grievance = grievance_file(
        plan=plan_a,
        actor=appeal.created_by,
        member=appeal.member,
        description="Long waits",
        received_at=appeal.received_at,
    )
    pages = ["/appeals/", "/grievances/", f"/appeals/{appeal.pk}/", f"/grievances/{grievance.pk}/"]
    filing = [f"/appeals/new/?notice={notice.pk}", f"/grievances/new/?member={appeal.member_id}"]
    seen = {}
    for role in STAFF:
        client = login(role)
        seen[role] = ([get(client, url).status_code for url in pages], [get(client, url).status_code for url in filing])
    staff, no = [200] * 4, [403] * 4
    assert seen == {
        Role.CARE_COORDINATOR: (staff, [200, 200]),  # DOMAIN 5.4: coordinators and reviewers record them
        Role.REVIEWER: (staff, [200, 200]),
        Role.REPORTING_ANALYST: (staff, [403, 403]),
        Role.PLAN_ADMINISTRATOR: (staff, [403, 403]),
        Role.INTEGRATOR: (no, [403, 403]),  # integrators use the API
    }


def test_an_appeal_is_filed_from_the_notice_on_the_request_page(login, denied, notice):
    # DOMAIN 5.4: an appeal of a NOA, within 60 calendar days of the notice date.
    client = login(Role.CARE_COORDINATOR)
    assert f'href="/appeals/new/?notice={notice.pk}">File an appeal</a>' in text_of(
        get(client, f"/authorizations/{denied.pk}/")
    )
    url = f"/appeals/new/?notice={notice.pk}"
    assert post(client, url, {"reason": ""}).status_code == 400
    response = post(client, url, {"reason": "I am homeless.", "is_expedited": "on"})
    appeal = Appeal.objects.get(notice=notice)
    assert response.status_code == 302 and response.url == f"/appeals/{appeal.pk}/"
    assert (appeal.reason, appeal.is_expedited) == ("I am homeless.", True)
    assert AuditEvent.objects.filter(code="authorizations.appeal.filed", target_id=str(appeal.pk)).count() == 1
    page = text_of(get(client, response.url))
    assert "Appeal recorded: to be resolved by 2026-11-20 10:00." in page  # expedited: 72 hours


def test_a_late_appeal_is_refused_on_its_field(login, notice):
    client = login(Role.REVIEWER)
    late = notice.notice_date + timedelta(days=61)
    response = post(client, f"/appeals/new/?notice={notice.pk}", {"reason": "Late"}, at=datetime(
        late.year, late.month, late.day, 10, tzinfo=LA
    ))  # fmt: skip
    assert response.status_code == 400
    assert re.search(
        r'<p class="error" role="alert">An appeal of this notice had to be filed between 2026-11-16 and [\d-]+\.</p>',
        text_of(response),
    )
    assert not Appeal.objects.exists()


def test_the_list_puts_open_cases_first_with_their_clock_badges(plan_a, login, appeal, reviewer_a, eligible_member_a):
    # DOMAIN 5.4: acknowledgement due in 5 calendar days, resolution in 30.
    other = enrolled_member(plan_a, last_name="Resolved")
    with clocks.frozen(TUESDAY):
        closed = grievance_file(plan=plan_a, actor=reviewer_a.user, member=other, description="Rude call")
    client = login(Role.REVIEWER)
    post(
        client,
        f"/grievances/{closed.pk}/resolve/",
        {"outcome": "resolved", "summary": "Apologised", "confirmed": "yes"},
    )
    with clocks.frozen(TUESDAY):
        open_one = grievance_file(plan=plan_a, actor=reviewer_a.user, member=eligible_member_a, description="Wait")
    # A fresh sign-in for each later look: a session idle for days has ended.
    page = text_of(get(login(Role.REVIEWER), "/grievances/", at=TUESDAY + timedelta(days=6)))
    assert page.index(f"Grievance {open_one.pk}<") < page.index(f"Grievance {closed.pk}<")
    assert '<span class="tag overdue">Overdue</span> <span class="clock clock-overdue">overdue by' in page
    appeals = text_of(get(login(Role.REVIEWER), "/appeals/", at=TUESDAY + timedelta(days=5)))
    assert '<span class="tag due-soon">Due soon</span>' in appeals  # acknowledgement due in under a day


def test_acknowledging_is_recorded_once(login, appeal):
    assert post(login(Role.REPORTING_ANALYST), f"/appeals/{appeal.pk}/acknowledge/").status_code == 403
    client = login(Role.CARE_COORDINATOR)
    assert post(client, f"/appeals/{appeal.pk}/acknowledge/").status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).acknowledged_at is not None
    again = post(client, f"/appeals/{appeal.pk}/acknowledge/")
    assert "It was acknowledged already." in text_of(get(client, again.url))


def test_resolving_an_appeal_asks_once_more_and_an_overturn_authorizes(login, appeal, denied):
    # DOMAIN 5.2: an overturned denial is authorized (denied -> approved); only reviewers resolve.
    url = f"/appeals/{appeal.pk}/resolve/"
    data = {"outcome": AppealOutcome.OVERTURNED, "summary": "The member is homeless after all."}
    assert post(login(Role.CARE_COORDINATOR), url, data).status_code == 403
    client = login(Role.REVIEWER)
    assert "Resolve…" in text_of(get(client, f"/appeals/{appeal.pk}/"))
    missing = post(client, url, {"outcome": AppealOutcome.OVERTURNED, "summary": ""})
    assert missing.status_code == 400

    asked = post(client, url, data)
    assert asked.status_code == 200
    assert "Resolve it as overturned?" in text_of(asked) and "Yes, resolve the appeal" in text_of(asked)
    assert Appeal.objects.get(pk=appeal.pk).resolved_at is None  # nothing happens unconfirmed

    done = post(client, url, data | {"confirmed": "yes"})
    assert done.status_code == 302
    resolved = Appeal.objects.get(pk=appeal.pk)
    assert (resolved.outcome, resolved.resolution_summary) == ("overturned", "The member is homeless after all.")
    denied.refresh_from_db()
    assert denied.status == Status.APPROVED
    assert "The appeal is resolved: overturned." in text_of(get(client, done.url))


def test_a_resolved_appeal_cannot_be_resolved_again(login, appeal, reviewer_a, plan_a):
    with clocks.frozen(TUESDAY):
        appeal_acknowledge(plan=plan_a, actor=reviewer_a.user, appeal=appeal)
        appeal_resolve(plan=plan_a, actor=reviewer_a.user, appeal=appeal, outcome="upheld", summary="Upheld.")
    client = login(Role.REVIEWER)
    assert "Resolve…" not in text_of(get(client, f"/appeals/{appeal.pk}/"))
    again = post(
        client, f"/appeals/{appeal.pk}/resolve/", {"outcome": "overturned", "summary": "x", "confirmed": "yes"}
    )
    assert again.status_code == 409
    assert "The appeal is resolved already." in text_of(again)
    assert Appeal.objects.get(pk=appeal.pk).outcome == "upheld"


def test_a_grievance_is_filed_from_the_member_and_resolved(plan_a, login, denied, eligible_member_a):
    # DOMAIN 5.4: any expression of dissatisfaction, at any time; coordinators resolve grievances.
    client = login(Role.CARE_COORDINATOR)
    for member_page in (f"/members/{eligible_member_a.pk}/", f"/authorizations/members/{eligible_member_a.pk}/"):
        assert f'href="/grievances/new/?member={eligible_member_a.pk}">File a grievance</a>' in text_of(
            get(client, member_page)
        )
    response = post(
        client,
        f"/grievances/new/?member={eligible_member_a.pk}&request={denied.pk}",
        {"description": "Nobody called back.", "is_urgent": "on"},
    )
    grievance = Grievance.objects.get(member=eligible_member_a)
    assert response.url == f"/grievances/{grievance.pk}/"
    assert (grievance.request, grievance.is_urgent) == (denied, True)

    url = f"/grievances/{grievance.pk}/resolve/"
    data = {"outcome": "unresolved", "summary": "The provider disagrees."}
    assert post(login(Role.REPORTING_ANALYST), url, data).status_code == 403
    client = login(Role.CARE_COORDINATOR)
    assert post(client, url, data).status_code == 200
    assert Grievance.objects.get(pk=grievance.pk).resolved_at is None
    assert post(client, url, data | {"confirmed": "yes"}).status_code == 302
    assert Grievance.objects.get(pk=grievance.pk).outcome == "unresolved"


def test_a_grievance_about_another_members_request_is_refused(plan_a, login, denied):
    other = enrolled_member(plan_a, last_name="Other")
    response = post(
        login(Role.CARE_COORDINATOR), f"/grievances/new/?member={other.pk}&request={denied.pk}", {"description": "x"}
    )
    assert response.status_code == 400
    assert '<div class="error" role="alert">The request is not this member&#x27;s.</div>' in text_of(response)
    assert not Grievance.objects.exists()


def test_a_partial_overturn_says_what_is_approved(login, appeal, denied):
    # DOMAIN 5.2, 5.4: a partially overturned denial approves with a modification (its NOA).
    url = f"/appeals/{appeal.pk}/resolve/"
    data = {"outcome": AppealOutcome.PARTIALLY_OVERTURNED, "summary": "Part of it.", "confirmed": "yes"}
    client = login(Role.REVIEWER)
    missing = post(client, url, data)
    assert missing.status_code == 400
    assert '<p class="error" role="alert">Say what is approved after the partial overturn.</p>' in text_of(missing)
    assert Appeal.objects.get(pk=appeal.pk).resolved_at is None

    asked = post(client, url, {**data, "modification": "Three months of ECM", "confirmed": ""})
    assert "What is approved</dt><dd>Three months of ECM" in text_of(asked)
    assert post(client, url, data | {"modification": "Three months of ECM"}).status_code == 302
    denied.refresh_from_db()
    assert (denied.status, denied.decision, denied.modification) == (Status.APPROVED, "modified", "Three months of ECM")
