"""Claims, scans, determinations and eligibility through the API and the pages (DOMAIN 3.3)."""

import io
import re
from datetime import date, timedelta

import pytest

from ecm_platform import clocks
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from eligibility.models import Determination, PopulationOfFocus, ScanRun, UtilizationEvent
from eligibility.scan import high_utilizer_scan
from tests.factories import EventFactory, MembershipFactory, enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def coordinator(plan_a, make_membership):
    return make_membership(plan_a, Role.CARE_COORDINATOR)


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a, cin="91234567A")


def claim(number, **overrides):
    return {
        "claim_id": f"C{number}",
        "cin": "91234567A",
        "event_type": "ED",
        "service_date": (date(2026, 5, 4) + timedelta(weeks=number)).isoformat(),
        "avoidable": True,
        "adjudication_date": "2026-10-01",
    } | overrides


def test_bulk_claims_then_a_scan_flags_the_member(
    plan_a, member, coordinator, make_api_client, django_capture_on_commit_callbacks
):
    api = make_api_client(MembershipFactory(plan=plan_a, role=Role.INTEGRATOR))
    loaded = api.post("/api/v1/utilization-events/bulk/", {"events": [claim(n) for n in range(5)]}, format="json")
    assert loaded.json() == {"rows": 5, "inserted": 5, "replaced": 0, "unchanged": 0}
    again = api.post("/api/v1/utilization-events/bulk/", {"events": [claim(n) for n in range(5)]}, format="json")
    assert again.json()["unchanged"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post("/api/v1/scans/", {"data_month": "2026-09"}, format="json")
    assert queued.status_code == 202
    scan = api.get("/api/v1/scans/").json()["results"][0]
    assert (scan["status"], scan["data_month"], scan["qualified"]) == ("succeeded", "2026-09-01", 1)
    determinations = api.get(f"/api/v1/determinations/?member={member.pk}&is_open=true").json()["results"]
    assert determinations[0]["pof"] == "HIGH_UTILIZER"
    assert determinations[0]["evidence"]["ed_visits"] == 5
    eligibility = api.get(f"/api/v1/members/{member.pk}/eligibility/").json()
    assert (eligibility["outcome"], eligibility["live_pofs"]) == ("eligible", ["HIGH_UTILIZER"])


def test_a_bad_bulk_row_rejects_the_whole_request_with_row_errors(plan_a, member, coordinator, make_api_client):
    api = make_api_client(coordinator)
    rows = [claim(0), claim(1, event_type="CLINIC"), claim(2, cin="00000000X")]
    response = api.post("/api/v1/utilization-events/bulk/", {"events": rows}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["detail"]) for e in response.json()["errors"]] == [
        ("events.1.event_type", "Use one of ED, INPATIENT, SNF_SHORT_TERM."),
        ("events.2.cin", "No member of this plan has CIN 00000000X."),
    ]
    assert UtilizationEvent.objects.count() == 0


def test_analysts_and_reviewers_cannot_feed_claims_or_start_scans(plan_a, member, make_membership, make_api_client):
    for role in (Role.REPORTING_ANALYST, Role.REVIEWER):
        api = make_api_client(make_membership(plan_a, role))
        assert api.post("/api/v1/utilization-events/bulk/", {"events": [claim(0)]}, format="json").status_code == 403
        assert api.post("/api/v1/scans/", {}, format="json").status_code == 403
        assert api.get("/api/v1/scans/").status_code == 200
    assert ScanRun.objects.count() == 0


