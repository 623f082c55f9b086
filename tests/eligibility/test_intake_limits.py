"""Claims intake as DOMAIN 11 asks: every error of every row in one pass with the true count, limits
checked before any row is, the documented 10,000-row request under the body limit, non-UTF-8 bytes
named by line, nothing stored shortened."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from eligibility import intake
from eligibility.api import EventViewSet
from eligibility.models import MAX_DIAGNOSIS_CODES, UtilizationEvent
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")

CIN = "91234567A"
BULK = "/api/v1/utilization-events/bulk/"
UPLOAD = "/eligibility/claims/upload/"
# Each is one error on its own column, whatever the other columns hold.
FAULTS = [
    ("claim_id", lambda n: f"bad id {n}", lambda n: "A claim id has 1 to 50 letters, digits and - _ . / : characters."),
    ("cin", lambda n: f"{n:08d}Z", lambda n: f"No member of this plan has CIN {n:08d}Z."),
    ("event_type", lambda n: f"VISIT{n}", lambda n: "Use one of ED, INPATIENT, SNF_SHORT_TERM."),
    ("service_date", lambda n: f"2026-13-{n:05d}", lambda n: f"'2026-13-{n:05d}' is not a date (YYYY-MM-DD)."),
    ("planned", lambda n: f"perhaps{n}", lambda n: f"'perhaps{n}' is not true or false."),
    ("avoidable", lambda n: f"maybe{n}", lambda n: f"'maybe{n}' is not true or false."),
    ("diagnosis_codes", lambda n: f"Z59.01 NOT{n}", lambda n: f"Not ICD-10-CM codes: NOT{n}."),
    ("adjudication_date", lambda n: "2999-01-01", lambda n: "The adjudication date is in the future."),
]


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a, cin=CIN)


@pytest.fixture
def feed_api(plan_a, make_membership, make_api_client):
    return make_api_client(make_membership(plan_a, Role.INTEGRATOR))


@pytest.fixture
def coordinator_client(client, plan_a, make_membership):
    client.force_login(make_membership(plan_a, Role.CARE_COORDINATOR).user)
    return client


def good_row(number: int, **overrides) -> dict:
    return {
        "claim_id": f"C{number}",
        "cin": CIN,
        "event_type": "ED",
        "service_date": "2026-09-01",
        "discharge_date": "",
        "planned": "false",
        "avoidable": "true",
        "diagnosis_codes": "Z59.01",
        "adjudication_date": "2026-09-20",
    } | overrides


def all_bad_rows(count: int) -> tuple[list[dict], list[list[tuple[str, str]]]]:
    """`count` rows, each bad in its own way (a different set of FAULTS, or the same set with other
    values), and the errors each must have, in column order."""
    rows, expected = [], []
    for number in range(count):
        mask = number % (2 ** len(FAULTS) - 1) + 1  # never 0: every row has at least one fault
        row, errors = good_row(number), []
        for bit, (column, bad_value, message) in enumerate(FAULTS):
            if mask >> bit & 1:
                row[column] = bad_value(number)
                errors.append((column, message(number)))
        rows.append(row)
        expected.append(errors)
    return rows, expected


def csv_bytes(rows: list[dict], columns=intake.COLUMNS) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def upload(client, content: bytes):
    return client.post(UPLOAD, {"file": SimpleUploadedFile("claims.csv", content, content_type="text/csv")})


def load_file(tmp_path, content: bytes) -> tuple[str, str]:
    """load_claims on the content: its refusal (or "") and its error output."""
    path = tmp_path / "claims.csv"
    path.write_bytes(content)
    stderr = io.StringIO()
    try:
        call_command("load_claims", "--plan", "plan-a", str(path), stdout=io.StringIO(), stderr=stderr)
    except CommandError as error:
        return str(error), stderr.getvalue()
    return "", stderr.getvalue()


def test_every_error_of_10000_bad_rows_is_counted_and_the_first_listed_on_every_surface(
    plan_a, member, feed_api, coordinator_client, tmp_path, django_assert_max_num_queries
):
    """DOMAIN 11: a 10,000-row file whose every row is bad in a different way reports every error
    with the true total through the API, the upload page and load_claims, and stores nothing."""
    rows, expected = all_bad_rows(intake.REQUEST_ROWS)
    total = sum(len(errors) for errors in expected)
    listed = [(number, column, message) for number, errors in enumerate(expected) for column, message in errors]
    listed = listed[: intake.ERRORS_LISTED]
    assert total > intake.ERRORS_LISTED  # so the list is truncated and the count is not the cap

    with django_assert_max_num_queries(20):  # set-based: no query per row
        response = feed_api.post(BULK, {"events": rows}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["attr"], e["detail"]) for e in errors[:-1]] == [
        (f"events.{number}.{column}", message) for number, column, message in listed
    ]
    assert errors[-1] == {
        "code": "errors_not_listed",
        "detail": f"{total - intake.ERRORS_LISTED:,} more errors are not listed: {total:,} errors in 10,000 of "
        "10,000 rows.",
        "attr": "events",
    }

    page = upload(coordinator_client, csv_bytes(rows))
    html = page.content.decode()
    assert page.status_code == 400
    assert f"Nothing was loaded: {total} errors in 10000 of 10000 rows" in html
    assert f"{total - intake.ERRORS_LISTED} more errors not listed" in html
    assert html.count("<tr><td>") == intake.ERRORS_LISTED
    assert "<tr><td>2</td><td>1</td><td><code>claim_id</code></td><td>A claim id has" in html  # line 2, row 1

    refusal, output = load_file(tmp_path, csv_bytes(rows))
    assert refusal == f"{total:,} errors in 10,000 rows of 10,000; nothing was loaded."
    lines = output.splitlines()
    assert lines[:3] == [
        f"line 2, claim_id: {listed[0][2]}",
        f"line 3, cin: {listed[1][2]}",
        f"line 4, claim_id: {listed[2][2]}",
    ]
    assert lines[-1] == f"... and {total - intake.ERRORS_LISTED:,} more errors not listed."
    assert len(lines) == intake.ERRORS_LISTED + 1
    assert UtilizationEvent.objects.count() == 0


def test_type_and_content_errors_of_one_row_come_in_one_answer(plan_a, member, feed_api):
    """DOMAIN 11: every bad field of a row is reported, the wrong JSON types beside the wrong
    contents, and a row that is no object is named too; nothing is stored."""
    rows = [
        good_row(1),
        good_row(
            2,
            claim_id={"id": 2},
            event_type="CLINIC",
            service_date="2026-02-30",
            planned=[True],
            avoidable="perhaps",
            diagnosis_codes=12,
        ),
        7,
    ]
    response = feed_api.post(BULK, {"events": rows}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"], e["detail"]) for e in response.json()["errors"]] == [
        ("events.1.claim_id", "invalid", "Expected text, not an object."),
        ("events.1.event_type", "invalid", "Use one of ED, INPATIENT, SNF_SHORT_TERM."),
        ("events.1.service_date", "invalid", "'2026-02-30' is not a date (YYYY-MM-DD)."),
        ("events.1.planned", "invalid", "Expected true or false, not a list."),
        ("events.1.avoidable", "invalid", "'perhaps' is not true or false."),
        ("events.1.diagnosis_codes", "invalid", "Not ICD-10-CM codes: 12."),
        ("events.2", "invalid", "A row is an object of the columns, not a number."),
    ]
    assert UtilizationEvent.objects.count() == 0


def test_required_fields_missing_from_a_row_are_each_named(plan_a, member):
    """DOMAIN 11: a row missing several required fields names every one in one report."""
    report = intake.claims_load(plan=plan_a, rows=[{"cin": CIN}], actor=OPERATOR, source="test")
    assert [(e.field, e.code) for e in report.errors] == [
        ("claim_id", "required"),
        ("event_type", "required"),
        ("service_date", "required"),
        ("avoidable", "required"),
        ("adjudication_date", "required"),
    ]
    assert (report.error_count, report.rows_with_errors, report.is_applied) == (5, 1, False)


def largest_valid_rows(count: int) -> list[dict]:
    """Rows with every value at its longest: 50-character claim ids, 100 codes of 8 characters."""
    codes = " ".join(f"Z{number:02d}.{number:04d}" for number in range(MAX_DIAGNOSIS_CODES))
    return [
        good_row(
            number,
            claim_id=f"{number:050d}",
            event_type="SNF_SHORT_TERM",
            discharge_date="2026-09-05",
            planned=False,
            avoidable=False,
            diagnosis_codes=codes,
        )
        for number in range(count)
    ]


def test_the_documented_10000_rows_fit_under_the_body_limit_which_is_exact(plan_a, member, feed_api):
    """DOMAIN 11: the largest valid 10,000-row request is read, past Django's 2.5 MB default; a
    body of exactly the limit is read and one byte more is the API's JSON 413 naming the limit."""
    body = json.dumps({"events": largest_valid_rows(intake.REQUEST_ROWS)})
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(body) <= intake.REQUEST_BYTES
    at_limit = body + " " * (intake.REQUEST_BYTES - len(body))

    over = feed_api.generic("POST", BULK, at_limit + " ", content_type="application/json")
    assert over.status_code == 413
    assert over.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "request_too_large",
                "detail": f"The request body is larger than the limit of {intake.REQUEST_BYTES} bytes.",
                "attr": None,
            }
        ],
    }
    assert UtilizationEvent.objects.count() == 0

    response = feed_api.generic("POST", BULK, at_limit, content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"rows": 10_000, "inserted": 10_000, "replaced": 0, "unchanged": 0}
    stored = UtilizationEvent.objects.get(claim_id=f"{9999:050d}").diagnosis_codes
    assert len(stored.split()) == MAX_DIAGNOSIS_CODES and stored == largest_valid_rows(1)[0]["diagnosis_codes"]


