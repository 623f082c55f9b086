"""The plan staff's outreach pages (DOMAIN 8): the worklist, one engagement with its attempt form
(the rules' verdict before saving), the close-outs and the referral after one, a member's history,
the settings. Each page calls the services the API calls; their refusals come back on the form."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType

from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from outreach.models import Attempt, Engagement, EngagementState, Method, Outcome, OutreachSettings, TargetKind
from outreach.rules import verdict
from tests.factories import UserFactory, enrolled_member
from tests.providers.test_assignments import assign, contract, organization

pytestmark = pytest.mark.usefixtures("in_plan_a")

NOW = datetime(2026, 11, 23, 18, tzinfo=UTC)  # a Monday in Los Angeles
TARGETED = date(2026, 11, 2)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def identified_member(plan, **fields):
    member = enrolled_member(plan, **fields)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    with clocks.frozen(datetime(2026, 10, 1, 18, tzinfo=UTC)):
        determination_record(
            plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=date(2026, 10, 1),
            criteria_met=pof.criteria, actor=OPERATOR,
        )  # fmt: skip
    return member


def engagement_of(plan, member, *, organization=None, first_attempt_due=None):
    """An open engagement as the targeting job opens it (outreach.targets)."""
    return Engagement.objects.create(
        plan=plan, member=member, kind=TargetKind.ASSIGNED if organization else TargetKind.IDENTIFIED,
        organization=organization, assignment=assign(plan, member, preferred_organization=organization)
        if organization else None, county=member.county, targeted_on=TARGETED,
        first_attempt_due=first_attempt_due or datetime(2026, 11, 16, 18, tzinfo=UTC), created_at=NOW - timedelta(days=21),
    )  # fmt: skip


def attempt_of(engagement, at, method, outcome, minutes=10, asks_for_response=True, staff=None):
    judged = verdict(method, asks_for_response, outcome)
    return Attempt.objects.create(
        plan=engagement.plan, engagement=engagement, member=engagement.member, organization=engagement.organization,
        staff=staff or UserFactory(), attempted_at=at, method=method, asks_for_response=asks_for_response,
        outcome=outcome, minutes=minutes, counts=judged.counts, successful=judged.successful,
        count_reason=judged.reason, recorded_at=at,
    )  # fmt: skip


def outreach_world(plan, member, name):
    """An open engagement of `member` with one counted attempt whose note carries the plan's marker
    (the isolation harness: tests/isolation/specs_outreach_pages.py)."""
    engagement = engagement_of(plan, member)
    attempt_of(engagement, datetime(2026, 11, 17, 18, tzinfo=UTC), Method.TELEPHONE, Outcome.NO_ANSWER)
    Attempt.objects.filter(engagement=engagement).update(notes=f"{name} outreach note")
    return engagement


def build_world(plan_a, plan_b):
    """Plan A: Ida (identified: the plan's staff reach out, first attempt overdue since 11-16) and
    Xena (assigned to Provider 0, first attempt due 11-30). Plan B: Bea (identified)."""
    provider = organization(plan_a, 0)
    contract(plan_a, provider)
    ida = identified_member(plan_a, first_name="Ida", last_name="Identified", phone="555-0101")
    xena = enrolled_member(plan_a, first_name="Xena", last_name="Assigned", county=County.objects.get(code="01"))
    bea = identified_member(plan_b, first_name="Bea", last_name="Bravo")
    return {
        "provider": provider,
        "ida": engagement_of(plan_a, ida),
        "xena": engagement_of(plan_a, xena, organization=provider, first_attempt_due=datetime(2026, 11, 30, 18, tzinfo=UTC)),
        "bea": engagement_of(plan_b, bea),
    }  # fmt: skip


def signed_in(client, plan_a, make_membership):
    """`as_role(role)`: the client signed in as a new member of plan A's staff in `role`."""

    def as_role(role=Role.CARE_COORDINATOR, plan=None):
        client.force_login(make_membership(plan or plan_a, role).user)
        return client

    return as_role


@pytest.fixture
def world(plan_a, plan_b):
    return build_world(plan_a, plan_b)


@pytest.fixture
def login(client, plan_a, make_membership):
    return signed_in(client, plan_a, make_membership)


def get(client, url):
    with clocks.frozen(NOW):
        return client.get(url)


def post(client, url, data=None):
    with clocks.frozen(NOW):
        return client.post(url, data or {})


ATTEMPT = {
    "attempted_at": "2026-11-23T09:15",
    "method": Method.ROBOCALL,
    "asks_for_response": "on",
    "outcome": Outcome.PRERECORDED_MESSAGE,
    "minutes": "1",
}


def test_the_worklist_lists_targeted_members_the_most_overdue_first(world, login):
    """DOMAIN 8: targeted members, no attempt yet, next attempt due, overdue first."""
    page = text_of(get(login(), "/outreach/"))
    assert page.index("Identified, Ida") < page.index("Assigned, Xena")
    assert page.count("No attempt yet") == 2
    assert page.count('<span class="tag overdue">Overdue</span>') == 1  # Ida's, due 11-16
    assert "Provider 0" in page and "Plan staff" in page
    assert "Bravo" not in page  # plan B's member


def test_the_worklist_filters_and_shows_attempts_so_far(world, login):
    """DOMAIN 8: attempts so far (counting ones apart), last attempt; filter by kind and overdue."""
    attempt_of(world["ida"], datetime(2026, 11, 20, 18, tzinfo=UTC), Method.ROBOCALL, Outcome.NO_ANSWER)
    client = login()
    page = text_of(get(client, "/outreach/"))
    assert "1 (0 counting)" in page and "2026-11-20 10:00" in page
    assigned_only = text_of(get(client, "/outreach/?kind=assigned"))
    assert "Xena" in assigned_only and "Ida" not in assigned_only
    overdue_only = text_of(get(client, "/outreach/?overdue=on"))
    assert "Ida" in overdue_only and "Xena" not in overdue_only


def test_the_worklist_says_when_there_is_nothing_to_do(plan_a, login):
    assert "No open outreach with these filters." in text_of(get(login(), "/outreach/"))


def test_the_engagement_page_shows_each_attempt_with_its_verdict_and_the_policy(world, login):
    """DOMAIN 8: attempts that do not count are kept and shown with why; the policy status."""
    ida = world["ida"]
    attempt_of(ida, datetime(2026, 11, 17, 18, tzinfo=UTC), Method.POSTAL_MAIL, Outcome.NO_ANSWER)
    attempt_of(ida, datetime(2026, 11, 18, 18, tzinfo=UTC), Method.IN_PERSON, Outcome.REACHED_MEMBER)
    page = text_of(get(login(), f"/outreach/engagements/{ida.pk}/"))
    assert "Does not count" in page and "Postal mail does not count" in page
    assert "Counts" in page and "Successful" in page
    assert "The member was reached on 2026-11-18." in page
    assert 'name="minutes"' in page and 'value="2026-11-23T10:00"' in page  # now, local time
    assert 'disabled aria-describedby="unreachable-why"' in page
    assert "Refer to the plan's other programs" not in page  # no close-out yet


def test_the_check_button_says_before_saving_that_a_robocall_will_not_count(world, login):
    """DOMAIN 8 / FAQ 20: a pre-recorded robo-call does not count, said before saving."""
    response = post(login(), f"/outreach/engagements/{world['ida'].pk}/attempts/", ATTEMPT | {"check": "1"})
    assert response.status_code == 200
    assert "This attempt will not count." in text_of(response)
    assert "A robo-call that did not connect the member to live staff" in text_of(response)
    assert not Attempt.objects.exists()


def test_saving_an_attempt_stores_the_rules_verdict(world, login):
    """DOMAIN 8: counts and its reason come from the rules, and the first counting attempt is due."""
    client = login()
    url = f"/outreach/engagements/{world['ida'].pk}/attempts/"
    response = post(client, url, ATTEMPT)
    assert response.status_code == 302
    robocall = Attempt.objects.get()
    assert (robocall.counts, robocall.successful, robocall.minutes) == (False, False, 1)
    call = ATTEMPT | {"method": Method.TELEPHONE, "outcome": Outcome.LIVE_MESSAGE, "minutes": "4"}
    assert post(client, url, call).status_code == 302
    assert Attempt.objects.filter(counts=True).count() == 1


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"minutes": ""}, "This field is required."),
        ({"minutes": "601"}, "Ensure this value is less than or equal to 600."),
        ({"attempted_at": "yesterday"}, "Enter a valid date/time."),
        (
            {"method": Method.IN_PERSON, "outcome": Outcome.LIVE_MESSAGE},
            "Live message left by staff cannot be the outcome of in person.",
        ),
    ],
)
def test_the_attempt_form_refuses_bad_input_beside_the_field(world, login, change, field_message):
    response = post(login(), f"/outreach/engagements/{world['ida'].pk}/attempts/", ATTEMPT | change)
    assert response.status_code == 400
    assert f'<p class="error" role="alert">{field_message}</p>' in text_of(response)
    assert not Attempt.objects.exists()


