"""The deadline registry in the browser and the API (ARCHITECTURE, Deadlines): each role's page of
the running clocks it owns, the soonest due first, with at-risk (DOMAIN 5.1: under 24 hours left)
and overdue badges, filters and keyset pages; the count beside "Deadlines" in the navigation; the
member page's clocks; `GET /api/v1/deadlines/`; and the operator's `deadlines_check`."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from authorizations.models import Appeal, AuthorizationRequest, Grievance
from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.deadlines.services import deadline_open
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import OPERATOR, Capability
from ecm_platform.tenancy.models import County, Role
from eligibility.models import PopulationOfFocus
from providers.models import AwaitingAssignment
from providers.services import contract_create, organization_create
from tests.factories import activated, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 9, tzinfo=LA)

pytestmark = pytest.mark.usefixtures("in_plan_a")


def clock(plan, target, kind, due, owner, label, member=None, link=""):
    with clocks.frozen(NOW - timedelta(days=2)):
        return deadline_open(
            plan=plan, kind=kind, target=target, due_at=due, owner=owner, label=label, member=member, link=link
        )


def decision(plan, member, due, label=None):
    label = label or f"Decide request for {member.full_name}"
    return clock(plan, member, DeadlineKind.DECISION, due, Capability.AUTHORIZATIONS_APPROVE, label, member, "/x/")


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a, first_name="Dana", last_name="Deadline")


@pytest.fixture
def contract(plan_a):
    organization = organization_create(
        plan=plan_a, actor=OPERATOR, npi="1234567893", tax_id="123456789", name="Vetted Clinic",
        organization_type="cbo", enrollment_pathway="mcp_vetting",
    )  # fmt: skip
    return activated(contract_create(
        plan=plan_a, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2026, 1, 1),
    ))  # fmt: skip


@pytest.fixture
def clocks_of_each_owner(plan_a, member, contract):
    """A decision overdue, one at risk and one open (the reviewer's), a letter waiting for the
    plan's contact and a vetting to complete (the plan administrator's)."""
    other = enrolled_member(plan_a, first_name="Olive", last_name="Open")
    soon = enrolled_member(plan_a, first_name="Sam", last_name="Soon")
    return {
        "overdue": decision(plan_a, member, NOW - timedelta(hours=3)),
        "at_risk": decision(plan_a, soon, NOW + timedelta(hours=5)),
        "open": decision(plan_a, other, NOW + timedelta(days=4)),
        "letter": clock(plan_a, member, DeadlineKind.LETTER_CONTACT, NOW + timedelta(days=2),
                        Capability.PLAN_SETTINGS_MANAGE, "Letter held: set the plan's contact", member),
        "vetting": clock(plan_a, contract, DeadlineKind.VETTING, NOW + timedelta(hours=20),
                         Capability.PROVIDERS_MANAGE, "Vetting of Vetted Clinic to complete"),
    }  # fmt: skip


def page_of(client, plan, role, make_membership, url="/deadlines/"):
    client.force_login(make_membership(plan, role).user)
    with clocks.frozen(NOW):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(html):
    return re.findall(r"<tr>\s*<td class=\"when\">.*?</tr>", html, re.S)


def test_each_role_sees_the_clocks_it_owns(client, plan_a, make_membership, clocks_of_each_owner):
    """ARCHITECTURE, Deadlines: a deadlines page per role; DOMAIN 5.1: decisions are the reviewer's."""
    reviewer = page_of(client, plan_a, Role.REVIEWER, make_membership)
    assert [re.search(r"Decide request for (\w+ \w+)", row)[1] for row in rows_of(reviewer)] == [
        "Dana Deadline", "Sam Soon", "Olive Open",
    ]  # fmt: skip
    assert "Vetting of Vetted" not in reviewer and "Letter held: set" not in reviewer
    administrator = page_of(client, plan_a, Role.PLAN_ADMINISTRATOR, make_membership)
    assert ["Vetting of" in row for row in rows_of(administrator)] == [True, False]
    assert "Letter held: set the plan&#x27;s contact" in administrator and "Decide request" not in administrator
    analyst = page_of(client, plan_a, Role.REPORTING_ANALYST, make_membership)
    assert rows_of(analyst) == []
    assert "No running clocks: nothing your role owns is due." in analyst