def test_10000_rows_are_checked_and_10001_are_refused_before_any_row_is(plan_a, member, feed_api):
    """DOMAIN 11: the row limit comes before the work: 10,001 bad rows get one refusal, not 10,001
    row errors."""
    rows, _ = all_bad_rows(intake.REQUEST_ROWS + 1)
    response = feed_api.post(BULK, {"events": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "max_length",
            "detail": "Send at most 10,000 rows per request (10,001 sent); nothing was checked.",
            "attr": "events",
        }
    ]
    at_limit = feed_api.post(BULK, {"events": rows[:-1]}, format="json")
    assert at_limit.status_code == 400 and at_limit.json()["errors"][0]["attr"] == "events.0.claim_id"


def padded_csv(size: int) -> bytes:
    """10,000 valid rows with a `note` column (ignored) filled so the file has exactly `size` bytes."""
    rows = [good_row(number, note="") for number in range(intake.REQUEST_ROWS)]
    base = len(csv_bytes(rows, [*intake.COLUMNS, "note"]))
    per_row, rest = divmod(size - base, len(rows))
    for row in rows:
        row["note"] = "x" * per_row
    rows[-1]["note"] += "x" * rest
    content = csv_bytes(rows, [*intake.COLUMNS, "note"])
    assert len(content) == size
    return content


