"""POST /api/v1/encounters/invoices/ (JSON lines), POST /api/v1/encounters/invoice-files/ (a CSV
as a background job), the list and detail, and the pages (DOMAIN 11): the documented limits (5,000
lines, 4 MiB of JSON, the file's size), every error with its line, re-upload idempotent."""

import io

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccess
from ecm_platform.jobs.models import ImportJob, JobState
from ecm_platform.tenancy.models import Role
from encounters import serializers, services
from encounters.models import Encounter
from tests.encounters.test_invoices import TODAY
from tests.encounters.world import HEADER, csv_of, encounter_world, line
from tests.isolation.test_isolation import browser_of

pytestmark = pytest.mark.usefixtures("in_plan_a")
LINES = "/api/v1/encounters/invoices/"
FILES = "/api/v1/encounters/invoice-files/"


@pytest.fixture
def world(plan_a, make_membership):
    return encounter_world(plan_a, make_membership)


@pytest.fixture
def integrator(plan_a, make_membership, make_api_client):
    return make_api_client(make_membership(plan_a, Role.INTEGRATOR))


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file; its job, queued on commit, runs as the request commits (ARCHITECTURE, Tests)."""

    def post(client, content: bytes, name="invoice.csv"):
        handle = io.BytesIO(content)
        handle.name = name
        with clocks.frozen(TODAY), django_capture_on_commit_callbacks(execute=True):
            return client.post(FILES, {"file": handle}, format="multipart")

    return post


def test_json_lines_are_recorded_listed_and_read(world, integrator):
    with clocks.frozen(TODAY):
        response = integrator.post(LINES, {"lines": [line(), line(line_number="2", modifier_2="GQ")]}, format="json")
    assert response.json() == {"created": 2, "unchanged": 0}
    listed = integrator.get("/api/v1/encounters/?service=ecm").json()["results"]
    assert sorted((row["line_number"], row["modifiers"], row["in_person"]) for row in listed) == [
        (1, "U1", True), (2, "U1 GQ", False),
    ]  # fmt: skip
    detail = integrator.get(f"/api/v1/encounters/{listed[0]['id']}/").json()
    assert (detail["member_cin"], detail["organization_npi"], detail["service"]) == ("91234567A", "1234567893", "ecm")
    assert PhiAccess.objects.filter(path__startswith="/api/v1/encounters/").count() == 2
    with clocks.frozen(TODAY):
        again = integrator.post(LINES, {"lines": [line(), line(line_number="2", modifier_2="GQ")]}, format="json")
    assert again.json() == {"created": 0, "unchanged": 2}


def test_every_bad_line_is_named_and_nothing_is_recorded(world, integrator):
    with clocks.frozen(TODAY):
        response = integrator.post(
            LINES, {"lines": [line(), line(line_number="2", modifier_1="", modifier_3="U1"), line(hcpcs="G9O08")]},
            format="json",
        )  # fmt: skip
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [
        "lines.1.modifier_3",
        "lines.2.line_number",
        "lines.2.hcpcs",
    ]
    assert not Encounter.objects.exists()


def test_the_documented_limits_refuse_before_any_line_is_read(world, integrator, monkeypatch, upload):
    too_many = integrator.post(LINES, {"lines": [line()] * (serializers.MAX_LINES + 1)}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["attr"] == "lines.non_field_errors"
    oversize = integrator.post(LINES, {"lines": [line(notes="n" * (serializers.LINES_BODY_BYTES + 1))]}, format="json")
    assert (oversize.status_code, oversize.json()["errors"][0]["code"]) == (413, "request_too_large")
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 100)
    assert upload(integrator, csv_of(line(), line(line_number="2"))).status_code == 400
    assert not ImportJob.objects.exists()


def test_a_csv_file_runs_as_a_job_and_sent_again_changes_nothing(world, integrator, upload):
    content = csv_of(line(), line(line_number="2", modifier_2="GQ"))
    response = upload(integrator, content)
    assert response.status_code == 202, response.json()
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert (job.state, job.report) == (
        JobState.SUCCEEDED,
        {"created": 2, "unchanged": 0, "errors": [], "error_count": 0},
    )
    again = ImportJob.objects.get(pk=upload(integrator, content).json()["id"])
    assert again.report["created"] == 0 and again.report["unchanged"] == 2
    assert Encounter.objects.count() == 2


def test_a_file_with_a_bad_row_fails_its_job_with_every_row_error(world, integrator, upload):
    content = csv_of(line(), line(line_number="2", member_cin="99999999Z")) + b"x,y\n"
    content += "1234567893,INV-1,3,91234567A,2026-11-02,,G9008,U1,,,,1,,,caf\xe9\n".encode("latin-1")
    job = ImportJob.objects.get(pk=upload(integrator, content).json()["id"])
    assert job.state == JobState.FAILED
    assert [(error["row"], error["field"]) for error in job.report["errors"]] == [
        (3, "member_cin"), (4, "line"), (4, "provider_npi"), (4, "line_number"),
        (4, "member_cin"), (4, "service_from"), (4, "hcpcs"), (4, "units"), (5, "notes"),
    ]  # fmt: skip
    assert "0xE9 on line 5" in job.report["errors"][-1]["message"]
    assert not Encounter.objects.exists()


def test_a_row_of_the_wrong_shape_records_no_line_of_the_file(world, integrator, upload):
    """DOMAIN 11, never half-apply: row 3 has one value too many, the other rows are good; the job
    fails with row 3's error and records nothing."""
    content = csv_of(line()) + csv_of(line(line_number="2")).splitlines()[1] + b",extra\n"
    job = ImportJob.objects.get(pk=upload(integrator, content).json()["id"])
    assert job.state == JobState.FAILED
    assert [(error["row"], error["field"]) for error in job.report["errors"]] == [(3, "line")]
    assert (job.report["created"], Encounter.objects.count()) == (0, 0)


