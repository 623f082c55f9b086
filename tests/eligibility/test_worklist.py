"""The high-utilizer worklist: newly flagged since the last run, and its sort orders (issue 9)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import Determination, DeterminationSource, PopulationOfFocus, ScanRun, ScanStatus
from eligibility.scan import high_utilizer_scan
from tests.factories import EventFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
RUN_AT = datetime(2026, 10, 5, 2, 0, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def reviewer(client, plan_a, make_membership):
    client.force_login(make_membership(plan_a, Role.REVIEWER).user)
    return client


def listed(client, query=""):
    response = client.get(f"/eligibility/worklist/{query}")
    assert response.status_code == 200
    return re.findall(r"Worklist(\w+),", response.content.decode())


def frequent_visitor(plan, name, first=date(2026, 5, 4)):
    member = enrolled_member(plan, last_name=f"Worklist{name}")
    for week in range(5):
        EventFactory(member=member, service_date=first + timedelta(weeks=week))
    return member


def test_new_only_shows_the_members_the_last_successful_run_flagged(reviewer, plan_a):
    # DOMAIN 3.3 / issue 9: "newly flagged since the last run"
    frequent_visitor(plan_a, "Early")
    with clocks.frozen(RUN_AT):
        high_utilizer_scan(plan=plan_a, data_month=date(2026, 9, 1), actor=OPERATOR)
    assert listed(reviewer, "?new_only=on") == ["Early"]
    frequent_visitor(plan_a, "Later", first=date(2026, 8, 3))
    with clocks.frozen(RUN_AT + timedelta(days=1)):
        second = high_utilizer_scan(plan=plan_a, data_month=date(2026, 9, 1), actor=OPERATOR)
    assert (second.opened, second.unchanged) == (1, 1)
    # A failed run since then does not count as "the last run".
    ScanRun.objects.create(
        plan=plan_a, status=ScanStatus.FAILED, run_date=date(2026, 10, 7), started_at=RUN_AT + timedelta(days=2)
    )
    assert listed(reviewer, "?new_only=on") == ["Later"]
    assert sorted(listed(reviewer)) == ["Early", "Later"]
    page = reviewer.get("/eligibility/worklist/").content.decode()
    assert page.count('<span class="tag">new</span>') == 1


def test_new_only_is_empty_before_any_successful_run(reviewer, plan_a):
    member = enrolled_member(plan_a, last_name="WorklistReferred")
    Determination.objects.create(
        plan=plan_a, member=member, pof=PopulationOfFocus.objects.get(code="HIGH_UTILIZER"),
        source=DeterminationSource.REFERRAL, start_date=date(2026, 9, 1), created_at=clocks.now(),
        updated_at=clocks.now(),
    )  # fmt: skip
    assert listed(reviewer) == ["Referred"]
    assert listed(reviewer, "?new_only=on") == []


@pytest.fixture
def four_flags(plan_a):
    """Open HIGH_UTILIZER determinations flagged on different days in plan A's two counties, plus a
    closed one and another POF's, which the default worklist leaves out."""
    high, homeless = PopulationOfFocus.objects.filter(code__in=["HIGH_UTILIZER", "HOMELESS"]).order_by("code")
    alameda, contra_costa = County.objects.get(code="01"), County.objects.get(code="07")
    rows = [
        ("Adams", contra_costa, date(2026, 3, 1), None, high),
        ("Baker", alameda, date(2026, 2, 1), None, high),
        ("Clark", contra_costa, date(2026, 4, 1), None, high),
        ("Davis", alameda, date(2026, 3, 15), date(2026, 9, 30), high),  # closed
        ("Evans", alameda, date(2026, 3, 20), None, homeless),  # another POF
    ]
    for last_name, county, start, end, pof in rows:
        member = enrolled_member(plan_a, last_name=f"Worklist{last_name}", county=county)
        Determination.objects.create(
            plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL, start_date=start,
            end_date=end, created_at=clocks.now(), updated_at=clocks.now(),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["Clark", "Adams", "Baker"]),  # default: newest flag first
        ("-flagged", ["Clark", "Adams", "Baker"]),
        ("flagged", ["Baker", "Adams", "Clark"]),
        ("name", ["Adams", "Baker", "Clark"]),
        ("county", ["Baker", "Clark", "Adams"]),  # Alameda, then Contra Costa newest first
    ],
)
def test_the_worklist_sorts(reviewer, four_flags, sort, order):
    assert listed(reviewer, f"?pof=HIGH_UTILIZER&sort={sort}") == order


def test_the_worklist_filters_by_county_and_pof(reviewer, four_flags):
    assert listed(reviewer, "?pof=HIGH_UTILIZER&county=01") == ["Baker"]
    assert listed(reviewer, "?pof=HOMELESS") == ["Evans"]
    assert listed(reviewer, "?pof=&sort=name") == ["Adams", "Baker", "Clark", "Evans"]