def test_the_upload_page_takes_a_file_of_exactly_the_limits_and_refuses_one_more(plan_a, member, coordinator_client):
    """DOMAIN 11: the upload page checks the file's size before reading a row and its row count
    before checking one: exactly 12 MiB and 10,000 rows load; one byte or one row more is refused."""
    too_large = upload(coordinator_client, padded_csv(intake.REQUEST_BYTES + 1))
    assert too_large.status_code == 400
    assert (
        f"The file is {intake.REQUEST_BYTES + 1:,} bytes; the upload page takes at most {intake.REQUEST_BYTES:,}"
        in too_large.content.decode()
    )
    rows, _ = all_bad_rows(intake.REQUEST_ROWS + 1)
    too_long = upload(coordinator_client, csv_bytes(rows)).content.decode()
    assert "The file has 10,001 rows; the upload page takes at most 10,000. Nothing was checked" in too_long
    assert "Nothing was loaded" not in too_long
    assert UtilizationEvent.objects.count() == 0

    at_limit = upload(coordinator_client, padded_csv(intake.REQUEST_BYTES))
    assert at_limit.status_code == 200
    assert "Loaded 10000 rows: 10000 new, 0 replaced, 0 unchanged." in at_limit.content.decode()


LATIN_1_FILE = (
    csv_bytes([good_row(1)])
    + "C2,91234567A,ED,2026-09-01,,false,true,Z59.01,2026-09-20,Jos\xe9\n".encode("latin-1")
    + "C-\xe9,91234567A,ED,2026-09-01,,false,true,Z59.01,2026-09-20\n".encode("latin-1")
    + b"C4,91234567A,ED,2026-09-31,,false,true,Z59.01,2026-09-20\n"
)


