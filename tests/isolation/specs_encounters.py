"""Isolation specs for encounters and column maps (DOMAIN 10, 11), merged into test_isolation.py's
specs (plan B's roles against plan A).

Objects: {encounter}, an ECM encounter of {member} at the plan's provider, its notes carrying the
plan's marker, and the plan's invoice column-map overlay (a header naming the marker). Every write
names plan A's member (by CIN) or posts a file, in plan B's scope: it must be refused (4xx) or touch
plan B's own rows; encounters_snapshot is what the harness compares.
"""

from datetime import UTC, date, datetime

from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from encounters.invoices import invoice_import
from encounters.models import Encounter
from exchange.models import ColumnMapOverlay
from exchange.services import column_map_overlay_set
from tests.isolation.harness import Call

RECORDED_AT = datetime(2026, 11, 30, 18, tzinfo=UTC)
ENCOUNTERS = "/api/v1/encounters/"
PROVIDER_ENCOUNTERS = "/api/v1/provider/encounters/"
COLUMN_MAPS = "/api/v1/column-maps/"
LINE = {
    "provider_npi": "1234567893", "invoice_number": "ISO-1", "line_number": "1", "member_cin": "{member_cin}",
    "service_from": "2026-11-02", "hcpcs": "G9008", "modifier_1": "U1", "units": "1",
}  # fmt: skip
OVERLAY = {"effective_from": "2027-01-04", "renamed": {"notes": "Remarks"}}

PAGE_SPECS: dict = {
    "encounters": [Call("get", "/encounters/")],
    "encounter": [Call("get", "/encounters/{encounter}/", foreign=True)],
    "encounters-invoice-upload": [
        Call("get", "/encounters/invoices/upload/"),
        Call("post", "/encounters/invoices/upload/", upload=True),
    ],
    "encounters-invoice-line": [
        Call("get", "/encounters/invoices/line/"),
        Call("post", "/encounters/invoices/line/", data=LINE),
    ],
    "settings-column-map": [
        Call("get", "/settings/column-maps/invoice/"),
        Call("post", "/settings/column-maps/invoice/", data={"effective_from": "2027-01-04", "renamed": "notes = X"}),
    ],
}
API_SPECS: dict = {
    ("GET", ENCOUNTERS): [
        Call("get", ENCOUNTERS, lists="encounter"),
        Call("get", f"{ENCOUNTERS}?member={{member}}&service=ecm", lists="encounter"),
    ],
    ("GET", f"{ENCOUNTERS}{{id}}/"): [Call("get", f"{ENCOUNTERS}{{encounter}}/", foreign=True)],
    ("POST", f"{ENCOUNTERS}invoices/"): [Call("post", f"{ENCOUNTERS}invoices/", data={"lines": [LINE]})],
    ("POST", f"{ENCOUNTERS}invoice-files/"): [Call("post", f"{ENCOUNTERS}invoice-files/", upload=True)],
    ("GET", COLUMN_MAPS): [Call("get", COLUMN_MAPS)],
    ("GET", f"{COLUMN_MAPS}{{kind}}/"): [Call("get", f"{COLUMN_MAPS}invoice/")],
    ("PUT", f"{COLUMN_MAPS}{{kind}}/"): [Call("put", f"{COLUMN_MAPS}invoice/", data=OVERLAY)],
}


PROVIDER_LINE = LINE | {"service_from": "2026-11-24"}
# The provider harness (test_provider_isolation.py): provider X's staff against provider Y's and plan
# B's encounters; a line naming a foreign member's CIN must record nothing.
PROVIDER_SPECS: dict = {
    ("GET", PROVIDER_ENCOUNTERS): [
        Call("get", PROVIDER_ENCOUNTERS, lists="encounter"),
        Call("get", f"{PROVIDER_ENCOUNTERS}?plan=plan-b", lists="encounter"),
    ],
    ("GET", f"{PROVIDER_ENCOUNTERS}{{id}}/"): [Call("get", f"{PROVIDER_ENCOUNTERS}{{encounter}}/", foreign=True)],
    ("POST", f"{PROVIDER_ENCOUNTERS}invoices/"): [
        Call("post", f"{PROVIDER_ENCOUNTERS}invoices/", data={"plan": "plan-a", "lines": [PROVIDER_LINE]}),
        Call("post", f"{PROVIDER_ENCOUNTERS}invoices/", data={"plan": "plan-b", "lines": [PROVIDER_LINE]}),
    ],
}


def encounter_for(plan, member, organization, name):
    """One in-person ECM encounter of `member` at `organization` (its ECM contract), noted with `name`."""
    line = {
        "provider_npi": organization.npi, "invoice_number": f"{name[:30]}-1", "line_number": "1",
        "member_cin": member.cin, "service_from": "2026-11-02", "hcpcs": "G9008", "modifier_1": "U1", "units": "1",
        "notes": f"{name} encounter",
    }  # fmt: skip
    with scopes_disabled(), clocks.frozen(RECORDED_AT):
        report = invoice_import(plan=plan, actor=OPERATOR, rows=[(1, line)])
    assert report["created"] == 1, report


def encounters_world(plan, member, organization, name):
    """The plan's encounter (encounter_for) and its invoice overlay renaming the notes' header to
    one naming `name`."""
    encounter_for(plan, member, organization, name)
    with scopes_disabled(), clocks.frozen(RECORDED_AT):
        column_map_overlay_set(
            plan=plan, actor=OPERATOR, kind="invoice", effective_from=date(2026, 11, 30),
            renamed={"notes": f"{name} notes"}, extra_columns=[], extra_required=[],
        )  # fmt: skip


def objects_of(plan) -> dict:
    with scopes_disabled():
        return {"encounter": Encounter.objects.filter(plan=plan).values_list("pk", flat=True).first()}


def provider_objects_of(member) -> dict:
    """For the provider harness: the invoice encounter of a member (encounter_for)."""
    with scopes_disabled():
        return {
            "encounter": Encounter.objects.filter(member=member, source="invoice").values_list("pk", flat=True).get()
        }


def encounters_snapshot(plan=None) -> tuple:
    """Encounters and overlays (of `plan`, or of every plan for the provider harness)."""
    where = {"plan": plan} if plan is not None else {}
    with scopes_disabled():
        return (
            sorted(Encounter.objects.filter(**where).values_list("pk", "units", "notes", "idempotency_key")),
            sorted(ColumnMapOverlay.objects.filter(**where).values_list("kind", "effective_from", "renamed")),
        )