def test_the_services_refusals_land_on_the_attempt_form(world, login):
    """A future time or one before targeting is refused by the service, beside the time."""
    client = login()
    url = f"/outreach/engagements/{world['ida'].pk}/attempts/"
    future = post(client, url, ATTEMPT | {"attempted_at": "2026-11-24T09:00"})
    before = post(client, url, ATTEMPT | {"attempted_at": "2026-10-01T09:00"})
    for response in (future, before):
        assert response.status_code == 400
        assert re.search(
            r'name="attempted_at"[^>]*>\s*(<p class="help">[^<]*</p>)?\s*<p class="error"', response.content.decode()
        )
    assert not Attempt.objects.exists()


def test_the_verdict_endpoint_answers_from_the_counting_rules(world, login):
    """DOMAIN 8: the email rule by content, FAQ 20's robo-call, an impossible outcome."""
    client = login()

    def answer(query):
        response = get(client, f"/outreach/attempts/verdict/?{query}")
        assert response.status_code == 200
        return json.loads(response.content)

    assert answer("method=email&asks_for_response=0&outcome=no_answer")["counts"] is False
    assert answer("method=email&asks_for_response=1&outcome=no_answer")["counts"] is True
    robocall = answer("method=robocall&asks_for_response=1&outcome=callback_answered")
    assert (robocall["counts"], robocall["successful"]) == (True, True)
    assert answer("method=in_person&outcome=live_message")["problem"].startswith("Live message left by staff")
    assert get(client, "/outreach/attempts/verdict/?method=fax&outcome=no_answer").status_code == 400