def test_badges_say_overdue_and_at_risk_and_link_where_the_clock_is_met(
    client, plan_a, make_membership, clocks_of_each_owner
):
    overdue, at_risk, far = rows_of(page_of(client, plan_a, Role.REVIEWER, make_membership))
    assert '<span class="tag overdue">Overdue</span> by 3' in overdue
    assert '<span class="tag due-soon">At risk</span> 5' in at_risk  # DOMAIN 5.1: under 24 hours left
    assert "tag" not in far and "4\xa0days left" in far
    assert '<a href="/x/">Decide request for Dana Deadline</a>' in overdue


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=overdue", ["Dana Deadline"]),
        ("state=at_risk", ["Sam Soon"]),
        ("state=open", ["Olive Open"]),
        ("kind=decision&state=open", ["Olive Open"]),
        ("kind=vetting", []),
        ("state=nonsense", ["Dana Deadline", "Sam Soon", "Olive Open"]),
    ],
)
def test_the_page_filters_by_kind_and_state_as_of_now(
    client, plan_a, make_membership, clocks_of_each_owner, query, expected
):
    html = page_of(client, plan_a, Role.REVIEWER, make_membership, f"/deadlines/?{query}")
    assert [re.search(r"Decide request for (\w+ \w+)", row)[1] for row in rows_of(html)] == expected
    if not expected:
        assert "No running clocks of yours with these filters." in html


def test_the_page_goes_past_fifty_by_due_instant_and_back(client, plan_a, make_membership):
    members = [enrolled_member(plan_a, first_name="Page", last_name=f"M{n:02d}") for n in range(55)]
    for number, member in enumerate(members):
        # Three share the due instant at the page boundary: the id breaks the tie.
        due = NOW + timedelta(hours=min(number, 49) if number < 52 else number)
        decision(plan_a, member, due, label=f"Decide request {number:02d}")
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)

    def labels(url):
        with clocks.frozen(NOW):
            html = client.get(url).content.decode()
        later = re.search(r'href="\?(?:state=&amp;)?(before=[\w-]+)">Later due', html)
        sooner = re.search(r'href="\?(after=[\w-]+)">&larr; Sooner due', html)
        return re.findall(r"Decide request (\d\d)", html), later and later[1], sooner and sooner[1]

    first, later, sooner = labels("/deadlines/")
    assert (first, sooner) == ([f"{n:02d}" for n in range(50)], None)
    second, past_end, back = labels(f"/deadlines/?{later}")
    assert (second, past_end) == ([f"{n:02d}" for n in range(50, 55)], None)
    assert labels(f"/deadlines/?{back}")[0] == first


def test_the_navigation_counts_the_users_clocks_at_risk_or_overdue(
    client, plan_a, make_membership, clocks_of_each_owner
):
    reviewer = page_of(client, plan_a, Role.REVIEWER, make_membership, "/")
    assert re.search(r">Deadlines <span class=\"tag overdue\">2<span class=\"visually-hidden\"> at risk or", reviewer)
    administrator = page_of(client, plan_a, Role.PLAN_ADMINISTRATOR, make_membership, "/")
    assert 'Deadlines <span class="tag overdue">1<' in administrator  # the vetting, 20 hours left
    analyst = page_of(client, plan_a, Role.REPORTING_ANALYST, make_membership, "/")
    assert ">Deadlines</a>" in analyst


def test_the_member_page_lists_the_members_running_clocks(
    client, plan_a, member, make_membership, clocks_of_each_owner
):
    html = page_of(client, plan_a, Role.REPORTING_ANALYST, make_membership, f"/members/{member.pk}/")
    section = html.split('id="member-deadlines"')[1].split("</section>")[0]
    assert [label.strip() for label in re.findall(r"<td>(?:<a [^>]*>)?([^<]+)", section)] == [
        "Decide request for Dana Deadline",
        "Letter held: set the plan&#x27;s contact",
    ]
    assert "Overdue" in section
    Deadline.objects.update(state=DeadlineState.MET)
    html = page_of(client, plan_a, Role.REPORTING_ANALYST, make_membership, f"/members/{member.pk}/")
    assert "No running clocks for this member." in html


