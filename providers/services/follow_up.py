"""What follows an assignment (DOMAIN 7): the provider and the PCP told, the Lead Care Manager named."""

from django.db import transaction
from django.urls import reverse

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.selectors import deadlines_of
from ecm_platform.deadlines.services import deadline_meet, deadline_open
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from providers.models import (
    Assignment,
    CareManager,
)

LEAD_CARE_MANAGER_BUSINESS_DAYS = 10  # DOMAIN 5.2: services running without one


def lead_care_manager_due(*, plan, assignment: Assignment) -> None:
    """A member moved to another provider while in services has no Lead Care Manager there yet:
    naming one is due in 10 business days (DOMAIN 5.2), met by `assignment_set_lead_care_manager`."""
    deadline_open(plan=plan, **lead_care_manager_clock(plan=plan, assignment=assignment))


def lead_care_manager_clock(*, plan, assignment: Assignment) -> dict:
    """`lead_care_manager_due`'s clock fields (for `deadline_new` in a set-based import too)."""
    return {
        "kind": DeadlineKind.LEAD_CARE_MANAGER,
        "target": assignment,
        "due_at": clocks.business_days_after(plan=plan, start=clocks.now(), days=LEAD_CARE_MANAGER_BUSINESS_DAYS),
        "owner": Capability.ASSIGNMENTS_MANAGE,
        "label": f"Name {assignment.member.full_name}'s Lead Care Manager at {assignment.contract.organization.name}",
        "link": reverse("assignment-detail", args=[assignment.pk]),
        "member": assignment.member,
    }


def in_services(*, plan, assignment: Assignment) -> bool:
    """The member is in services at the assignment: a Lead Care Manager named, or one due because
    services run without one (presumptive, transition, reinstatement; DOMAIN 5.2). Read it before
    the assignment ends, which cancels that clock."""
    return (
        assignment.lead_care_manager_id is not None
        or deadlines_of(plan=plan, target=assignment).filter(kind=DeadlineKind.LEAD_CARE_MANAGER).exists()
    )


@transaction.atomic
def mark_pcp_notified(*, plan: HealthPlan, assignment: Assignment, actor) -> Assignment:
    """Record that the member's PCP was told of the assignment (DOMAIN 7: within 10 business days)."""
    principal = require(actor, Capability.ASSIGNMENTS_MANAGE, plan=plan)
    require_same_plan(plan, assignment)
    require(principal, Capability.ASSIGNMENTS_MANAGE, plan=plan, organization=assignment.organization_id)
    if assignment.pcp_notification_due is None:
        raise DomainError(
            "No PCP notice is owed: the ECM Provider is the member's PCP or the member has no PCP on record.",
            code="no_pcp_notice",
        )
    assignment.pcp_notified_at = assignment.pcp_notified_at or clocks.now()
    assignment.save(update_fields=["pcp_notified_at"])
    deadline_meet(plan=plan, kind=DeadlineKind.PCP_NOTICE, target=assignment, at=assignment.pcp_notified_at)
    audit_record(code="providers.assignment.pcp_notified", plan=plan, actor=actor, target=assignment)
    return assignment


@transaction.atomic
def mark_communicated(*, plan: HealthPlan, assignment: Assignment, actor) -> Assignment:
    principal = require(actor, Capability.ASSIGNMENTS_MANAGE, plan=plan)
    require_same_plan(plan, assignment)
    require(principal, Capability.ASSIGNMENTS_MANAGE, plan=plan, organization=assignment.organization_id)
    assignment.communicated_at = assignment.communicated_at or clocks.now()
    assignment.save(update_fields=["communicated_at"])
    deadline_meet(plan=plan, kind=DeadlineKind.PROVIDER_COMMUNICATION, target=assignment, at=assignment.communicated_at)
    audit_record(code="providers.assignment.communicated", plan=plan, actor=actor, target=assignment)
    return assignment


@transaction.atomic
def assignment_set_lead_care_manager(
    *, plan: HealthPlan, assignment: Assignment, care_manager: CareManager, actor
) -> Assignment:
    """Record the member's Lead Care Manager, a person at the assigned provider (DOMAIN 7)."""
    principal = require(actor, Capability.ASSIGNMENTS_MANAGE, plan=plan)
    require_same_plan(plan, assignment)
    require(principal, Capability.ASSIGNMENTS_MANAGE, plan=plan, organization=assignment.organization_id)
    if care_manager.organization_id != assignment.organization_id:
        raise DomainError("The Lead Care Manager works for another organization.", field="care_manager")
    if not care_manager.is_active:
        raise DomainError("The care manager is inactive.", field="care_manager")
    assignment.lead_care_manager = care_manager
    assignment.save(update_fields=["lead_care_manager"])
    deadline_meet(plan=plan, kind=DeadlineKind.LEAD_CARE_MANAGER, target=assignment)
    audit_record(
        code="providers.assignment.lead_care_manager_set",
        plan=plan,
        actor=actor,
        target=assignment,
        payload={"care_manager": care_manager.pk},
    )
    return assignment
