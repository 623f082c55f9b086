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
from authorizations.services import deadlines
from authorizations.services.common import _acting_as, _assign
from authorizations.services.notices import _notice_if_needed
from authorizations.services.requests import _new_request
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.selectors import enrolled_on, member_list
from providers.selectors import contracted_organizations


def transition_import(*, plan: HealthPlan, actor, rows: list[dict]) -> dict:
    """Import a Member Transition List: each HHP/WPC member is authorized (active) from the
    transition date, reassessment due six months later, and assigned to the provider the list
    names in its optional `provider_npi` column (the member's WPC/HHP provider), else by the DOMAIN 7
    order; its Lead Care Manager is due in 10 business days (DOMAIN 3.5, 5.2). Every row is
    validated first; one bad row imports nothing. Rows already imported change nothing."""
    require(actor, Capability.TRANSITIONS_IMPORT, plan=plan)
    errors, parsed = [], []
    members = {m.cin: m for m in member_list(plan=plan).filter(cin__in=[str(r.get("cin", "")).upper() for r in rows])}
    npis = {str(row.get("provider_npi") or "").strip() for row in rows} - {""}
    providers = {o.npi: o for o in contracted_organizations(plan=plan).filter(npi__in=npis)}
    seen = set()
    for number, row in enumerate(rows, start=1):
        cin = str(row.get("cin", "")).strip().upper()
        program = str(row.get("program", "")).strip().lower()
        npi = str(row.get("provider_npi") or "").strip()
        member = members.get(cin)
        if npi and npi not in providers:
            errors.append(
                {"row": number, "field": "provider_npi", "message": f"No provider of the plan has NPI {npi}."}
            )
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
        parsed.append((member, program, start, providers.get(npi)))
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
        notifier = _acting_as(actor, plan, "transition-list", Capability.NOTICES_ISSUE)
        today = clocks.local_date(clocks.now())
        for member, program, start, organization in parsed:
            if (member.pk, program) in existing:
                unchanged += 1
                continue
            request = _new_request(
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
            deadlines.reassessment_run(plan=plan, request=request)
            # Made today, so its communication clock runs from today, not from a past transition date.
            assignment = _assign(plan=plan, actor=actor, request=request, on=today, organization=organization)
            deadlines.lead_care_manager_run(plan=plan, assignment=assignment)
            _notice_if_needed(plan=plan, actor=notifier, request=request, action=rules.Action.TRANSITION)
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
    deadlines.reassessment_done(plan=plan, request=request)
    audit_record(
        code="authorizations.request.reassessed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reassessed_on": str(reassessed_on)},
    )
    return request
