"""Transition members (DOMAIN 3.5): the HHP/WPC Member Transition List and the six-month
reassessment."""

import json
from datetime import date
from functools import partial

from django.db import transaction

from authorizations import rules
from authorizations.models import AuthorizationRequest, RequestSource, TransitionProgram
from authorizations.selectors import live_request_of
from authorizations.services import deadlines
from authorizations.services.common import _acting_as, _assign
from authorizations.services.notices import _notice_if_needed
from authorizations.services.requests import _new_request
from authorizations.services.transition_bulk import transition_fields, transition_rows_create
from benefits.election_selectors import offered_services
from benefits.models import CatalogueService, ServiceKind, ecm_service_pk
from benefits.selectors import service_get, service_named
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.jobs.models import ImportJob
from ecm_platform.jobs.services import import_job_start
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import EnrollmentSpan
from members.selectors import active_on, member_list
from providers.selectors import contracted_organizations
from providers.services import service_assignment_create, service_provider_for

CHUNK = 500  # rows checked per query: SQLite takes a bounded number of parameters
JOB_KIND = "authorizations.transition_list"
JOB_TASK = "authorizations.tasks.transition_list_import_task"


def _enrolled(plan: HealthPlan, pairs: set[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (member id, day) pairs where the member is enrolled on the day: one query per distinct
    day (a list carries a few), by the rule `enrolled_on` uses."""
    days: dict[date, set[int]] = {}
    for member_id, day in pairs:
        days.setdefault(day, set()).add(member_id)
    return {
        (member_id, day)
        for day, member_ids in days.items()
        for member_id in EnrollmentSpan.objects.filter(plan=plan, member_id__in=member_ids)
        .filter(active_on(day))
        .values_list("member_id", flat=True)
    }


def _transition_date(row: dict) -> date | None:
    try:
        return date.fromisoformat(str(row.get("transition_date", "")).strip())
    except ValueError:
        return None


class _CommunitySupports:
    """The optional `ecm` and `community_supports` columns of a row (FAQ 50: WPC members move into
    the Community Supports the plan offers for the WPC service they receive). Only rows that name
    Community Supports or say `ecm=no` cost queries here: a list of ECM rows is checked set-based."""

    def __init__(self, plan: HealthPlan):
        self.plan, self.named, self.offered = plan, {}, {}

    def _service(self, token: str, on: date) -> CatalogueService | None:
        key = (token.lower(), on)
        if key not in self.named:
            try:
                self.named[key] = service_get(token.lower())
            except CatalogueService.DoesNotExist:
                self.named[key] = service_named(token, on=on)
        return self.named[key]

    def _offered(self, county, on: date) -> set[int]:
        if (county.pk, on) not in self.offered:
            try:
                self.offered[county.pk, on] = set(
                    offered_services(plan=self.plan, county=county, on=on).values_list("pk", flat=True)
                )
            except DomainError:  # not one of the plan's counties: nothing is offered there
                self.offered[county.pk, on] = set()
        return self.offered[county.pk, on]

    def check(self, row: dict, number: int, member, program: str, start) -> tuple[bool, list, list]:
        """(wants ECM, the Community Supports, the errors) of one row."""
        wants = str(row.get("ecm") or "").strip().lower()
        tokens = [t.strip() for t in str(row.get("community_supports") or "").split(";") if t.strip()]
        errors, named = [], []

        def error(field, message):
            errors.append({"row": number, "field": field, "message": message})

        if wants not in ("", "yes", "no"):
            error("ecm", "Write yes or no (empty: yes).")
        if tokens and program == TransitionProgram.HHP:
            error("community_supports", "Only WPC members move into Community Supports (FAQ 50); HHP moves into ECM.")
        elif wants == "no" and not tokens:
            error("ecm", "With ecm=no the row names the Community Supports the member moves into.")
        if not tokens or errors or start is None or member is None:
            return wants != "no", [], errors
        for token in tokens:
            service = self._service(token, start)
            if service is None:
                error("community_supports", f"No service of the catalogue is named {token!r} on {start}.")
            elif service.kind != ServiceKind.COMMUNITY_SUPPORT:
                error("community_supports", f"{service.name} is not a Community Support: ECM is the ecm column.")
            elif service.pk not in self._offered(member.county, start):
                error(
                    "community_supports",
                    f"{self.plan} does not offer {service.name} in {member.county} on {start}.",
                )
            elif service not in named:
                live = live_request_of(plan=self.plan, member=member, service=service)
                if live is not None and live.source != RequestSource.TRANSITION:
                    error("community_supports", f"{member.cin} already holds {service.name} (request {live.pk}).")
                named.append(service)
        return wants != "no", named, errors


def _checked(plan: HealthPlan, rows: list[dict], providers: dict, progress) -> tuple[list, list]:
    """Every row checked, a chunk at a time (a few queries per chunk, none per row but for the rows
    naming Community Supports): the errors and the rows as (member, program, start, organization,
    wants ECM, Community Supports)."""
    errors, parsed, seen = [], [], set()
    community_supports = _CommunitySupports(plan)
    today = clocks.local_date(clocks.now())
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        cins = [str(row.get("cin", "")).strip().upper() for row in chunk]
        starts = [_transition_date(row) for row in chunk]
        members = {m.cin: m for m in member_list(plan=plan).filter(cin__in=set(cins))}
        pairs = {(members[cin].pk, start) for cin, start in zip(cins, starts, strict=True) if cin in members and start}
        enrolled = _enrolled(plan, pairs)
        for number, (row, cin, start) in enumerate(zip(chunk, cins, starts, strict=True), start=first + 1):
            program = str(row.get("program", "")).strip().lower()
            npi = str(row.get("provider_npi") or "").strip()
            member = members.get(cin)
            if npi and npi not in providers:
                errors.append(
                    {"row": number, "field": "provider_npi", "message": f"No provider of the plan has NPI {npi}."}
                )
            if start is None:
                errors.append({"row": number, "field": "transition_date", "message": "Use a date like 2022-01-01."})
            if member is None:
                errors.append({"row": number, "field": "cin", "message": f"No member of the plan has CIN {cin!r}."})
            if program not in TransitionProgram.values:
                errors.append({"row": number, "field": "program", "message": "The program is HHP or WPC."})
            if (cin, program) in seen:
                errors.append({"row": number, "field": "cin", "message": "This member and program appear twice."})
            seen.add((cin, program))
            if start and start > today:
                errors.append({"row": number, "field": "transition_date", "message": "The date is in the future."})
            if member is not None and start is not None and (member.pk, start) not in enrolled:
                errors.append({"row": number, "field": "cin", "message": f"{cin} is not enrolled on {start}."})
            wants_ecm, named, problems = community_supports.check(row, number, member, program, start)
            errors += problems
            parsed.append((member, program, start, providers.get(npi), wants_ecm, named))
        progress(first + len(chunk), "checking")
    return errors, parsed


def _no_progress(rows_done: int, phase: str = "") -> None:
    pass


def transition_import(*, plan: HealthPlan, actor, rows: list[dict], progress=_no_progress) -> dict:
    """Import a Member Transition List: each HHP/WPC member is authorized (active) from the
    transition date, reassessment due six months later, and assigned to the provider the list
    names in its optional `provider_npi` column (the member's WPC/HHP provider), else by the DOMAIN 7
    order; its Lead Care Manager is due in 10 business days (DOMAIN 3.5, 5.2). Every row is
    validated first, set-based; one bad row imports nothing. Rows already imported change nothing.
    The members are then authorized set-based too (transition_bulk), in one transaction.
    A WPC row may name, in `community_supports` (codes or names, old ones too, `;`-separated), the
    Community Supports the plan offers in the member's county that day (FAQ 50): each is authorized
    (active) from the transition date through the per-row services, with its provider placement and
    approval letter (`_create_community_support`); `ecm=no` moves the member into those only.
    Large lists run as a background job (`transition_import_start`); `progress(rows, phase)` is
    told how far it got."""
    require(actor, Capability.TRANSITIONS_IMPORT, plan=plan)
    npis = {str(row.get("provider_npi") or "").strip() for row in rows} - {""}
    providers = {o.npi: o for o in contracted_organizations(plan=plan).filter(npi__in=npis)}
    errors, parsed = _checked(plan, rows, providers, progress)
    if not rows:
        errors.append({"row": 0, "field": "rows", "message": "The list is empty."})
    if errors:
        return {"created": 0, "unchanged": 0, "errors": errors}
    with transaction.atomic():
        existing = set(
            AuthorizationRequest.objects.filter(plan=plan, source=RequestSource.TRANSITION).values_list(
                "member_id", "transition_program", "service_id"
            )
        )
        ecm = ecm_service_pk()
        new = [
            (number, member, program, start, organization)
            for number, (member, program, start, organization, wants_ecm, _) in enumerate(parsed, start=1)
            if wants_ecm and (member.pk, program, ecm) not in existing
        ]
        notifier = _acting_as(actor, plan, "transition-list", Capability.NOTICES_ISSUE)
        assigner = _acting_as(actor, plan, "assignment", Capability.ASSIGNMENTS_CREATE)
        transition_rows_create(
            plan=plan, actor=actor, assigner=assigner, notifier=notifier, rows=new, progress=progress,
            one_row=partial(_create_one, plan=plan, actor=actor, notifier=notifier),
        )  # fmt: skip
        changed = {number for number, *_ in new}  # a row counts as created when any of its requests is
        for number, (member, program, start, organization, _, named) in enumerate(parsed, start=1):
            for service in named:
                if (member.pk, "", service.pk) in existing:  # see _create_community_support
                    continue
                _create_community_support(
                    member, program, start, organization, service,
                    plan=plan, actor=actor, assigner=assigner, notifier=notifier,
                )  # fmt: skip
                changed.add(number)
    return {"created": len(changed), "unchanged": len(parsed) - len(changed), "errors": []}


def _create_one(member, program: str, start: date, organization, *, plan: HealthPlan, actor, notifier) -> None:
    """One row through the per-row services: the set-based path's answer for the rows it does not
    settle alone (transition_bulk), and the reference it is tested against."""
    request = _new_request(plan=plan, actor=actor, member=member, **transition_fields(program, start))
    deadlines.reassessment_run(plan=plan, request=request)
    # Made today, so its communication clock runs from today, not from a past transition date.
    today = clocks.local_date(clocks.now())
    assignment = _assign(plan=plan, actor=actor, request=request, on=today, organization=organization)
    deadlines.lead_care_manager_run(plan=plan, assignment=assignment)
    _notice_if_needed(plan=plan, actor=notifier, request=request, action=rules.Action.TRANSITION)


def _create_community_support(
    member, program: str, start: date, organization, service: CatalogueService, *, plan, actor, assigner, notifier
) -> AuthorizationRequest:
    """One Community Support of a WPC row (FAQ 50): active from the transition date (no six-month
    reassessment: that is ECM's, DOMAIN 3.5), placed with the row's provider when its contract has
    a line of the service with room in the member's county, else with one by the usual order
    (`service_provider_for`), else left for `request_assign_service_provider`; the standard
    approval letter, as ECM's transition sends."""
    # The program stays on the member's ECM transition: the schema allows one transition request per
    # member and program, so a Community Support from the list is known by its source and service.
    fields = {**transition_fields(program, start), "transition_program": "", "reassessment_due": None}
    fields["service_from"] = start
    request = _new_request(plan=plan, actor=actor, member=member, service=service, **fields)
    today = clocks.local_date(clocks.now())  # placed today, as the ECM assignment is
    line = service_provider_for(
        plan=plan, member=member, service=service, on=today, preferred_organization=organization
    )
    if line is not None:
        request.service_assignment = service_assignment_create(
            plan=plan, actor=assigner, member=member, line=line, started_on=today, until=request.service_to
        )
        request.save(update_fields=["service_assignment"])
    _notice_if_needed(plan=plan, actor=notifier, request=request, action=rules.Action.TRANSITION)
    return request


def transition_import_start(*, plan: HealthPlan, actor, rows: list[dict], source_name: str = "") -> ImportJob:
    """Queue the import of a Member Transition List as a background job (issue 15: not inside the
    request); the job's report is `transition_import`'s."""
    require(actor, Capability.TRANSITIONS_IMPORT, plan=plan)  # before the rows are read
    return import_job_start(
        plan=plan, actor=actor, kind=JOB_KIND, capability=Capability.TRANSITIONS_IMPORT, task_name=JOB_TASK,
        content=json.dumps(rows).encode(), source_name=source_name, rows_total=len(rows),
    )  # fmt: skip


def transition_import_job(*, job: ImportJob, actor, progress) -> dict:
    """The job's work (ecm_platform.jobs.services.import_job_run)."""
    return transition_import(plan=job.plan, actor=actor, rows=json.loads(bytes(job.content)), progress=progress)


@transaction.atomic
def transition_reassessment_record(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, reassessed_on: date
) -> AuthorizationRequest:
    """The six-month reassessment found the member still meets ECM; discontinuing is its own
    action (`request_discontinue`)."""
    require(actor, Capability.REASSESSMENTS_RECORD, plan=plan)
    require_same_plan(plan, request)
    if request.reassessment_due is None:
        raise DomainError("Only transition members have a six-month reassessment.")
    if reassessed_on > clocks.local_date(clocks.now()):
        raise DomainError("A reassessment cannot be in the future.", field="reassessed_on")
    request.reassessed_on, request.updated_at = reassessed_on, clocks.now()
    request.save(update_fields=["reassessed_on", "updated_at"])
    deadlines.reassessment_done(plan=plan, request=request)
    audit_record(
        code="authorizations.request.reassessed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reassessed_on": str(reassessed_on)},
    )
    return request
