"""Provider invoices become encounters (DOMAIN 11), through the service: every line checked and
every error reported with its row, nothing recorded when one line fails, a file sent again changes
nothing; codes and modifiers against the coding guidance (DOMAIN 9), every modifier position read."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted
from encounters.invoices import invoice_import
from encounters.models import Encounter
from tests.encounters.world import HARBOR_NPI, UNCONTRACTED_NPI, encounter_world, line, rows

pytestmark = pytest.mark.usefixtures("in_plan_a")
TODAY = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def world(plan_a, make_membership):
    return encounter_world(plan_a, make_membership)


def run(world, *lines, actor=None):
    with clocks.frozen(TODAY):
        return invoice_import(plan=world.plan, actor=actor or world.coordinator, rows=rows(*lines))


def errors_of(report) -> list[tuple[int, str]]:
    return [(error["row"], error["field"]) for error in report["errors"]]


def test_an_in_person_and_a_telephonic_ecm_line_become_encounters(world):
    """DOMAIN 10: G9008 U1 in person, G9008 U1 GQ telephonic; the pair names ECM."""
    report = run(world, line(), line(line_number="2", modifier_2="GQ"))
    assert report == {"created": 2, "unchanged": 0, "errors": []}
    first, second = Encounter.objects.order_by("line_number")
    assert (first.service.code, first.in_person, first.modifiers, first.service_code.modifiers) == (
        "ecm", True, "U1", "U1",
    )  # fmt: skip
    assert (second.in_person, second.modifier_2, second.service_code.modifiers) == (False, "GQ", "U1 GQ")
    assert (first.organization, first.member, first.service_to) == (world.bayside, world.member, date(2026, 11, 2))
    assert first.idempotency_key == "invoice:1234567893:INV-1:1"
    assert AuditEvent.objects.filter(code="encounters.invoice.imported").count() == 1


def test_the_pairs_modifiers_are_read_in_their_written_order(world):
    """DOMAIN 9 (cs-codes.csv): G9008 U1 GQ is the pair; the same modifiers in swapped slots are the
    service-identifying modifier in the wrong slot, a row error (issue 18), never read as the pair."""
    report = run(world, line(modifier_1="U1", modifier_2="GQ"))
    assert report["errors"] == []
    assert Encounter.objects.get().service_code.modifiers == "U1 GQ"


@pytest.mark.parametrize("swapped", [("GQ", "U1"), ("GQ", "U8")])
def test_modifiers_in_swapped_slots_are_a_row_error(world, swapped):
    report = run(world, line(line_number="2", modifier_1=swapped[0], modifier_2=swapped[1]))
    assert errors_of(report) == [(1, "modifier_1")]
    assert f"in the order {swapped[1]} GQ" in report["errors"][0]["message"]
    assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"line_number": "\u00b2"}, "line_number"),  # isdigit() takes it, int() does not
        ({"provider_npi": "\u00b9" * 10}, "provider_npi"),
        ({"place_of_service": "\u00b9\u00b2"}, "place_of_service"),
        ({"units": "1E+30"}, "units"),  # quantized to cents it passes the decimal context's precision
        ({"amount": "-1E+40"}, "amount"),
        ({"service_from": "2026-W48-1"}, "service_from"),  # an ISO week date fromisoformat accepts
        ({"service_to": "20261102"}, "service_to"),
        ({"notes": "a\x00b"}, "notes"),  # the csv module passes a NUL; PostgreSQL text takes none
    ],
)
def test_values_that_would_crash_the_import_are_row_errors(world, fields, field):
    """DOMAIN 11: every bad value is a row error with its field, never a 500."""
    report = run(world, line(**fields))
    assert (1, field) in errors_of(report)
    assert not Encounter.objects.exists()


@pytest.mark.parametrize("position", [3, 4])
def test_a_modifier_in_the_third_or_fourth_position_is_read_too(world, position):
    """G9008 U1 GQ with U2 further on is no pair of the guidance: refused, never read as U1 GQ."""
    fields = {"modifier_1": "U1", "modifier_2": "GQ", "modifier_3": "U8" if position == 4 else "U2"}
    fields[f"modifier_{position}"] = "U2"
    report = run(world, line(**fields))
    assert errors_of(report) == [(1, "modifier_1")]
    assert "identifies no service" in report["errors"][0]["message"]
    assert not Encounter.objects.exists()


@pytest.mark.parametrize("position", [2, 3, 4])
def test_a_modifier_after_an_empty_position_is_a_row_error(world, position):
    """A service-identifying modifier in the wrong slot: position 1 empty, U1 in 2, 3 or 4."""
    report = run(world, line(modifier_1="", **{f"modifier_{position}": "U1"}))
    assert errors_of(report) == [(1, f"modifier_{position}")]
    assert "fill the positions from 1" in report["errors"][0]["message"]
    assert not Encounter.objects.exists()


@pytest.mark.parametrize("position", [1, 2, 3, 4])
def test_a_typo_modifier_in_any_position_is_a_row_error(world, position):
    """ "UI" for U1 is no modifier of the guidance; never read as a near one."""
    fields = dict(zip(["modifier_1", "modifier_2", "modifier_3", "modifier_4"], ["U1", "GQ", "U8", "U2"], strict=True))
    fields[f"modifier_{position}"] = "UI"
    report = run(world, line(**fields))
    assert errors_of(report) == [(1, f"modifier_{position}")]
    assert "UI is not a modifier of the coding guidance" in report["errors"][0]["message"]


def test_codes_in_the_wrong_columns_are_row_errors(world):
    report = run(
        world,
        line(modifier_2="H0045"),  # a HCPCS code in a modifier column
        line(line_number="2", hcpcs="U1", modifier_1=""),  # a modifier in the HCPCS column
        line(line_number="3", hcpcs="G9O08"),  # a typo code (letter O)
        line(line_number="4", hcpcs="G9009"),  # a well-formed code the guidance does not know
    )
    assert errors_of(report) == [(1, "modifier_2"), (2, "hcpcs"), (3, "hcpcs"), (4, "hcpcs")]
    assert "is a HCPCS code" in report["errors"][0]["message"]
    assert "is a modifier, not a HCPCS code" in report["errors"][1]["message"]


def test_a_pair_the_guidance_does_not_list_is_refused_not_guessed(world):
    """G9008 takes U1 (and U8); U2 is G9012's: U1 U2 or U2 alone identifies nothing on G9008."""
    report = run(world, line(modifier_2="U2"), line(line_number="2", modifier_1="U2"))
    assert errors_of(report) == [(1, "modifier_1"), (2, "modifier_1")]
    assert "G9008 takes U1; U1 GQ; U8; U8 GQ" in report["errors"][1]["message"]


