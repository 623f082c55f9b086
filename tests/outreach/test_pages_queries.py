"""Every outreach page runs a bounded number of queries (at most 12, as tests/isolation/
test_page_query_counts.py asks of every page), the same for one row and for several: no query per
engagement, attempt or run. And the isolation specs of these pages (tests/isolation/
specs_outreach_pages.py) hold here already: a plan B coordinator reaches none of plan A's objects."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from outreach.measure_runs import measure_run_build
from outreach.models import Engagement, EngagementState, MeasureRun, Method, Outcome
from tests.isolation import specs_outreach_pages
from tests.outreach.test_pages import NOW, attempt_of, engagement_of, identified_member
from tests.outreach.world import organization_of, staff_of
from tests.providers.test_assignments import assign

pytestmark = pytest.mark.usefixtures("in_plan_a")

MAX_QUERIES = 12


def queries(client, path) -> int:
    with clocks.frozen(NOW), CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def grow(plan, provider, count):
    """`count` open engagements of the provider's members, each with two attempts, `count` closed
    engagements of one member, and `count` measure runs."""
    for _ in range(count):
        engagement = engagement_of(plan, identified_member(plan), organization=provider)
        for day in (17, 18):
            attempt_of(engagement, datetime(2026, 11, day, 18, tzinfo=UTC), Method.TELEPHONE, Outcome.NO_ANSWER)
    member = Engagement.objects.filter(plan=plan).order_by("id").first().member
    for number in range(count):
        closed = Engagement.objects.create(
            plan=plan, member=member, kind="identified", county=member.county, targeted_on=date(2026, 10, 1),
            first_attempt_due=NOW - timedelta(days=40), created_at=NOW - timedelta(days=50),
            state=EngagementState.DECLINED, closed_at=NOW - timedelta(days=30 - number),
        )  # fmt: skip
        attempt_of(closed, datetime(2026, 10, 2, 18, tzinfo=UTC), Method.EMAIL, Outcome.NO_ANSWER)
        with clocks.frozen(NOW):
            measure_run_build(plan=plan, actor=OPERATOR, year=2026, quarter=4)


def page_costs(client, provider_client, plan) -> dict:
    engagement = Engagement.objects.filter(plan=plan, state=EngagementState.OPEN).order_by("id").first()
    run = MeasureRun.objects.filter(plan=plan).first()
    plan_pages = {
        "worklist": "/outreach/",
        "overdue": "/outreach/?overdue=on",
        "engagement": f"/outreach/engagements/{engagement.pk}/",
        "member": f"/members/{engagement.member_id}/outreach/",
        "runs": "/outreach/measures/",
        "run": f"/outreach/measures/{run.pk}/",
        "settings": "/settings/outreach/",
        "verdict": "/outreach/attempts/verdict/?method=email&asks_for_response=1&outcome=no_answer",
    }
    for signed_in in (client, provider_client):
        queries(signed_in, "/outreach/attempts/verdict/?method=text&outcome=no_answer")  # the session's activity stamp
    provider_pages = {
        "provider worklist": "/provider/outreach/",
        "provider engagement": f"/provider/outreach/{engagement.pk}/",
    }
    return {name: queries(client, path) for name, path in plan_pages.items()} | {
        name: queries(provider_client, path) for name, path in provider_pages.items()
    }


def test_each_outreach_page_runs_at_most_12_queries_however_many_rows(plan_a, client, make_membership):
    provider = organization_of(plan_a)
    admin = make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user
    client.force_login(admin)
    provider_client = type(client)()
    provider_client.force_login(staff_of(plan_a, provider).user)
    grow(plan_a, provider, 1)
    few = page_costs(client, provider_client, plan_a)
    grow(plan_a, provider, 4)
    many = page_costs(client, provider_client, plan_a)
    assert many == few
    assert {path: cost for path, cost in many.items() if cost > MAX_QUERIES} == {}
    assert Engagement.objects.filter(plan=plan_a, state=EngagementState.OPEN).count() == 5


def test_the_isolation_specs_keep_plan_a_out_of_plan_b_coordinators_reach(plan_a, plan_b, client, make_membership):
    """The specs the harness runs for every role (test_isolation.py), here for one: each foreign
    call is 403 or 404, and no page shows the marker of plan A's rows."""
    provider = organization_of(plan_a)
    member = identified_member(plan_a)
    assign(plan_a, member, preferred_organization=provider)
    specs_outreach_pages.outreach_world(plan_a, member, "ALPHA-SECRET")
    objects = specs_outreach_pages.objects_of(plan_a) | {"member": member.pk}
    client.force_login(make_membership(plan_b, Role.CARE_COORDINATOR).user)
    assert objects["engagement"] and objects["measure_run"]
    for calls in specs_outreach_pages.PAGE_SPECS.values():
        for call in calls:
            url = call.url.format(**objects)
            with clocks.frozen(NOW):
                response = client.get(url) if call.method == "get" else client.post(url, call.data)
            assert b"ALPHA-SECRET" not in response.content, str(call)
            if call.foreign:
                assert response.status_code in (403, 404), (str(call), response.status_code)
    assert Engagement.objects.get(pk=objects["engagement"]).state == EngagementState.OPEN
