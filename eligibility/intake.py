"""Claims intake (DOMAIN 3.3 fields): every row validated, nothing applied when any row is bad,
idempotent on the claim id, and a corrected claim (same id, new content) replaces the old one."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.identifiers import normalize_cin
from ecm_platform.tenancy.models import HealthPlan
from eligibility.models import EventType, UtilizationEvent
from members.models import Member

COLUMNS = [
    "claim_id", "cin", "event_type", "service_date", "discharge_date", "planned", "avoidable",
    "diagnosis_codes", "adjudication_date",
]  # fmt: skip
REQUIRED = {"claim_id", "cin", "event_type", "service_date", "avoidable", "adjudication_date"}
TRUE, FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0", ""}
ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
BATCH = 5000
STORED_FIELDS = [
    "member_id", "event_type", "service_date", "discharge_date", "is_planned", "is_avoidable",
    "diagnosis_codes", "adjudicated_on",
]  # fmt: skip


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str
    message: str


@dataclass
class IntakeReport:
    rows: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_applied(self) -> bool:
        return not self.errors


class RowInvalid(Exception):
    def __init__(self, field_name, message):
        super().__init__(message)
        self.field, self.message = field_name, message


def _text(raw: Mapping, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _date(raw, name, required=True) -> date | None:
    value = _text(raw, name)
    if not value:
        if required:
            raise RowInvalid(name, "This field is required.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowInvalid(name, f"{value!r} is not a date (YYYY-MM-DD).") from None


def _flag(raw, name) -> bool:
    value = raw.get(name)
    if isinstance(value, bool):
        return value
    text = _text(raw, name).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowInvalid(name, f"{text!r} is not true or false.")


def _parse(raw: Mapping, members: Mapping[str, int]) -> UtilizationEvent:
    for name in sorted(REQUIRED):
        if not _text(raw, name):
            raise RowInvalid(name, "This field is required.")
    claim_id = _text(raw, "claim_id")
    if len(claim_id) > 50:
        raise RowInvalid("claim_id", "A claim id has at most 50 characters.")
    cin = normalize_cin(_text(raw, "cin"))
    member_id = members.get(cin)
    if member_id is None:
        raise RowInvalid("cin", f"No member of this plan has CIN {cin}.")
    event_type = _text(raw, "event_type").upper()
    if event_type not in EventType.values:
        raise RowInvalid("event_type", f"Use one of {', '.join(EventType.values)}.")
    service_date = _date(raw, "service_date")
    discharge_date = _date(raw, "discharge_date", required=False)
    if discharge_date and discharge_date < service_date:
        raise RowInvalid("discharge_date", "The discharge is before the admission.")
    adjudicated_on = _date(raw, "adjudication_date")
    if adjudicated_on < service_date:
        raise RowInvalid("adjudication_date", "The claim was adjudicated before the service.")
    codes = [c.upper() for c in re.split(r"[\s,;|]+", _text(raw, "diagnosis_codes")) if c]
    bad_codes = [code for code in codes if not ICD10.match(code)]
    if bad_codes:
        raise RowInvalid("diagnosis_codes", f"Not ICD-10-CM codes: {', '.join(bad_codes)}.")
    return UtilizationEvent(
        claim_id=claim_id,
        member_id=member_id,
        event_type=event_type,
        service_date=service_date,
        discharge_date=discharge_date,
        is_planned=_flag(raw, "planned"),
        is_avoidable=_flag(raw, "avoidable"),
        diagnosis_codes=" ".join(codes)[:200],
        adjudicated_on=adjudicated_on,
    )


def _stored(event: UtilizationEvent) -> tuple:
    return tuple(getattr(event, name) for name in STORED_FIELDS)


def validate_claims(*, plan: HealthPlan, rows: Iterable[Mapping], max_errors: int = 1000):
    """Parse every row; returns the events and the report with row-level errors."""
    members = dict(Member.objects.filter(plan=plan).values_list("cin", "id"))
    report, events, seen = IntakeReport(), [], {}
    for number, raw in enumerate(rows, start=1):
        report.rows = number
        try:
            event = _parse(raw, members)
            if event.claim_id in seen:
                raise RowInvalid("claim_id", f"Claim {event.claim_id} is also in row {seen[event.claim_id]}.")
        except RowInvalid as invalid:
            if len(report.errors) < max_errors:
                report.errors.append(RowError(number, invalid.field, invalid.message))
            continue
        seen[event.claim_id] = number
        event.plan = plan
        events.append(event)
    return events, report


@transaction.atomic
def claims_load(*, plan: HealthPlan, rows: Iterable[Mapping], actor, source: str) -> IntakeReport:
    """Validate every row, then apply all of them in one transaction, or none."""
    events, report = validate_claims(plan=plan, rows=rows)
    if report.errors:
        return report
    for start in range(0, len(events), BATCH):
        batch = events[start : start + BATCH]
        existing = {
            event.claim_id: event
            for event in UtilizationEvent.objects.filter(plan=plan, claim_id__in=[e.claim_id for e in batch])
        }
        new, changed = [], []
        for event in batch:
            current = existing.get(event.claim_id)
            if current is None:
                new.append(event)
            elif _stored(current) != _stored(event):
                event.pk = current.pk
                changed.append(event)
        UtilizationEvent.objects.bulk_create(new, batch_size=BATCH)
        UtilizationEvent.objects.bulk_update(changed, STORED_FIELDS, batch_size=BATCH)
        report.inserted += len(new)
        report.replaced += len(changed)
        report.unchanged += len(batch) - len(new) - len(changed)
    audit_record(
        code="eligibility.claims.loaded",
        plan=plan,
        actor=actor,
        payload={
            "source": source,
            "rows": report.rows,
            "inserted": report.inserted,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
        },
    )
    return report