def test_the_claims_upload_page_reports_row_errors_and_loads_good_files(client, plan_a, member, coordinator):
    client.force_login(coordinator.user)
    header = "claim_id,cin,event_type,service_date,avoidable,adjudication_date\n"
    bad = io.BytesIO(
        (header + "C1,91234567A,ED,2026-09-01,true,2026-09-20\nC2,91234567A,ED,2026-13-01,true,2026-09-20\n").encode()
    )
    bad.name = "claims.csv"
    page = client.post("/eligibility/claims/upload/", {"file": bad}).content.decode()
    assert "Nothing was loaded: 1 error in 1 of 2 rows" in page and "&#x27;2026-13-01&#x27; is not a date" in page
    good = io.BytesIO((header + "C1,91234567A,ED,2026-09-01,true,2026-09-20\n").encode())
    good.name = "claims.csv"
    page = client.post("/eligibility/claims/upload/", {"file": good}).content.decode()
    assert "Loaded 1 row: 1 new, 0 replaced, 0 unchanged." in page
    missing = io.BytesIO(b"claim_id,cin\nC9,91234567A\n")
    missing.name = "claims.csv"
    page = client.post("/eligibility/claims/upload/", {"file": missing}).content.decode()
    assert "The header lacks the columns: adjudication_date, avoidable, event_type, service_date." in page


def test_the_worklist_shows_newly_flagged_members_and_filters(
    client, plan_a, coordinator, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    flagged = []
    for number in range(30):
        person = enrolled_member(plan_a, last_name=f"Flagged{number:02d}")
        for week in range(5):
            EventFactory(member=person, service_date=date(2026, 5, 4) + timedelta(weeks=week))
        flagged.append(person)
    client.force_login(coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/eligibility/scans/start/")
    with django_assert_max_num_queries(16):
        page = client.get("/eligibility/worklist/").content.decode()
    assert len(re.findall(r"Flagged\d\d", page)) == 30 and page.count(">new<") == 30
    assert "data month 2026-06" in page
    by_county = client.get("/eligibility/worklist/?county=07&pof=HIGH_UTILIZER").content.decode()
    assert "Nobody on the worklist" in by_county
    assert Determination.objects.filter(plan=plan_a, end_date__isnull=True).count() == 30


def test_the_member_page_shows_why_and_is_a_phi_read(client, plan_a, member, coordinator):
    for week in range(5):
        EventFactory(
            member=member,
            service_date=date(2026, 5, 4) + timedelta(weeks=week),
            claim_id=f"WHY{week}",
        )
    high_utilizer_scan(plan=plan_a, data_month=date(2026, 9, 1), actor=OPERATOR)
    client.force_login(coordinator.user)
    page = " ".join(
        client.get(f"/members/{member.pk}/?as_of={clocks.local_date(clocks.now())}").content.decode().split()
    )
    assert "5 avoidable ED visits and 0 unplanned avoidable stays between 2026-04-01 and 2026-09-30" in page
    assert all(f"WHY{week}" in page for week in range(5))
    assert "Eligible</strong>" in page
    assert phi_accesses_naming(member.pk).filter(plan=plan_a, user=coordinator.user).count() == 1


def test_recording_a_pof_through_the_criteria_form(client, plan_a, member, coordinator):
    client.force_login(coordinator.user)
    form = client.get(f"/members/{member.pk}/determinations/new/?pof=LTC_RISK").content.decode()
    assert "Would otherwise need 90 or more consecutive days in a nursing facility" in form
    criteria = PopulationOfFocus.objects.get(code="LTC_RISK").criteria
    missing_one = client.post(
        f"/members/{member.pk}/determinations/new/",
        {
            "pof": "LTC_RISK",
            "source": "attestation",
            "start_date": "2026-01-05",
            "criteria_met": criteria[:1],
        },
    )
    assert "requires every criterion to be met" in missing_one.content.decode()
    done = client.post(
        f"/members/{member.pk}/determinations/new/",
        {
            "pof": "LTC_RISK",
            "source": "attestation",
            "start_date": "2026-01-05",
            "criteria_met": criteria,
        },
    )
    assert done.status_code == 302
    assert Determination.objects.get(member=member).evidence["criteria_met"] == criteria


@pytest.mark.parametrize(
    ("month", "detail"),
    [
        ("2026-13", "2026-13 is not a month (YYYY-MM)."),
        ("2019-01", "No high-utilizer criteria in force for 2019-01."),
        ("2999-01", "The data month is in the future."),
    ],
)
def test_starting_a_scan_for_an_impossible_month_is_a_400(plan_a, coordinator, make_api_client, month, detail):
    response = make_api_client(coordinator).post("/api/v1/scans/", {"data_month": month}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == detail
