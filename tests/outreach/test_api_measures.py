"""The quarterly outreach measures through the API (DOMAIN 8, 10): a reporting analyst builds a
quarter's run on demand, readers list and read runs, downloads are CSV and XLSX with their content
types and file names; runs are aggregate (no member identifier, no PHI read); another plan's run
is 404."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform.audit.models import PhiAccess
from ecm_platform.tenancy.models import Role
from outreach.models import MeasureRun
from tests.conftest import api_client_of, membership_of
from tests.outreach.test_api import ATTEMPTS, attempt
from tests.outreach.world import engagement_of, identified_member, synced

pytestmark = pytest.mark.usefixtures("in_plan_a")

RUNS = "/api/v1/outreach/measure-runs/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client_of(plan, role):
    return api_client_of(membership_of(plan, role))


@pytest.fixture
def outreach(plan_a):
    """One identified member with a counted call and an uncounted postal letter (DOMAIN 8)."""
    member = identified_member(plan_a)
    synced(plan_a)
    engagement = engagement_of(plan_a, member)
    coordinator = client_of(plan_a, Role.CARE_COORDINATOR)
    assert coordinator.post(ATTEMPTS, attempt(engagement, minutes=30)).status_code == 201
    assert coordinator.post(ATTEMPTS, attempt(engagement, method="postal_mail", minutes=10)).status_code == 201
    return member


@pytest.fixture
def analyst(plan_a):
    return client_of(plan_a, Role.REPORTING_ANALYST)


def test_a_reporting_analyst_builds_a_quarter_on_demand(outreach, analyst):
    """DOMAIN 8: measure 1 targeted, 2 with a counting attempt, 3 counting attempts (postal mail is
    not one), 4 successful, 5 hours of counting attempts only."""
    response = analyst.post(RUNS, {"year": 2026, "quarter": 4})
    assert response.status_code == 201, response.content
    run = response.json()
    assert (run["year"], run["quarter"], run["period_start"], run["period_end"]) == (
        2026,
        4,
        "2026-10-01",
        "2026-12-31",
    )
    total = run["figures"]["total"]
    assert (total["targeted"], total["reached"], total["attempts"], total["successful"], total["hours"]) == (
        1, 1, 1, 0, 0.5,
    )  # fmt: skip
    assert total["attempts_by_method"]["postal_mail"] == 0
    assert outreach.cin not in response.content.decode()
    assert MeasureRun.objects.count() == 1
    assert analyst.get(RUNS).json()["results"][0]["id"] == run["id"]
    assert analyst.get(f"{RUNS}{run['id']}/").json()["figures"] == run["figures"]
    assert PhiAccess.objects.count() == 0  # aggregate: no member read


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [({"year": 2027, "quarter": 2}, "quarter", "quarter_not_begun"), ({"year": 2026, "quarter": 5}, "quarter", "max_value"),
     ({"year": 2021, "quarter": 4}, "year", "min_value")],
)  # fmt: skip
def test_a_quarter_that_has_not_begun_or_does_not_exist_is_refused(analyst, body, attr, code):
    response = analyst.post(RUNS, body)
    assert response.status_code == 400
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [(attr, code)]
    assert MeasureRun.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "builds", "reads"),
    [(Role.REPORTING_ANALYST, 201, 200), (Role.PLAN_ADMINISTRATOR, 201, 200), (Role.INTEGRATOR, 201, 200),
     (Role.CARE_COORDINATOR, 403, 200), (Role.REVIEWER, 403, 200)],
)  # fmt: skip
def test_who_builds_and_who_reads(plan_a, role, builds, reads):
    client = client_of(plan_a, role)
    assert client.post(RUNS, {"year": 2026, "quarter": 4}).status_code == builds
    assert client.get(RUNS).status_code == reads
    assert MeasureRun.objects.count() == (1 if builds == 201 else 0)


def test_downloads_as_csv_and_xlsx(outreach, analyst):
    run = analyst.post(RUNS, {"year": 2026, "quarter": 4}).json()
    csv = analyst.get(f"{RUNS}{run['id']}/download/?format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == f'attachment; filename="outreach-measures-2026-q4-run-{run["id"]}.csv"'
    assert outreach.cin not in csv.content.decode()
    xlsx = analyst.get(f"{RUNS}{run['id']}/download/?format=xlsx")
    assert (xlsx.status_code, xlsx["Content-Type"]) == (200, XLSX)
    assert xlsx["Content-Disposition"] == f'attachment; filename="outreach-measures-2026-q4-run-{run["id"]}.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    for wrong in ("", "?format=pdf"):
        refused = analyst.get(f"{RUNS}{run['id']}/download/{wrong}")
        assert (refused.status_code, refused["Content-Type"]) == (400, "application/json")


def test_another_plans_run_is_missing(plan_b, outreach, analyst):
    run = analyst.post(RUNS, {"year": 2026, "quarter": 4}).json()
    other = client_of(plan_b, Role.REPORTING_ANALYST)
    assert other.get(f"{RUNS}{run['id']}/").status_code == 404
    assert other.get(f"{RUNS}{run['id']}/download/?format=csv").status_code == 404
    assert other.get(RUNS).json()["results"] == []


def test_reads_cost_a_bounded_number_of_queries(outreach, analyst):
    runs = [analyst.post(RUNS, {"year": 2026, "quarter": 4}).json()["id"]]
    paths = [RUNS, f"{RUNS}{runs[0]}/", f"{RUNS}{runs[0]}/download/?format=csv"]

    def costs():
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert analyst.get(path).status_code == 200
            counts.append(len(captured))
        return counts

    few = costs()
    for quarter in (1, 2, 3):
        analyst.post(RUNS, {"year": 2026, "quarter": quarter})
    assert (costs(), max(few) <= 8) == (few, True)
