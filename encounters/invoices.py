"""Provider invoices become encounters (DOMAIN 11: for providers without X12 837P).

Every line is checked, set-based (a few queries per 500 lines, none per line): its own values
(`invoice_lines`), its codes against the coding guidance in force on its service date (`rules`),
the member (enrolled that day), the provider (a contract in force that day with a line of the
service), the authorization covering it (linked when there is one) and, for a Community Support,
the limits (`limits`). Every error of every line is reported at once with its row number; one bad
line records nothing. A line is known by its provider NPI, invoice number and line number: sent
again with the same values it changes nothing, with other values it is an error (never overwritten).
The whole file is checked and recorded in one transaction, in batches, with the rows of its
members locked first: two uploads for one member are weighed against the limits one after the
other, never each without the other's lines.
"""

import json
from datetime import date

from django.db import IntegrityError, connection, transaction

from authorizations.models import AuthorizationRequest
from authorizations.services.limits import COUNTED
from benefits.models import ECM_CODE, ServiceKind
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan
from encounters import limits, rules
from encounters.bulk_insert import encounters_insert
from encounters.invoice_lines import Line, line_read
from encounters.models import Encounter, EncounterSource
from encounters.selectors import code_pairs
from members.models import EnrollmentSpan, Member
from providers.models import Assignment, ContractService, ProviderOrganization, ServiceAssignment

# Keys per query: SQLite takes a bounded number of parameters; PostgreSQL is spared round trips.
CHUNK = {"sqlite": 500}
POSTGRESQL_CHUNK = 20_000
MAX_LINES = 200_000
# The fields every line needs (invoice_lines.line_read); a column map may require more.
READ_REQUIRED = frozenset(
    {"provider_npi", "invoice_number", "line_number", "member_cin", "service_from", "hcpcs", "units"}
)
COMPARED = (
    "member_id", "organization_id", "service_code_id", "service_from", "service_to", "units", "amount",
    "modifier_1", "modifier_2", "modifier_3", "modifier_4", "place_of_service", "notes", "plan_columns",
)  # fmt: skip


def _chunks(values):
    values, size = list(values), CHUNK.get(connection.vendor, POSTGRESQL_CHUNK)
    for first in range(0, len(values), size):
        yield values[first : first + size]


