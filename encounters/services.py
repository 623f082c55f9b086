"""Encounters written (DOMAIN 10, 11): invoice files as background jobs, invoice lines sent through
the API in the request, and unsuccessful outreach attempts as U8 encounters."""

from django.db.models import Q

from benefits.models import ECM_CODE, ServiceCode
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.jobs.models import ImportJob
from ecm_platform.jobs.services import import_job_start
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from encounters.invoices import invoice_import
from encounters.models import Encounter, EncounterSource
from exchange.models import FileKind
from exchange.reader import header_check, mapped_rows
from exchange.selectors import column_map_effective
from outreach.models import Method

JOB_KIND = "encounters.invoices"
JOB_TASK = "encounters.tasks.invoice_import_task"
MAX_FILE_BYTES = 32 * 1024 * 1024  # about 300,000 lines
# The attempt records no staff licensure: outreach is coded as by non-clinical staff (G9012 U8).
OUTREACH_HCPCS = "G9012"


class InvoiceLinesInvalid(DomainError):
    """Lines sent through the API were refused; none was recorded. `errors` lists them all."""

    default_code = "rows_invalid"

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len({error['row'] for error in errors})} line(s) have errors; nothing was recorded.")
        self.errors = errors


def invoice_lines_record(*, plan: HealthPlan, actor, lines: list[dict]) -> dict:
    """Record invoice lines sent as JSON or through the page (the baseline's fields, and the plan's
    own columns in `plan_columns`), in the request; rows are numbered from 1 in the order sent. They
    are checked with today's column map, as a file is: its extra required fields are required."""
    column_map = column_map_effective(plan=plan, kind=FileKind.INVOICE, on=clocks.local_date(clocks.now()))
    own_fields = {column.field for column in column_map.columns if column.plan_column}
    rows, unknown = [], []
    for number, line in enumerate(lines, start=1):
        given = dict(line.get("plan_columns") or {})
        unknown += [
            {"row": number, "field": "plan_columns", "message": f"The plan's column map has no column {name!r}."}
            for name in sorted(set(given) - own_fields)
        ]
        fields = {name: value for name, value in line.items() if name != "plan_columns"}
        rows.append((number, fields | {name: given[name] for name in own_fields & set(given)}))
    report = invoice_import(
        plan=plan, actor=actor, rows=rows, column_map=column_map, source_name="api", file_errors=unknown
    )
    if report["errors"]:
        raise InvoiceLinesInvalid(report["errors"])
    return report


def invoice_file_start(*, plan: HealthPlan, actor, content: bytes, source_name: str = "") -> ImportJob:
    """Queue an invoice CSV as a background job (ecm_platform.jobs), after its size and its header
    are checked against today's column map: a file refused there is never stored."""
    require(actor, Capability.INVOICES_UPLOAD, plan=plan)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(f"An invoice file is at most {MAX_FILE_BYTES // (1024 * 1024)} MB.", field="file")
    column_map = column_map_effective(plan=plan, kind=FileKind.INVOICE, on=clocks.local_date(clocks.now()))
    header_check(content, column_map)
    return import_job_start(
        plan=plan, actor=actor, kind=JOB_KIND, capability=Capability.INVOICES_UPLOAD, task_name=JOB_TASK,
        content=content, source_name=source_name, rows_total=max(content.count(b"\n") - 1, 0),
    )  # fmt: skip


def invoice_file_job(*, job: ImportJob, actor, progress) -> dict:
    """The job's work: the file read with the map of the day it was uploaded, every row checked."""
    column_map = column_map_effective(plan=job.plan, kind=FileKind.INVOICE, on=clocks.local_date(job.created_at))
    rows, shape_errors = [], []
    for row in mapped_rows(bytes(job.content), column_map):
        if row.shape_error:
            shape_errors.append({"row": row.line, "field": "line", "message": row.shape_error})
        rows.append((row.line, row))
    # A row of the wrong shape refuses the file like any row error: given to the import, which then
    # records nothing and reports it with the other rows' errors.
    return invoice_import(
        plan=job.plan, actor=actor, rows=rows, column_map=column_map, source_name=job.source_name, progress=progress,
        file_errors=shape_errors,
    )  # fmt: skip


def _outreach_codes() -> list[ServiceCode]:
    """Every version of the outreach codes, loaded once for all the attempts."""
    codes = ServiceCode.objects.filter(service__code=ECM_CODE, hcpcs=OUTREACH_HCPCS)
    return list(codes.filter(Q(modifiers="U8") | Q(modifiers="U8 GQ")))


def _outreach_code(codes: list[ServiceCode], day, in_person: bool) -> ServiceCode | None:
    for code in codes:
        in_force = code.effective_from <= day and (code.effective_to is None or day <= code.effective_to)
        if in_force and ("GQ" not in code.modifiers) == in_person:
            return code
    return None


def outreach_encounters_record(*, plan: HealthPlan, actor: Principal, attempts: list) -> list[Encounter]:
    """An unsuccessful outreach attempt that counts (DOMAIN 8) made by a provider becomes one U8
    encounter (with GQ when not in person), once: the attempt is its key. Attempts by the plan's
    own staff are the plan's outreach, not a provider's encounter, and attempts that do not count
    are never reported as outreach (DOMAIN 8)."""
    require(actor, Capability.OUTREACH_ENCOUNTERS_RECORD, plan=plan)
    coded = [a for a in attempts if a.counts and not a.successful and a.organization_id is not None]
    encounters, codes = [], _outreach_codes() if coded else []
    for attempt in coded:
        day = clocks.local_date(attempt.attempted_at)
        in_person = attempt.method == Method.IN_PERSON
        code = _outreach_code(codes, day, in_person)
        if code is None:
            raise DomainError(f"The coding guidance has no {OUTREACH_HCPCS} U8 in force on {day}.")
        encounters.append(
            Encounter(
                plan=plan, member_id=attempt.member_id, organization_id=attempt.organization_id,
                service_id=code.service_id, service_code=code, hcpcs=code.hcpcs, modifier_1="U8",
                modifier_2="" if in_person else "GQ", service_from=day, service_to=day, units=1, in_person=in_person,
                source=EncounterSource.OUTREACH_ATTEMPT, idempotency_key=f"outreach-attempt:{attempt.pk}",
                authorization_request_id=attempt.engagement.request_id, outreach_attempt=attempt,
                recorded_at=clocks.now(),
            )
        )  # fmt: skip
    if encounters:
        Encounter.objects.bulk_create(encounters)
        audit_record(
            code="encounters.outreach.recorded", plan=plan, actor=actor,
            payload={"attempts": [attempt.pk for attempt in coded]},
        )  # fmt: skip
    return encounters
