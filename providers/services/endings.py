"""An assignment ends, freeing its place in the contract and the caseload (DOMAIN 7)."""

from datetime import date

from django.db import transaction

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.services import deadline_cancel
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member
from providers.models import (
    Assignment,
    AssignmentEndReason,
    AwaitingAssignment,
    ProviderChangeRequest,
)


@transaction.atomic
def assignment_end(*, plan: HealthPlan, actor, member: Member, on: date, reason: str) -> Assignment | None:
    """End the member's assignment on `on`, its last day: the contract's place and the care manager's
    caseload are freed, its running clocks stop, and the member leaves the awaiting-assignment list
    (DOMAIN 7). None when the member has no assignment."""
    require(actor, Capability.ASSIGNMENTS_END, plan=plan)
    require_same_plan(plan, member, field="member")
    if reason not in AssignmentEndReason.values:
        raise DomainError("Choose why the assignment ends.", field="reason")
    now = clocks.now()
    AwaitingAssignment.objects.filter(plan=plan, member=member, resolved_at__isnull=True).update(resolved_at=now)
    # An assignment under a contract ending later (the member was reassigned ahead of it) holds no
    # place past the end of the member's ECM either.
    for held in Assignment.objects.select_for_update().filter(plan=plan, member=member, ended_on__gt=on):
        _end_assignment(plan=plan, actor=actor, assignment=held, on=on, reason=reason)
    assignment = Assignment.objects.select_for_update().filter(plan=plan, member=member, ended_on__isnull=True).first()
    if assignment is None:
        return None
    _end_assignment(plan=plan, actor=actor, assignment=assignment, on=on, reason=reason)
    if reason != AssignmentEndReason.PROVIDER_CHANGE:
        # ECM or the contract ended: a pending change of provider is moot.
        for change in ProviderChangeRequest.objects.filter(plan=plan, member=member, resolved_on__isnull=True):
            change.resolved_on, change.outcome = clocks.local_date(now), f"Closed: {AssignmentEndReason(reason).label}"
            change.save(update_fields=["resolved_on", "outcome"])
            deadline_cancel(plan=plan, target=change)
    return assignment


def _end_assignment(*, plan, actor, assignment: Assignment, on: date, reason: str) -> Assignment:
    """`assignment_end` past its checks, for the services that end one (a change, a contract's end).
    An assignment never ends before it started: late data (a member who left the plan before they
    were assigned) ends it on its first day; an end dated before today is audited as retroactive."""
    on = max(on, assignment.started_on)
    assignment.ended_on, assignment.end_reason = on, reason
    assignment.save(update_fields=["ended_on", "end_reason"])
    deadline_cancel(plan=plan, target=assignment)
    audit_record(
        code="providers.assignment.ended",
        plan=plan,
        actor=actor,
        target=assignment,
        payload={
            "member": assignment.member_id, "ended_on": str(on), "reason": reason,
            "retroactive": on < clocks.local_date(clocks.now()),
        },
    )  # fmt: skip
    return assignment