class _Lookups:
    """What the lines are checked against, loaded once per file."""

    def __init__(self, plan: HealthPlan, lines: list[Line], principal):
        self.pairs, self.known_modifiers = code_pairs()
        # Provider staff bill under their own NPI, for the members assigned or placed with them only,
        # for that service and while the assignment lasts.
        self.own_npi, self.own_members = None, None
        if principal.is_provider:
            self.own_npi = ProviderOrganization.objects.values_list("npi", flat=True).get(pk=principal.organization_id)
            self.own_members = _members_of_organization(plan, principal.organization_id)
        self.codings: dict[tuple, tuple] = {}
        cins = {line.cin for line in lines if line.cin}
        self.members = {}
        for chunk in _chunks(cins):
            self.members.update(Member.objects.filter(plan=plan, cin__in=chunk).values_list("cin", "pk"))
        self.spans: dict[int, list] = {}
        self.requests: dict[tuple[int, int], list] = {}
        self.history: dict[int, list[limits.Billed]] = {}
        for chunk in _chunks(sorted(self.members.values())):
            # Each member's row locked (in id order: no deadlock) before its encounters are read: an
            # upload for the same member waits for this one's commit, then counts its encounters.
            list(Member.objects.filter(pk__in=chunk).order_by("pk").select_for_update().values_list("pk"))
            spans = EnrollmentSpan.objects.filter(plan=plan, member_id__in=chunk)
            for member_id, start, end in spans.values_list("member_id", "start_date", "end_date"):
                self.spans.setdefault(member_id, []).append((start, end))
            granted = AuthorizationRequest.objects.filter(COUNTED, plan=plan, member_id__in=chunk)
            for pk, member_id, service_id, start, end, reason in granted.values_list(
                "pk", "member_id", "service_id", "service_from", "service_to", "limit_override_reason"
            ):
                self.requests.setdefault((member_id, service_id), []).append(
                    (start, end, limits.Authorization(pk, reason))
                )
            billed = Encounter.objects.filter(
                plan=plan, member_id__in=chunk, service__kind=ServiceKind.COMMUNITY_SUPPORT
            )
            for member_id, *values in billed.values_list(
                "member_id", "service__code", "service_from", "service_to", "units", "amount", "service_code__unit",
                "authorization_request_id",
            ):  # fmt: skip
                self.history.setdefault(member_id, []).append(limits.Billed(*values))
        self.contracts: dict[str, list] = {}
        lines_of_plan = ContractService.objects.filter(
            plan=plan, contract__organization__npi__in={line.npi for line in lines}
        )
        for npi, *values in lines_of_plan.values_list(
            "contract__organization__npi", "contract__organization_id", "service_id", "contract__start_date",
            "contract__end_date", "contract__activated_on",
        ):  # fmt: skip
            self.contracts.setdefault(npi, []).append(values)
        self.existing = _recorded(plan, {line.key for line in lines})
        self.limit_rules = limits.limit_rules()

    def identified(self, line: Line):
        """rules.identify, once per (code, modifiers, day): a file repeats them on many lines."""
        key = (line.hcpcs, line.modifiers, line.service_from)
        if key not in self.codings:
            self.codings[key] = rules.identify(*key, self.pairs, self.known_modifiers)
        return self.codings[key]

    def served_by_own(self, member_id: int, service_code: str, day: date) -> bool:
        """Whether the provider's organization had the member for the service on `day`."""
        return any(
            code == service_code and start <= day and (end is None or day <= end)
            for code, start, end in self.own_members.get(member_id, ())
        )

    def enrolled(self, member_id: int, day: date) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in self.spans.get(member_id, ()))

    def organization(self, npi: str, service_id: int, day: date) -> tuple[int | None, bool]:
        """(the organization, whether a contract in force on `day` covers the service)."""
        rows = self.contracts.get(npi, [])
        for organization_id, line_service, start, end, activated in rows:
            in_force = activated is not None and activated <= day and start <= day and (end is None or day <= end)
            if in_force and line_service == service_id:
                return organization_id, True
        return (rows[0][0] if rows else None), False

    def authorization(self, member_id: int, service_id: int, line: Line) -> limits.Authorization | None:
        for start, end, authorization in self.requests.get((member_id, service_id), ()):
            if start is not None and start <= line.service_from and (end is None or line.service_to <= end):
                return authorization
        return None


def _members_of_organization(plan: HealthPlan, organization_id: int) -> dict[int, list[tuple]]:
    """The members the plan ever assigned (ECM) or placed (a Community Support) with the
    organization: (the service's catalogue code, first day, last day or None) by member."""
    periods: dict[int, list[tuple]] = {}
    assigned = Assignment.objects.filter(plan=plan, organization_id=organization_id)
    for member_id, start, end in assigned.values_list("member_id", "started_on", "ended_on"):
        periods.setdefault(member_id, []).append((ECM_CODE, start, end))
    placed = ServiceAssignment.objects.filter(plan=plan, organization_id=organization_id)
    for member_id, *period in placed.values_list("member_id", "service__code", "started_on", "ended_on"):
        periods.setdefault(member_id, []).append(tuple(period))
    return periods


