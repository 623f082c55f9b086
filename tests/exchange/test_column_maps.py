"""Column maps (DOMAIN 11; ARCHITECTURE, Catalogue, files and reports): the invoice's DHCS baseline,
a plan's versioned overlay on it, the effective map of a day, and a header row read through it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.models import Role
from exchange import rules
from exchange.reader import mapped_rows
from exchange.selectors import column_map_effective
from exchange.services import column_map_overlay_set

pytestmark = pytest.mark.usefixtures("in_plan_a")
TODAY = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("America/Los_Angeles"))
BASELINE = [
    {"field": "member_cin", "header": "Member CIN", "required": True},
    {"field": "notes", "header": "Notes", "required": False},
]


def test_the_invoice_baseline_is_seeded_with_its_required_columns(plan_a):
    column_map = column_map_effective(plan=plan_a, kind="invoice", on=date(2026, 11, 30))
    assert (column_map.version, column_map.overlay_from) == ("invoice-1.0", None)
    assert column_map.required_fields == (
        "provider_npi", "invoice_number", "line_number", "member_cin", "service_from", "hcpcs", "units",
    )  # fmt: skip
    assert [c.header for c in column_map.columns][7:11] == ["Modifier 1", "Modifier 2", "Modifier 3", "Modifier 4"]


def test_before_the_baseline_took_effect_there_is_no_map(plan_a):
    with pytest.raises(DomainError, match="No Provider invoice column map"):
        column_map_effective(plan=plan_a, kind="invoice", on=date(2021, 12, 31))


def test_an_overlay_renames_adds_and_requires_from_its_day_only(plan_a, admin_a):
    with clocks.frozen(TODAY):
        column_map_overlay_set(
            plan=plan_a, actor=admin_a.user, kind="invoice", effective_from=date(2026, 12, 1),
            renamed={"member_cin": "Subscriber ID"}, extra_columns=[{"field": "region", "header": "Region", "required": True}],
            extra_required=["amount"],
        )  # fmt: skip
    before = column_map_effective(plan=plan_a, kind="invoice", on=date(2026, 11, 30))
    after = column_map_effective(plan=plan_a, kind="invoice", on=date(2026, 12, 1))
    assert before.overlay_from is None and after.overlay_from == date(2026, 12, 1)
    cin = next(c for c in after.columns if c.field == "member_cin")
    assert (cin.header, cin.renamed_from) == ("Subscriber ID", "Member CIN")
    assert after.columns[-1] == rules.Column("region", "Region", True, plan_column=True)
    assert "amount" in after.required_fields and "amount" not in before.required_fields
    event = AuditEvent.objects.get(code="exchange.column_map_overlay.set")
    assert event.payload["renamed"] == {"member_cin": "Subscriber ID"} and event.payload["previous"] == {}


def test_another_plans_overlay_does_not_change_this_plans_map(plan_a, plan_b, make_membership):
    from ecm_platform.tenancy.scoping import plan_scope

    with plan_scope(plan_b), clocks.frozen(TODAY):
        column_map_overlay_set(
            plan=plan_b, actor=make_membership(plan_b, Role.PLAN_ADMINISTRATOR).user, kind="invoice",
            effective_from=date(2026, 11, 30), renamed={"member_cin": "CIN"}, extra_columns=[], extra_required=[],
        )  # fmt: skip
    assert column_map_effective(plan=plan_a, kind="invoice", on=date(2026, 12, 1)).overlay_from is None


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"renamed": {"nope": "X"}}, "no field 'nope' to rename"),
        ({"renamed": {"notes": "Member CIN"}}, "share the header member cin"),
        ({"extra_columns": [{"field": "notes", "header": "Other"}]}, "already in the map"),
        ({"extra_columns": [{"field": "Bad Name", "header": "Other"}]}, "is not a field name"),
        ({"extra_required": ["nope"]}, "no field 'nope' to require"),
        ({"renamed": {"notes": "x" * 81}}, "at most 80 characters"),
    ],
)
def test_overlay_problems_are_all_named(overlay, message):
    problems = rules.overlay_problems(
        baseline=BASELINE, renamed=overlay.get("renamed", {}), extra_columns=overlay.get("extra_columns", []),
        extra_required=overlay.get("extra_required", []),
    )  # fmt: skip
    assert any(message in text for _, text in problems), problems


def test_only_the_plan_administrator_sets_an_overlay_and_never_for_a_past_day(plan_a, admin_a, make_membership):
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
    arguments = {"kind": "invoice", "renamed": {}, "extra_columns": [], "extra_required": []}
    with clocks.frozen(TODAY):
        with pytest.raises(ActionNotPermitted):
            column_map_overlay_set(plan=plan_a, actor=coordinator, effective_from=date(2026, 12, 1), **arguments)
        with pytest.raises(DomainError, match="today or later"):
            column_map_overlay_set(plan=plan_a, actor=admin_a.user, effective_from=date(2026, 11, 29), **arguments)


def effective(**overlay):
    return rules.effective_map(kind="invoice", version="t", baseline=BASELINE, **overlay)


def test_a_header_is_read_whatever_its_case_and_spacing():
    reading = rules.read_header(effective(), ["  member   CIN ", "NOTES"])
    assert (reading.fields, reading.problems) == (("member_cin", "notes"), [])


def test_unknown_missing_and_repeated_columns_are_all_reported():
    reading = rules.read_header(effective(), ["Notes", "Notes", "Modifer 3"])
    assert reading.problems == [
        "The header lacks the required columns: Member CIN.",
        "The map has no columns named: Modifer 3.",
        "Columns given twice: Notes.",
    ]


def test_a_renamed_header_replaces_the_baseline_one():
    renamed = effective(renamed={"member_cin": "Subscriber ID"})
    assert rules.read_header(renamed, ["Subscriber ID"]).problems == []
    assert rules.read_header(renamed, ["Member CIN"]).unknown == ("Member CIN",)


def test_the_reader_keys_rows_by_field_and_refuses_a_bad_header_before_any_row():
    rows = list(mapped_rows(b"\xef\xbb\xbfMember CIN,Notes\r\n91234567A,hello\r\n", effective()))
    assert rows == [{"member_cin": "91234567A", "notes": "hello"}] and rows[0].line == 2
    with pytest.raises(DomainError, match="no columns named: Modifer 3") as refused:
        mapped_rows(b"Member CIN,Modifer 3\n91234567A,U1\n", effective())
    assert refused.value.field == "file"


def test_a_latin_1_byte_is_reported_on_its_line_not_guessed():
    rows = list(mapped_rows("Member CIN,Notes\n91234567A,café\n".encode("latin-1"), effective()))
    assert rows[0]["notes"].message == "Byte 0xE9 on line 2 is not UTF-8; save the file as UTF-8 and send it again."
    with pytest.raises(DomainError, match="not UTF-8"):
        mapped_rows("Member CIN,Notés\n".encode("latin-1"), effective())
