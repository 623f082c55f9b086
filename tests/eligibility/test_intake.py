"""Claims intake (DOMAIN 3.3 fields): validated rows, all or nothing, idempotent, corrections."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecm_platform.tenancy.access import OPERATOR
from eligibility.intake import claims_load
from eligibility.models import UtilizationEvent
from tests.factories import enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def member(plan_a):
    return enrolled_member(plan_a, cin="91234567A")


def row(**overrides):
    base = {
        "claim_id": "C-1",
        "cin": "91234567a",
        "event_type": "ED",
        "service_date": "2026-09-01",
        "discharge_date": "",
        "planned": "false",
        "avoidable": "true",
        "diagnosis_codes": "Z59.01 R07.9",
        "adjudication_date": "2026-09-20",
    }
    return base | overrides


def load(plan, rows):
    return claims_load(plan=plan, rows=rows, actor=OPERATOR, source="test")


def test_valid_rows_are_stored(plan_a, member):
    report = load(plan_a, [row(), row(claim_id="C-2", event_type="inpatient", discharge_date="2026-09-04")])
    assert (report.rows, report.inserted, report.errors) == (2, 2, [])
    stay = UtilizationEvent.objects.get(claim_id="C-2")
    assert (stay.member, stay.event_type, stay.discharge_date) == (
        member,
        "INPATIENT",
        date(2026, 9, 4),
    )
    assert UtilizationEvent.objects.get(claim_id="C-1").diagnosis_codes == "Z59.01 R07.9"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"claim_id": ""}, "claim_id", "This field is required."),
        ({"cin": "99999999Z"}, "cin", "No member of this plan has CIN 99999999Z."),
        ({"event_type": "URGENT"}, "event_type", "Use one of ED, INPATIENT, SNF_SHORT_TERM."),
        (
            {"service_date": "09/01/2026"},
            "service_date",
            "'09/01/2026' is not a date (YYYY-MM-DD).",
        ),
        (
            {"discharge_date": "2026-08-01"},
            "discharge_date",
            "The discharge is before the admission.",
        ),
        ({"avoidable": "maybe"}, "avoidable", "'maybe' is not true or false."),
        (
            {"adjudication_date": "2026-08-01"},
            "adjudication_date",
            "The claim was adjudicated before the service.",
        ),
        ({"diagnosis_codes": "Z59.01 HELLO"}, "diagnosis_codes", "Not ICD-10-CM codes: HELLO."),
    ],
)
def test_a_bad_row_applies_nothing_and_is_reported(plan_a, member, overrides, field, message):
    report = load(plan_a, [row(claim_id="GOOD"), row(**overrides)])
    assert not report.is_applied
    assert [(e.row, e.field, e.message) for e in report.errors] == [(2, field, message)]
    assert UtilizationEvent.objects.count() == 0


def test_a_claim_twice_in_one_file_is_an_error(plan_a, member):
    report = load(plan_a, [row(), row()])
    assert [(e.row, e.field) for e in report.errors] == [(2, "claim_id")]


def test_another_plans_member_is_unknown(plan_a, plan_b, member):
    report = load(plan_b, [row()])
    assert report.errors[0].message == "No member of this plan has CIN 91234567A."


def test_resending_the_same_claims_changes_nothing(plan_a, member):
    load(plan_a, [row(), row(claim_id="C-2")])
    before = list(UtilizationEvent.objects.values_list("pk", "claim_id", "adjudicated_on"))
    report = load(plan_a, [row(), row(claim_id="C-2")])
    assert (report.inserted, report.replaced, report.unchanged) == (0, 0, 2)
    assert list(UtilizationEvent.objects.values_list("pk", "claim_id", "adjudicated_on")) == before


def test_a_corrected_claim_replaces_the_old_one(plan_a, member):
    load(plan_a, [row()])
    report = load(plan_a, [row(avoidable="false", adjudication_date="2026-10-15")])
    assert (report.inserted, report.replaced) == (0, 1)
    claim = UtilizationEvent.objects.get(claim_id="C-1")
    assert (claim.is_avoidable, claim.adjudicated_on) == (False, date(2026, 10, 15))


def test_the_command_loads_a_csv_and_reports_row_errors(plan_a, member, tmp_path):
    path = tmp_path / "claims.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row()))
        writer.writeheader()
        writer.writerow(row())
        writer.writerow(row(claim_id="C-2", event_type="X"))
    with pytest.raises(CommandError, match="1 error in 1 row of 2; nothing was loaded"):
        call_command("load_claims", "--plan", "plan-a", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert UtilizationEvent.objects.count() == 0
    path.write_text(path.read_text().replace(",X,", ",SNF_SHORT_TERM,"))
    out = io.StringIO()
    call_command("load_claims", "--plan", "plan-a", str(path), stdout=out)
    assert "2 rows: 2 new, 0 replaced, 0 unchanged" in out.getvalue()


def test_claim_ids_are_plain_text(plan_a, member):
    report = load(plan_a, [row(claim_id="C\t1")])
    assert [(e.field, e.message) for e in report.errors] == [
        ("claim_id", "A claim id has 1 to 50 letters, digits and - _ . / : characters.")
    ]


def test_deleting_a_member_deletes_their_claims(plan_a, member):
    # Events keep no database foreign key to members (intake.py checks every row): the ORM cascades.
    load(plan_a, [row()])
    member.delete()
    assert UtilizationEvent.objects.count() == 0


def test_a_future_adjudication_date_is_refused(plan_a, member):
    # A claim dated in the future would move the scan's data month (DOMAIN 3.3) far ahead.
    report = load(plan_a, [row(service_date="2062-09-01", adjudication_date="2062-09-20")])
    assert [(e.field, e.message) for e in report.errors] == [
        ("adjudication_date", "The adjudication date is in the future.")
    ]