def test_a_latin_1_byte_is_named_by_line_beside_the_files_other_errors(plan_a, member, coordinator_client, tmp_path):
    """DOMAIN 11: a byte that is not UTF-8 is refused with its line, in the same pass as the other
    rows' errors (a row too long for the header, a bad date); nothing is stored."""
    refusal, output = load_file(tmp_path, LATIN_1_FILE)
    assert refusal == "3 errors in 3 rows of 4; nothing was loaded."
    assert output.splitlines() == [
        "line 3, the row: Line 3 has 10 values; the header has 9 columns.",
        "line 4, claim_id: Byte 0xE9 on line 4 is not UTF-8; save the file as UTF-8 and send it again.",
        "line 5, service_date: '2026-09-31' is not a date (YYYY-MM-DD).",
    ]
    page = upload(coordinator_client, LATIN_1_FILE).content.decode()
    assert "Nothing was loaded: 3 errors in 3 of 4 rows" in page
    assert "<tr><td>4</td><td>3</td><td><code>claim_id</code></td><td>Byte 0xE9 on line 4 is not UTF-8" in page
    assert UtilizationEvent.objects.count() == 0


def test_a_header_that_is_not_utf_8_refuses_the_file_naming_line_1(plan_a, member, coordinator_client, tmp_path):
    """DOMAIN 11: with no readable header no row can be read: the file is refused, naming line 1."""
    content = "claim_id,cin,event_type,service_date,avoidable,adjudication_date,r\xe9f\n".encode("latin-1")
    refusal, _ = load_file(tmp_path, content)
    assert refusal == (
        "claims.csv: Byte 0xE9 on line 1 is not UTF-8; save the file as UTF-8 and send it again. Nothing was loaded."
    )
    page = upload(coordinator_client, content)
    assert page.status_code == 400
    assert "Byte 0xE9 on line 1 is not UTF-8" in page.content.decode()


def test_a_60_code_diagnosis_list_is_stored_whole_and_101_codes_are_refused(plan_a, member, tmp_path):
    """DOMAIN 11: nothing is stored shortened: 60 codes (a list of 359 characters) are stored as
    sent; 100 is the limit; 101 codes are refused with the reason, never cut."""
    sixty = " ".join(f"E{number:02d}.9" for number in range(11, 71))
    hundred = " ".join(f"Z{number:02d}.{number:04d}" for number in range(100))
    rows = [good_row(1, diagnosis_codes=sixty), good_row(2, diagnosis_codes=hundred)]
    refusal, _ = load_file(tmp_path, csv_bytes(rows))
    assert refusal == ""
    assert UtilizationEvent.objects.get(claim_id="C1").diagnosis_codes == sixty
    assert UtilizationEvent.objects.get(claim_id="C2").diagnosis_codes == hundred

    report = intake.claims_load(
        plan=plan_a, rows=[good_row(3, diagnosis_codes=hundred + " A00")], actor=OPERATOR, source="test"
    )
    assert [(e.field, e.message) for e in report.errors] == [
        ("diagnosis_codes", "101 codes: a claim carries at most 100 diagnosis codes.")
    ]
    assert not UtilizationEvent.objects.filter(claim_id="C3").exists()


def test_the_limits_the_api_documents_are_the_ones_it_enforces():
    """DOMAIN 11: the bulk operation's description (the OpenAPI schema) states the enforced limits."""
    description = " ".join(EventViewSet.bulk.__doc__.split())
    assert f"first {intake.ERRORS_LISTED:,}" in description
    assert f"At most {intake.REQUEST_ROWS:,} rows and 12 MiB ({intake.REQUEST_BYTES:,} bytes)" in description
    assert intake.REQUEST_BYTES == 12 * 1024 * 1024


def test_a_utf_8_file_with_a_byte_order_mark_loads(plan_a, member, tmp_path):
    """DOMAIN 11: UTF-8 as spreadsheets save it (with a byte-order mark) is UTF-8."""
    refusal, _ = load_file(tmp_path, "\ufeff".encode() + csv_bytes([good_row(1, diagnosis_codes="Z59.01 R07.9")]))
    assert refusal == ""
    assert UtilizationEvent.objects.get(claim_id="C1").diagnosis_codes == "Z59.01 R07.9"