def api_get(client, url):
    with clocks.frozen(NOW):
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_lists_the_callers_clocks_soonest_first(plan_a, make_membership, make_api_client, clocks_of_each_owner):
    """ARCHITECTURE, API: list endpoints paginate and filter; DOMAIN 5.1 at risk under 24 hours."""
    client = make_api_client(make_membership(plan_a, Role.REVIEWER))
    body = api_get(client, "/api/v1/deadlines/")
    overdue = clocks_of_each_owner["overdue"]
    assert body["results"][0] == {
        "id": overdue.pk, "kind": "decision", "label": "Decide request for Dana Deadline", "link": "/x/",
        "member": overdue.member_id, "target_type": "members.member", "target_id": overdue.member_id,
        "owner": "authorizations.approve", "due_at": "2026-12-01T06:00:00-08:00", "state": "overdue",
        "opened_at": "2026-11-29T09:00:00-08:00",
    }  # fmt: skip
    assert [row["state"] for row in body["results"]] == ["overdue", "at_risk", "open"]
    assert [row["id"] for row in api_get(client, "/api/v1/deadlines/?state=at_risk")["results"]] == [
        clocks_of_each_owner["at_risk"].pk
    ]
    first = api_get(client, "/api/v1/deadlines/?page_size=2")
    assert len(first["results"]) == 2 and first["next"]
    assert [row["state"] for row in api_get(client, first["next"])["results"]] == ["open"]
    assert client.get("/api/v1/deadlines/?state=late").status_code == 400
    assert client.get("/api/v1/deadlines/?member=x").status_code == 400


def test_the_api_lists_a_members_clocks_whoever_owns_them(
    plan_a, member, make_membership, make_api_client, clocks_of_each_owner
):
    client = make_api_client(make_membership(plan_a, Role.REVIEWER))
    rows = api_get(client, f"/api/v1/deadlines/?member={member.pk}")["results"]
    assert [row["kind"] for row in rows] == ["decision", "letter_contact"]
    assert api_get(client, f"/api/v1/deadlines/?member={member.pk}&kind=letter_contact")["results"][0]["kind"] == (
        "letter_contact"
    )
    with scopes_disabled():
        assert phi_accesses_naming(member.pk).count() == 2


def test_an_integrator_sees_the_clocks_of_the_capabilities_it_holds(
    plan_a, member, make_membership, make_api_client, clocks_of_each_owner
):
    attachments = clock(plan_a, member, DeadlineKind.PROVIDER_CHANGE, NOW + timedelta(days=9),
                        Capability.ATTACHMENTS_ADD, "Records to attach", member)  # fmt: skip
    client = make_api_client(make_membership(plan_a, Role.INTEGRATOR))
    assert [row["id"] for row in api_get(client, "/api/v1/deadlines/")["results"]] == [attachments.pk]


def test_deadlines_check_runs_the_monitor_once_per_state_change(plan_a, make_membership, clocks_of_each_owner):
    reviewer = make_membership(plan_a, Role.REVIEWER)
    output = io.StringIO()
    with clocks.frozen(NOW):
        call_command("deadlines_check", stdout=output)
        call_command("deadlines_check", "--plan", plan_a.code, stdout=output)
    assert output.getvalue().splitlines() == [
        f"{plan_a.code}: 2 newly at risk, 1 newly overdue, 2 notifications sent; 5 clocks running.",
        f"{plan_a.code}: 0 newly at risk, 0 newly overdue, 0 notifications sent; 5 clocks running.",
    ]
    assert Notification.objects.filter(recipient=reviewer.user).count() == 2  # the overdue and the at-risk one


def test_the_demo_shows_every_state_and_runs_the_monitor_once(db):
    """Issue 14: the demo shows presumptive, withdrawn, discontinued, appeals, grievances and an
    approved member awaiting assignment, and runs the deadline monitor once at load."""
    output = io.StringIO()
    call_command("demo_load", stdout=output)
    assert re.search(
        r"^golden-state: \d+ newly at risk, \d+ newly overdue, \d+ notifications sent", output.getvalue(), re.M
    )
    with scopes_disabled():
        statuses = set(AuthorizationRequest.objects.values_list("status", flat=True))
        assert {"presumptive", "withdrawn", "denied", "approved", "active", "discontinued", "deferred"} <= statuses
        scheduled = AuthorizationRequest.objects.filter(status="active", discontinuation_effective_on__isnull=False)
        assert [request.discontinuation_state for request in scheduled] == ["scheduled"]
        assert set(Appeal.objects.values_list("outcome", flat=True)) == {"", "overturned"}
        assert Grievance.objects.filter(resolved_at__isnull=True).count() == 2
        assert AwaitingAssignment.objects.filter(resolved_at__isnull=True, member__county__code="10").exists()
        # The monitor ran at load: the reviewer's bell holds the decisions due soon.
        assert Notification.objects.filter(recipient__username="reviewer", text__contains="is due soon").exists()