def test_unable_to_reach_is_refused_until_the_policy_is_met(world, login):
    """DOMAIN 8: a member is closed out as unreachable only after the plan's attempt policy."""
    ida = world["ida"]
    response = post(login(), f"/outreach/engagements/{ida.pk}/unreachable/", {"note": "", "confirmed": "yes"})
    assert response.status_code == 302
    ida.refresh_from_db()
    assert ida.state == EngagementState.OPEN


def test_unable_to_reach_once_the_policy_is_met_opens_the_referral_clock(world, login):
    """DOMAIN 8: 3 counting attempts by 2 methods over 30 days (the defaults), none successful."""
    ida = world["ida"]
    Engagement.objects.filter(pk=ida.pk).update(targeted_on=date(2026, 10, 1))
    for day, method in ((date(2026, 10, 2), Method.TELEPHONE), (date(2026, 10, 15), Method.IN_PERSON),
                        (date(2026, 11, 1), Method.TELEPHONE)):  # fmt: skip
        attempt_of(ida, datetime(day.year, day.month, day.day, 18, tzinfo=UTC), method, Outcome.NO_ANSWER)
    client = login()
    assert "disabled aria-describedby" not in text_of(get(client, f"/outreach/engagements/{ida.pk}/"))
    assert post(client, f"/outreach/engagements/{ida.pk}/unreachable/", {"confirmed": "yes"}).status_code == 302
    ida.refresh_from_db()
    assert ida.state == EngagementState.UNREACHABLE
    target = {"target_type": ContentType.objects.get_for_model(Engagement), "target_id": ida.pk}
    assert Deadline.objects.filter(kind=DeadlineKind.OTHER_PROGRAMS_REFERRAL, **target).exists()


def test_declining_asks_once_more_then_the_coordinator_records_the_referral(world, login):
    """DOMAIN 8 (Policy Guide V.1.f): declined, closed out, then referred to other programs."""
    ida, client = world["ida"], login()
    url = f"/outreach/engagements/{ida.pk}/"
    confirm = post(client, f"{url}decline/", {"note": "Not interested"})
    assert confirm.status_code == 200 and "Close the outreach: the member declined ECM?" in text_of(confirm)
    ida.refresh_from_db()
    assert ida.state == EngagementState.OPEN
    assert post(client, f"{url}decline/", {"note": "Not interested", "confirmed": "yes"}).status_code == 302
    ida.refresh_from_db()
    assert (ida.state, ida.close_note) == (EngagementState.DECLINED, "Not interested")
    page = text_of(get(client, url))
    assert "Refer to the plan's other programs" in page and "Record an attempt" not in page
    empty = post(client, f"{url}referral/", {"note": ""})
    assert empty.status_code == 400 and '<p class="error" role="alert">This field is required.</p>' in text_of(empty)
    assert post(client, f"{url}referral/", {"note": "Food bank, CalFresh"}).status_code == 302
    ida.refresh_from_db()
    assert ida.other_programs_note == "Food bank, CalFresh"


