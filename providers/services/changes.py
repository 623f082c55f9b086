"""Moving a member to another provider: a coordinator's override or the member's request (DOMAIN 7)."""

from datetime import date

from django.db import transaction
from django.urls import reverse

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_meet, deadline_open
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member
from providers.models import (
    Assignment,
    AssignmentEndReason,
    AssignmentRule,
    ProviderChangeRequest,
    ProviderOrganization,
)
from providers.services.assignments import _contract_taking, _create
from providers.services.endings import _end_assignment
from providers.services.follow_up import in_services, lead_care_manager_due

CHANGE_CALENDAR_DAYS = 30  # DOMAIN 7: a member-requested change within 30 days


@transaction.atomic
def assignment_override(
    *, plan: HealthPlan, assignment: Assignment, organization: ProviderOrganization, reason: str, actor
) -> Assignment:
    """A coordinator moves the member to another contracted provider, with a reason."""
    require(actor, Capability.ASSIGNMENT_OVERRIDE, plan=plan)
    require_same_plan(plan, assignment)
    if not reason.strip():
        raise DomainError("An override needs a reason.", field="reason")
    return _replace(
        plan=plan,
        assignment=assignment,
        organization=organization,
        rule=AssignmentRule.OVERRIDE,
        reason=reason,
        actor=actor,
    )


def _replace(*, plan, assignment, organization, rule, reason, actor) -> Assignment:
    if assignment.ended_on is not None:
        raise DomainError("The assignment has ended already.")
    contract = _contract_taking(plan=plan, member=assignment.member, organization=organization)
    today = clocks.local_date(clocks.now())
    was_in_services = in_services(plan=plan, assignment=assignment)
    _end_assignment(plan=plan, actor=actor, assignment=assignment, on=today, reason=AssignmentEndReason.PROVIDER_CHANGE)
    new = _create(
        plan=plan,
        member=assignment.member,
        contract=contract,
        rule=rule,
        passed_over=[],
        reason=reason,
        authorized_on=assignment.authorized_on,
        communicate_from=today,  # a new assignment for the provider to hear of (DOMAIN 7)
        actor=actor,
    )
    if was_in_services:
        lead_care_manager_due(plan=plan, assignment=new)
    return new


@transaction.atomic
def provider_change_request(
    *, plan: HealthPlan, member: Member, organization: ProviderOrganization, requested_on: date, actor
) -> ProviderChangeRequest:
    """The member asks for another ECM Provider (any time); due within 30 days (DOMAIN 7)."""
    require(actor, Capability.PROVIDER_CHANGES_MANAGE, plan=plan)
    require_same_plan(plan, member, field="member")
    request = ProviderChangeRequest.objects.create(
        plan=plan,
        member=member,
        requested_organization=organization,
        requested_on=requested_on,
        due=clocks.calendar_days_deadline(requested_on, CHANGE_CALENDAR_DAYS),
    )
    deadline_open(
        plan=plan,
        kind=DeadlineKind.PROVIDER_CHANGE,
        target=request,
        due_at=request.due,
        owner=Capability.PROVIDER_CHANGES_MANAGE,
        label=f"Move {member.full_name} to {organization.name} as they asked",
        link=reverse("change-request-list"),
        member=member,
    )
    audit_record(code="providers.change.requested", plan=plan, actor=actor, target=request)
    return request


def provider_change_implement(*, plan: HealthPlan, change: ProviderChangeRequest, actor) -> Assignment:
    """Move the member to the requested provider, if it can accommodate them (DOMAIN 7).

    When it cannot (no capacity left, not contracted for the member's county, no ECM contract in
    force), the refusal is recorded on the request's `outcome` and audited, and the request stays
    unresolved: the change is owed "to the extent the requested provider can accommodate it", so a
    coordinator may try again before the 30 days are up (e.g. once a place frees up)."""
    require(actor, Capability.PROVIDER_CHANGES_MANAGE, plan=plan)
    require_same_plan(plan, change)
    if change.resolved_on is not None:
        raise DomainError("The request has been resolved already.")
    today = clocks.local_date(clocks.now())
    try:
        with transaction.atomic():
            current = Assignment.objects.filter(plan=plan, member=change.member, ended_on__isnull=True).first()
            if current is None:
                raise DomainError("The member has no current ECM Provider to change.")
            assignment = _replace(
                plan=plan,
                assignment=current,
                organization=change.requested_organization,
                rule=AssignmentRule.MEMBER_CHANGE,
                reason="Requested by the member",
                actor=actor,
            )
            change.resolved_on, change.outcome = today, "Implemented"
            change.save(update_fields=["resolved_on", "outcome"])
            deadline_meet(plan=plan, kind=DeadlineKind.PROVIDER_CHANGE, target=change)
            return assignment
    except DomainError as error:
        # Recorded outside the rolled-back block so the refusal survives the error.
        change.resolved_on, change.outcome = None, f"Not implemented on {today:%Y-%m-%d}: {error.message}"[:200]
        change.save(update_fields=["resolved_on", "outcome"])
        audit_record(
            code="providers.change.refused", plan=plan, actor=actor, target=change, payload={"outcome": change.outcome}
        )
        raise
