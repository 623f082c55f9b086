"""The outreach measures' pages (DOMAIN 8, 10): the runs with the build form, a run's five measures
in total and by county, POF and provider, a chart per measure drawn on the server (an image with
alt text, no script in the page), and the CSV and XLSX files."""

import base64
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from ecm_platform.tenancy.models import Role
from outreach.models import MeasureRun, Method, Outcome
from tests.outreach.test_pages import attempt_of, build_world, get, post, signed_in, text_of

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def world(plan_a, plan_b):
    return build_world(plan_a, plan_b)


@pytest.fixture
def login(client, plan_a, make_membership):
    return signed_in(client, plan_a, make_membership)


@pytest.fixture
def quarter(world):
    """2026 Q4 so far: Ida (identified) had a pre-recorded robo-call (does not count) and a visit
    that reached her (counts, successful, 30 minutes); Xena (Provider 0) no attempt."""
    attempt_of(world["ida"], datetime(2026, 11, 17, 18, tzinfo=UTC), Method.ROBOCALL, Outcome.PRERECORDED_MESSAGE, 1)
    attempt_of(world["ida"], datetime(2026, 11, 18, 18, tzinfo=UTC), Method.IN_PERSON, Outcome.REACHED_MEMBER, 30)
    return world


def test_the_runs_page_says_when_nothing_is_built_and_offers_the_build(plan_a, login):
    page = text_of(get(login(Role.REPORTING_ANALYST), "/outreach/measures/"))
    assert "No measures built yet." in page
    assert 'name="year"' in page and 'value="2026"' in page and '<option value="4" selected>Q4</option>' in page


def test_a_reviewer_reads_the_runs_but_cannot_build(plan_a, login):
    reviewer = login(Role.REVIEWER)
    assert 'name="year"' not in text_of(get(reviewer, "/outreach/measures/"))
    assert post(reviewer, "/outreach/measures/", {"year": "2026", "quarter": "4"}).status_code == 403
    assert not MeasureRun.objects.exists()
    assert get(login(Role.CARE_COORDINATOR), "/outreach/measures/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"year": "2027", "quarter": "1"}, "2027 Q1 has not begun: it starts on 2027-01-01."),
        ({"year": "2026", "quarter": "5"}, "Select a valid choice. 5 is not one of the available choices."),
        ({"year": "", "quarter": "1"}, "This field is required."),
    ],
)
def test_the_build_form_refuses_a_quarter_beside_its_field(plan_a, login, data, field_message):
    response = post(login(Role.REPORTING_ANALYST), "/outreach/measures/", data)
    assert response.status_code == 400
    assert f'<p class="error" role="alert">{field_message}</p>' in text_of(response)
    assert not MeasureRun.objects.exists()


def test_a_built_run_shows_the_five_measures_their_strata_and_a_chart_each(quarter, login):
    """DOMAIN 8: the uncounted robo-call is in no measure; Ida reached, Xena targeted only."""
    client = login(Role.REPORTING_ANALYST)
    response = post(client, "/outreach/measures/", {"year": "2026", "quarter": "4"})
    run = MeasureRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outreach/measures/{run.pk}/"
    page = text_of(get(client, f"/outreach/measures/{run.pk}/"))
    figures = dict(re.findall(r'<dd data-measure="(\w+)">([^<]*)</dd>', page))
    assert figures == {"targeted": "2", "reached": "1", "attempts": "1", "successful": "1", "hours": "0.5"}
    assert '<th scope="row">Provider 0</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0.0</td>' in page
    assert '<th scope="row">Plan staff</th><td>1</td><td>1</td><td>1</td><td>1</td><td>0.5</td>' in page
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(images) == 5
    assert images[0][1].startswith("Individuals targeted for ECM by county: ")
    svg = base64.b64decode(images[2][0]).decode()
    assert svg.startswith("<svg") and "Total outreach attempts" in svg
    assert "<script" not in page.replace('<script src="/static/js/session.js" defer></script>', "")
    listed = text_of(get(client, "/outreach/measures/"))
    assert f'<a href="/outreach/measures/{run.pk}/">2026 Q4</a>' in listed


def test_the_run_downloads_as_csv_and_xlsx(quarter, login):
    client = login(Role.REPORTING_ANALYST)
    post(client, "/outreach/measures/", {"year": "2026", "quarter": "4"})
    run = MeasureRun.objects.get()
    csv = get(client, f"/outreach/measures/{run.pk}/download.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert f"outreach-measures-2026-q4-run-{run.pk}.csv" in csv["Content-Disposition"]
    assert "Plan staff" in csv.content.decode()
    xlsx = get(client, f"/outreach/measures/{run.pk}/download.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames


def test_another_plans_run_is_missing(quarter, login, plan_b, make_membership):
    client = login(Role.REPORTING_ANALYST)
    post(client, "/outreach/measures/", {"year": "2026", "quarter": "4"})
    run = MeasureRun.objects.get()
    client.force_login(make_membership(plan_b, Role.REPORTING_ANALYST).user)
    for suffix in ("", "download.csv", "download.xlsx"):
        assert get(client, f"/outreach/measures/{run.pk}/{suffix}").status_code == 404