def test_outreach_is_coded_on_either_ecm_code(world):
    """cs-codes.csv's "G9008 or G9012" rows: U8 on either code is an ECM outreach attempt."""
    report = run(world, line(modifier_1="U8"), line(line_number="2", hcpcs="G9012", modifier_1="U8", modifier_2="GQ"))
    assert report["errors"] == []
    assert sorted(Encounter.objects.values_list("hcpcs", "service_code__modifiers", "in_person")) == [
        ("G9008", "U8", True), ("G9012", "U8 GQ", False),
    ]  # fmt: skip


def test_every_error_of_every_row_is_reported_and_nothing_is_recorded(world):
    report = run(
        world,
        line(),  # a good line: not recorded either
        line(line_number="2", member_cin="99999999Z"),
        line(line_number="3", provider_npi=UNCONTRACTED_NPI),
        line(line_number="4", provider_npi=HARBOR_NPI),  # contracted, but not for ECM
        line(line_number="5", service_from="2026-13-01", units="0"),
        line(line_number="1"),  # the same line twice in the file
    )
    assert errors_of(report) == [
        (2, "member_cin"), (3, "provider_npi"), (4, "provider_npi"), (5, "service_from"), (5, "units"),
        (6, "line_number"),
    ]  # fmt: skip
    assert report["created"] == 0
    assert not Encounter.objects.exists()
    assert not AuditEvent.objects.filter(code="encounters.invoice.imported").exists()


def test_sent_again_the_same_file_changes_nothing(world):
    run(world, line(), line(line_number="2", modifier_2="GQ"))
    recorded = list(Encounter.objects.values_list("pk", "recorded_at"))
    assert run(world, line(), line(line_number="2", modifier_2="GQ")) == {"created": 0, "unchanged": 2, "errors": []}
    assert list(Encounter.objects.values_list("pk", "recorded_at")) == recorded
    again = run(world, line(), line(line_number="3"))  # one more line: only it is new
    assert (again["created"], again["unchanged"]) == (1, 1)


def test_a_recorded_line_sent_with_other_values_is_an_error(world):
    run(world, line())
    report = run(world, line(units="2"))
    assert errors_of(report) == [(1, "line_number")]
    assert Encounter.objects.get().units == Decimal("1.00")


def test_a_member_not_enrolled_on_the_day_is_an_error(world):
    world.member.enrollments.update(end_date=date(2026, 10, 31))
    assert errors_of(run(world, line())) == [(1, "member_cin")]


@pytest.mark.parametrize(
    ("field", "value"),
    [("invoice_number", "X" * 41), ("notes", "n" * 501), ("member_cin", "912345678AB"), ("hcpcs", "G90081")],
)
def test_a_value_longer_than_its_field_is_an_error_never_cut(world, field, value):
    report = run(world, line(**{field: value}))
    assert (1, field) in errors_of(report)
    assert any("At most" in error["message"] for error in report["errors"])


def test_a_future_service_day_and_a_reversed_period_are_errors(world):
    report = run(world, line(service_from="2026-12-01"), line(line_number="2", service_to="2026-11-01"))
    assert errors_of(report) == [(1, "service_to"), (2, "service_to")]


def test_a_role_without_the_capability_is_refused(world):
    with pytest.raises(ActionNotPermitted):
        run(world, line(), actor=world.analyst)


def test_notes_with_tabs_backslashes_and_newlines_are_stored_as_sent(world):
    """The rows are copied in PostgreSQL's text format (encounters.bulk_insert): escaped, not cut."""
    run(world, line(notes="first\tsecond \\ third\nfourth", place_of_service=""))
    assert Encounter.objects.get().notes == "first\tsecond \\ third\nfourth"