def test_a_header_the_map_does_not_know_is_refused_at_once(world, integrator, upload):
    response = upload(integrator, csv_of(line(), header=HEADER.replace("Modifier 3", "Modifer 3")))
    assert response.status_code == 400
    assert "Modifer 3" in response.json()["errors"][0]["detail"]
    assert not ImportJob.objects.exists()


def test_roles_without_the_capability_are_refused(world, plan_a, make_membership, make_api_client, upload):
    analyst = make_api_client(make_membership(plan_a, Role.REPORTING_ANALYST))
    assert analyst.post(LINES, {"lines": [line()]}, format="json").status_code == 403
    assert upload(analyst, csv_of(line())).status_code == 403
    assert analyst.get("/api/v1/encounters/").status_code == 200


def test_the_pages_upload_a_file_record_a_line_and_show_them(world, plan_a, make_membership):
    browser = browser_of(make_membership(plan_a, Role.CARE_COORDINATOR), plan_a)
    handle = io.BytesIO(csv_of(line()))
    handle.name = "invoice.csv"
    form = line(line_number="2", modifier_2="GQ")
    with clocks.frozen(TODAY):
        posted = browser.post("/encounters/invoices/upload/", {"file": handle})
        recorded = browser.post("/encounters/invoices/line/", form)
        refused = browser.post("/encounters/invoices/line/", form | {"line_number": "3", "hcpcs": "G9O08"})
        page = browser.get("/encounters/")
        encounter = Encounter.objects.get(line_number=2)
        detail = browser.get(f"/encounters/{encounter.pk}/")
    assert posted.status_code == 302 and posted["Location"].startswith("/jobs/")
    assert recorded.status_code == 302
    assert refused.status_code == 400 and b"G9O08" in refused.content
    assert page.status_code == 200 and b"U1 GQ" in page.content
    assert b"2: GQ" in detail.content


def test_a_file_over_the_documented_size_is_413_before_it_is_read(world, integrator, upload):
    """The page and the API take at most 32 MB (services.MAX_FILE_BYTES): a larger body is refused
    by the parser from its length."""
    response = upload(integrator, b"x" * (services.MAX_FILE_BYTES + 128 * 1024))
    assert (response.status_code, response.json()["errors"][0]["code"]) == (413, "request_too_large")
    assert not ImportJob.objects.exists()


