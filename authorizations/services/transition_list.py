"""Transition members (DOMAIN 3.5): the HHP/WPC Member Transition List and the six-month
reassessment."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction

from authorizations import rules
from authorizations.models import (
    AuthorizationRequest,
    Decision,
    RequestSource,
    Status,
    TransitionProgram,
)
from authorizations.services.requests import _new_request
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.selectors import enrolled_on, member_list


def transition_import(*, plan: HealthPlan, actor, rows: list[dict]) -> dict:
    """Import a Member Transition List: each HHP/WPC member is authorized (active) from the
    transition date, reassessment due six months later. Every row is validated first; one bad row
    imports nothing. Rows already imported change nothing."""
    require(actor, Capability.TRANSITIONS_IMPORT, plan=plan)
    errors, parsed = [], []
    members = {m.cin: m for m in member_list(plan=plan).filter(cin__in=[str(r.get("cin", "")).upper() for r in rows])}
    seen = set()
    for number, row in enumerate(rows, start=1):
        cin = str(row.get("cin", "")).strip().upper()
        program = str(row.get("program", "")).strip().lower()
        member = members.get(cin)
        try:
            start = date.fromisoformat(str(row.get("transition_date", "")).strip())
        except ValueError:
            errors.append({"row": number, "field": "transition_date", "message": "Use a date like 2022-01-01."})
            start = None
        if member is None:
            errors.append({"row": number, "field": "cin", "message": f"No member of the plan has CIN {cin!r}."})
        if program not in TransitionProgram.values:
            errors.append({"row": number, "field": "program", "message": "The program is HHP or WPC."})
        if (cin, program) in seen:
            errors.append({"row": number, "field": "cin", "message": "This member and program appear twice."})
        seen.add((cin, program))
        if start and start > clocks.local_date(clocks.now()):
            errors.append({"row": number, "field": "transition_date", "message": "The date is in the future."})
        if member is not None and start is not None and not enrolled_on(plan=plan, member=member, day=start):
            errors.append({"row": number, "field": "cin", "message": f"{cin} is not enrolled on {start}."})
        parsed.append((member, program, start))
    if not rows:
        errors.append({"row": 0, "field": "rows", "message": "The list is empty."})
    if errors:
        return {"created": 0, "unchanged": 0, "errors": errors}
    created = unchanged = 0
    with transaction.atomic():
        existing = set(
            AuthorizationRequest.objects.filter(plan=plan, source=RequestSource.TRANSITION).values_list(
                "member_id", "transition_program"
            )
        )
        for member, program, start in parsed:
            if (member.pk, program) in existing:
                unchanged += 1
                continue
            _new_request(
                plan=plan,
                actor=actor,
                member=member,
                status=Status.ACTIVE,
                source=RequestSource.TRANSITION,
                received_at=clocks.start_of_day(start),
                transition_program=program,
                services_started_on=start,
                decision=Decision.FULL,
                decided_at=clocks.start_of_day(start),
                reassessment_due=start + relativedelta(months=rules.TRANSITION_REASSESSMENT_MONTHS),
            )
            created += 1
    return {"created": created, "unchanged": unchanged, "errors": []}


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
    audit_record(
        code="authorizations.request.reassessed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reassessed_on": str(reassessed_on)},
    )
    return request