def _recorded(plan: HealthPlan, keys: set[str]) -> dict[str, list]:
    """The recorded encounters of these keys: [pk, *COMPARED] by key. On PostgreSQL one statement
    with the keys as one array (the ORM's IN list costs a parameter each: a second per 100,000)."""
    if connection.vendor != "postgresql":
        found = {}
        for chunk in _chunks(keys):
            rows = Encounter.objects.filter(plan=plan, idempotency_key__in=chunk)
            found.update((key, values) for key, *values in rows.values_list("idempotency_key", "pk", *COMPARED))
        return found
    columns = ", ".join(connection.ops.quote_name(Encounter._meta.get_field(name).column) for name in COMPARED)
    sql = (
        f"SELECT idempotency_key, id, {columns} FROM {connection.ops.quote_name(Encounter._meta.db_table)} "  # noqa: S608
        "WHERE plan_id = %s AND idempotency_key = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, list(keys)])
        # The driver gives jsonb as its text (Django decodes JSONField itself): the plan's columns, last.
        return {key: [*values[:-1], json.loads(values[-1])] for key, *values in cursor.fetchall()}


def _no_progress(rows_done: int, phase: str = "") -> None:
    pass


def _checked(plan: HealthPlan, principal, rows: list[tuple[int, dict]], column_map, progress) -> tuple[list, list, set]:
    """(lines, errors, keys recorded already): every line checked on its own, then against the
    lookups."""
    today = clocks.local_date(clocks.now())
    columns = column_map.columns if column_map else ()
    plan_fields = tuple(column.field for column in columns if column.plan_column)
    required = tuple(column.field for column in columns if column.required and column.field not in READ_REQUIRED)
    lines, errors = [], []
    for number, row in rows:
        line, problems = line_read(row, number, plan_fields=plan_fields, required=required, today=today)
        lines.append(line)
        errors += problems
    progress(len(rows) // 3, "checking")
    lookups = _Lookups(plan, lines, principal)
    seen: dict[str, int] = {}
    for line in lines:
        errors += _line_errors(line, lookups, seen)
    progress(2 * len(rows) // 3, "checking")
    return lines, errors, set(lookups.existing)


def _line_errors(line: Line, lookups: _Lookups, seen: dict[str, int]) -> list[dict]:
    errors = []

    def error(field, message):
        errors.append({"row": line.number, "field": field, "message": message})

    if line.npi and line.invoice_number and line.line_number:
        if line.key in seen:
            error("line_number", f"Invoice {line.invoice_number} line {line.line_number} is also row {seen[line.key]}.")
        seen.setdefault(line.key, line.number)
    member_id = lookups.members.get(line.cin)
    if lookups.own_npi is not None and line.npi and line.npi != lookups.own_npi:
        # Nothing more is checked: another NPI's contracts and recorded lines are not the provider's to learn.
        error("provider_npi", f"Your organization bills under its own NPI, {lookups.own_npi}.")
        return errors
    if lookups.own_members is not None and member_id not in lookups.own_members:
        member_id = None  # as unknown: a provider learns nothing of members not its own
        if line.cin:
            error("member_cin", f"No member assigned or referred to your organization has CIN {line.cin}.")
    elif line.cin and member_id is None:
        error("member_cin", f"No member of the plan has CIN {line.cin}.")
    if line.service_from is None:
        return errors
    if member_id is not None and not lookups.enrolled(member_id, line.service_from):
        error("member_cin", f"{line.cin} is not enrolled in the plan on {line.service_from}.")
    if line.hcpcs and line.modifiers_readable:
        line.coding, problems = lookups.identified(line)
        for field, message in problems:
            error(field, message)
    if line.coding is None or not line.npi:
        return errors
    pair = line.coding.pair
    organization_id, covered = lookups.organization(line.npi, pair.service_id, line.service_from)
    if organization_id is None:
        error("provider_npi", f"No provider contracted with the plan has NPI {line.npi}.")
    elif not covered:
        error("provider_npi", f"{line.npi} has no contract in force on {line.service_from} for this service.")
    line.organization_id = organization_id
    if member_id is None:
        return errors
    if lookups.own_members is not None and not lookups.served_by_own(member_id, pair.service_code, line.service_from):
        error("member_cin", f"{line.cin} was not assigned or referred to your organization for this service "
                            f"on {line.service_from}.")  # fmt: skip
    line.member_id = member_id
    line.authorization = lookups.authorization(member_id, pair.service_id, line)
    existing = lookups.existing.get(line.key)
    if existing is not None and tuple(existing[1:]) != _compared(line):
        error("line_number", f"Invoice {line.invoice_number} line {line.line_number} was recorded already "
                             f"(encounter {existing[0]}) with other values; it is never overwritten.")  # fmt: skip
    if pair.is_community_support and existing is None and line.units is not None:
        billed = limits.Billed(
            pair.service_code, line.service_from, line.service_to, line.units, line.amount, pair.unit,
            line.authorization.pk if line.authorization else None,
        )  # fmt: skip
        history = lookups.history.setdefault(member_id, [])
        for message in limits.limit_problems(billed, history, lookups.limit_rules, line.authorization):
            error("units", message)
        history.append(billed)
    return errors


def _compared(line: Line) -> tuple:
    return (
        line.member_id, line.organization_id, line.coding.pair.pk, line.service_from, line.service_to, line.units,
        line.amount, *line.modifiers_as_read, line.place_of_service, line.notes, line.plan_columns,
    )  # fmt: skip


def _encounter(plan: HealthPlan, line: Line, user, now) -> dict:
    """The encounter of a checked line, as encounters_insert takes it."""
    first, second, third, fourth = line.modifiers_as_read
    return {
        "plan_id": plan.pk, "member_id": line.member_id, "organization_id": line.organization_id,
        "service_id": line.coding.pair.service_id, "service_code_id": line.coding.pair.pk, "hcpcs": line.hcpcs,
        "modifier_1": first, "modifier_2": second, "modifier_3": third, "modifier_4": fourth,
        "service_from": line.service_from, "service_to": line.service_to, "units": line.units, "amount": line.amount,
        "in_person": line.coding.in_person, "place_of_service": line.place_of_service, "notes": line.notes,
        "source": EncounterSource.INVOICE, "idempotency_key": line.key, "invoice_number": line.invoice_number,
        "line_number": line.line_number, "plan_columns": line.plan_columns, "recorded_by_id": getattr(user, "pk", None),
        "recorded_at": now, "outreach_attempt_id": None,
        "authorization_request_id": line.authorization.pk if line.authorization else None,
    }  # fmt: skip


def _require_uploader(actor, plan: HealthPlan):
    """Plan staff holding INVOICES_UPLOAD, or provider staff holding PROVIDER_INVOICES_UPLOAD for
    their own organization."""
    principal = principal_for(actor, plan)
    if principal is not None and principal.is_provider:
        return require(
            principal, Capability.PROVIDER_INVOICES_UPLOAD, plan=plan, organization=principal.organization_id
        )
    return require(actor, Capability.INVOICES_UPLOAD, plan=plan)


def invoice_import(
    *, plan: HealthPlan, actor, rows: list[tuple[int, dict]], column_map=None, source_name: str = "",
    progress=_no_progress, file_errors: list[dict] = (),
) -> dict:  # fmt: skip
    """Record invoice lines as encounters: `rows` are (row number, values by field), `column_map`
    the effective map they were read with (None: the baseline's fields only), `file_errors` the
    row errors found reading the file (a row of the wrong shape). Returns the report: created,
    unchanged and every row error (then nothing is recorded)."""
    principal = _require_uploader(actor, plan)
    if not rows:
        return {"created": 0, "unchanged": 0, "errors": [{"row": 0, "field": "lines", "message": "No lines."}]}
    if len(rows) > MAX_LINES:
        raise DomainError(f"An invoice file has at most {MAX_LINES:,} lines.", field="file", code="too_many_rows")
    user, now = actor_user(actor), clocks.now()
    with transaction.atomic():  # checked in the write's transaction, under the members' locks (_Lookups)
        lines, errors, recorded = _checked(plan, principal, rows, column_map, progress)
        errors = list(file_errors) + errors
        errors.sort(key=lambda error: error["row"])  # stable: a row's own errors keep their order
        if errors:
            return {"created": 0, "unchanged": 0, "errors": errors}
        new = [_encounter(plan, line, user, now) for line in lines if line.key not in recorded]
        try:
            with transaction.atomic():
                encounters_insert(new)
        except IntegrityError:  # the same lines recorded by another request since the check
            raise ConflictError(
                "Some of these lines were recorded meanwhile by another upload; send the file again.",
                code="recorded_meanwhile",
            ) from None
        audit_record(
            code="encounters.invoice.imported", plan=plan, actor=actor,
            payload={"source": source_name[:200], "lines": len(lines), "created": len(new)},
        )  # fmt: skip
    progress(len(rows), "importing")
    return {"created": len(new), "unchanged": len(lines) - len(new), "errors": []}