def test_a_file_is_read_through_the_plans_overlay(world, plan_a, make_membership, integrator, upload):
    """DOMAIN 11: the plan renamed the CIN's header and added a required column of its own; its values
    are kept with the encounter, and a line without one is a row error."""
    from exchange.services import column_map_overlay_set

    with clocks.frozen(TODAY):
        column_map_overlay_set(
            plan=plan_a, actor=make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user, kind="invoice",
            effective_from=TODAY.date(), renamed={"member_cin": "Subscriber ID"},
            extra_columns=[{"field": "region", "header": "Region", "required": True}], extra_required=[],
        )  # fmt: skip
    header = HEADER.replace("Member CIN", "Subscriber ID") + ",Region"
    body = csv_of(line(), header=header).decode().splitlines()
    content = f"{body[0]}\n{body[1]},North\n{body[1].replace(',INV-1,1,', ',INV-1,2,')},\n".encode()
    failed = ImportJob.objects.get(pk=upload(integrator, content).json()["id"])
    assert [(error["row"], error["field"]) for error in failed.report["errors"]] == [(3, "region")]
    assert upload(integrator, csv_of(line())).status_code == 400  # the baseline header is no longer the plan's
    done = ImportJob.objects.get(pk=upload(integrator, content.rsplit(b"\n", 2)[0] + b"\n").json()["id"])
    assert done.report["created"] == 1
    assert Encounter.objects.get().plan_columns == {"region": "North"}


@pytest.fixture
def overlay(plan_a, make_membership):
    """The plan requires the billed amount and a Region column of its own (DOMAIN 11)."""
    from exchange.services import column_map_overlay_set

    with clocks.frozen(TODAY):
        column_map_overlay_set(
            plan=plan_a, actor=make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user, kind="invoice",
            effective_from=TODAY.date(), renamed={},
            extra_columns=[{"field": "region", "header": "Region", "required": True}], extra_required=["amount"],
        )  # fmt: skip


def test_json_lines_are_checked_with_the_plans_column_map(world, integrator, overlay):
    """DOMAIN 11: the map's extra required fields bind the API's lines as a file's; the plan's own
    columns come in `plan_columns`, and a column the map lacks is a row error."""
    with clocks.frozen(TODAY):
        refused = integrator.post(
            LINES, {"lines": [line(amount=""), line(line_number="2", plan_columns={"regoin": "North"})]},
            format="json",
        )  # fmt: skip
        recorded = integrator.post(LINES, {"lines": [line(plan_columns={"region": "North"})]}, format="json")
    assert refused.status_code == 400
    assert sorted(error["attr"] for error in refused.json()["errors"]) == [
        "lines.0.amount", "lines.0.region", "lines.1.plan_columns", "lines.1.region",
    ]  # fmt: skip
    assert recorded.json() == {"created": 1, "unchanged": 0}
    assert Encounter.objects.get().plan_columns == {"region": "North"}


def test_a_line_sent_again_with_other_plan_columns_is_an_error(world, integrator, overlay):
    """DOMAIN 11, idempotent: a re-sent line is unchanged only if every value is, the plan's own
    columns too; other values are an error, never an overwrite."""
    with clocks.frozen(TODAY):
        integrator.post(LINES, {"lines": [line(plan_columns={"region": "North"})]}, format="json")
        again = integrator.post(LINES, {"lines": [line(plan_columns={"region": "North"})]}, format="json")
        other = integrator.post(LINES, {"lines": [line(plan_columns={"region": "South"})]}, format="json")
    assert again.json() == {"created": 0, "unchanged": 1}
    assert (other.status_code, [error["attr"] for error in other.json()["errors"]]) == (400, ["lines.0.line_number"])
    assert Encounter.objects.get().plan_columns == {"region": "North"}


def test_the_line_page_says_so_when_no_invoice_column_map_is_in_force(world, plan_a, make_membership):
    """A day before the baseline (or after its end) has no map to read a line with: 400 with the
    reason on the page, never a server error."""
    from exchange.models import ColumnMap

    ColumnMap.objects.filter(kind="invoice").update(effective_from=TODAY.date().replace(year=TODAY.year + 1))
    browser = browser_of(make_membership(plan_a, Role.CARE_COORDINATOR), plan_a)
    with clocks.frozen(TODAY):
        refused = browser.post("/encounters/invoices/line/", line(line_number="4"))
    assert refused.status_code == 400 and b"column map is in force" in refused.content
    assert not Encounter.objects.exists()