def test_enrolling_an_identified_member_submits_a_request(world, login):
    """DOMAIN 8: a plan-identified member who agrees gets a request (source plan identification)."""
    ida = world["ida"]
    post(login(), f"/outreach/engagements/{ida.pk}/enroll/", {"confirmed": "yes"})
    ida.refresh_from_db()
    assert ida.state == EngagementState.ENROLLED
    assert ida.request.source == "mcp_identification"


def test_the_plans_staff_record_only_the_members_the_plan_identified(world, login):
    """DOMAIN 8: an assigned member's outreach is the ECM Provider's: no form, and a POST is refused."""
    xena, client = world["xena"], login()
    page = text_of(get(client, f"/outreach/engagements/{xena.pk}/"))
    assert "Record an attempt" not in page and "End the outreach" not in page
    assert post(client, f"/outreach/engagements/{xena.pk}/attempts/", ATTEMPT).status_code == 403
    assert not Attempt.objects.exists()


def test_roles_without_the_capability_are_refused_and_another_plans_engagement_is_404(world, login):
    reviewer = login(Role.REVIEWER)
    assert get(reviewer, f"/outreach/engagements/{world['ida'].pk}/").status_code == 200
    assert "Record an attempt" not in text_of(get(reviewer, f"/outreach/engagements/{world['ida'].pk}/"))
    assert post(reviewer, f"/outreach/engagements/{world['ida'].pk}/attempts/", ATTEMPT).status_code == 403
    assert post(reviewer, f"/outreach/engagements/{world['ida'].pk}/decline/", {}).status_code == 403
    coordinator = login()
    assert get(coordinator, f"/outreach/engagements/{world['bea'].pk}/").status_code == 404
    assert post(coordinator, f"/outreach/engagements/{world['bea'].pk}/attempts/", ATTEMPT).status_code == 404


def test_the_members_outreach_history_lists_every_engagement_and_attempt(world, login, plan_a):
    attempt_of(world["ida"], datetime(2026, 11, 17, 18, tzinfo=UTC), Method.TEXT, Outcome.NO_ANSWER, 3, False)
    client = login()
    page = text_of(get(client, f"/members/{world['ida'].member_id}/outreach/"))
    assert "Identified by the plan" in page and "informational only" in page and "Does not count" in page
    untargeted = enrolled_member(plan_a)
    assert "they have not been targeted" in text_of(get(client, f"/members/{untargeted.pk}/outreach/"))
    assert get(client, f"/members/{world['bea'].member_id}/outreach/").status_code == 404
    assert "Outreach history" in text_of(get(client, f"/members/{world['ida'].member_id}/"))


def test_the_outreach_settings_are_the_plan_administrators(plan_a, login):
    assert get(login(), "/settings/outreach/").status_code == 403
    admin = login(Role.PLAN_ADMINISTRATOR)
    assert "Edit outreach settings" in text_of(get(admin, "/settings/"))
    assert 'value="10"' in text_of(get(admin, "/settings/outreach/"))
    fields = {"first_attempt_business_days": "5", "unreachable_attempts": "4", "unreachable_days": "21",
              "unreachable_methods": "2", "referral_business_days": "10"}  # fmt: skip
    refused = post(admin, "/settings/outreach/", fields | {"unreachable_attempts": "0"})
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in text_of(refused)
    assert post(admin, "/settings/outreach/", fields).status_code == 302
    saved = OutreachSettings.objects.get(plan=plan_a)
    assert (saved.first_attempt_business_days, saved.unreachable_attempts, saved.unreachable_days) == (5, 4, 21)


def test_the_worklist_pages_past_its_first_fifty_in_due_order(plan_a, login):
    """Keyset pages over (next attempt due, id): the 51st engagement is on the second page."""
    due = datetime(2026, 11, 10, 18, tzinfo=UTC)
    for number in range(51):
        engagement_of(
            plan_a,
            enrolled_member(plan_a, last_name=f"Row{number:02d}"),
            first_attempt_due=due + timedelta(hours=number),
        )
    client = login()
    first = text_of(get(client, "/outreach/"))
    assert "Row00" in first and "Row49" in first and "Row50" not in first
    later = re.search(r'href="\?before=([\w-]+)">Later due', first).group(1)
    second = text_of(get(client, f"/outreach/?before={later}"))
    assert "Row50" in second and "Row49" not in second
    assert "Sooner due" in second
