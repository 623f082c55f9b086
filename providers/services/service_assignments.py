"""A member placed with a Community Supports provider for one authorized service (DOMAIN 9): a
contract line of that service, in force, in the member's county, with capacity left (DOMAIN 7)."""

from datetime import date

from django.db import transaction

from benefits.models import CatalogueService
from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member
from providers.models import AssignmentEndReason, Contract, ContractService, ProviderOrganization, ServiceAssignment
from providers.selectors import in_force_on, lines_with_capacity_on


def service_lines_on(*, plan: HealthPlan, member: Member, service: CatalogueService, on: date):
    """The plan's lines of `service` in force on `on` whose contract covers the member's county,
    with their capacity that day."""
    in_force = Contract.objects.filter(plan=plan, counties=member.county_id).filter(in_force_on(on))
    lines = ContractService.objects.filter(plan=plan, service=service, contract__in=in_force.values("pk"))
    return lines_with_capacity_on(lines.select_related("contract__organization", "service"), on)


def service_provider_for(
    *,
    plan: HealthPlan,
    member: Member,
    service: CatalogueService | str,
    on: date,
    preferred_organization: ProviderOrganization | None = None,
) -> ContractService | None:
    """The line a member of `service` is placed under on `on`: the preferred organization's if it has
    room, else the one with most capacity left, then the lowest organization id. None: no line has room."""
    service = service_get(service) if isinstance(service, str) else service
    lines = service_lines_on(plan=plan, member=member, service=service, on=on).filter(capacity_left__gt=0)
    preferred_pk = preferred_organization.pk if preferred_organization is not None else None
    ranked = sorted(
        lines,
        key=lambda line: (
            line.contract.organization_id != preferred_pk,
            -line.capacity_left,
            line.contract.organization_id,
        ),
    )
    return ranked[0] if ranked else None


@transaction.atomic
def service_assignment_create(
    *, plan: HealthPlan, actor, member: Member, line: ContractService, started_on: date, until: date | None = None
) -> ServiceAssignment:
    """Place the member under `line` from `started_on` until `until` (the authorized period's last
    day, after which the place is free again): refused when the line is full that day, its contract
    is not in force or does not cover the member's county, or the member already has a provider of
    that service."""
    require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    require_same_plan(plan, member, field="member")
    require_same_plan(plan, line, field="line")
    # Concurrent placements under the line queue here, so that it never goes over its capacity.
    line = (
        ContractService.objects.select_for_update().select_related("contract__organization", "service").get(pk=line.pk)
    )
    if line.service.is_ecm:
        raise DomainError("ECM members are assigned to an ECM Provider, not a service line.", field="line")
    held = ServiceAssignment.objects.filter(plan=plan, member=member, service=line.service).exclude(
        ended_on__lt=started_on
    )
    if held.exists():
        raise ConflictError(
            f"The member already has a provider of {line.service.name}; end that placement first.",
            field="member",
            code="service_provider_exists",
        )
    open_lines = {
        row.pk: row for row in service_lines_on(plan=plan, member=member, service=line.service, on=started_on)
    }
    organization = line.contract.organization
    if line.pk not in open_lines:
        raise DomainError(
            f"{organization.name} has no contract of {line.service.name} in force for the member's county "
            f"on {started_on:%m/%d/%Y}.",
            field="line",
            code="no_provider",
        )
    if open_lines[line.pk].capacity_left <= 0:
        raise ConflictError(
            f"{organization.name} has no {line.service.name} capacity left.", field="line", code="no_capacity"
        )
    placed = ServiceAssignment.objects.create(
        plan=plan,
        member=member,
        organization=organization,
        line=line,
        service=line.service,
        started_on=started_on,
        ended_on=max(until, started_on) if until else None,
        created_by=actor_user(actor),
        created_at=clocks.now(),
    )
    audit_record(
        code="providers.service_assignment.created",
        plan=plan,
        actor=actor,
        target=placed,
        payload={"member": member.pk, "organization": organization.npi, "service": line.service.code,
                 "started_on": str(started_on)},
    )  # fmt: skip
    return placed


@transaction.atomic
def service_assignment_end(
    *, plan: HealthPlan, actor, assignment: ServiceAssignment, on: date, reason: AssignmentEndReason
) -> ServiceAssignment:
    """End the placement on `on`, its last day (never before its first): the line's place is freed."""
    require(actor, Capability.ASSIGNMENTS_END, plan=plan)
    require_same_plan(plan, assignment, field="assignment")
    if reason not in AssignmentEndReason.values:
        raise DomainError("Choose why the placement ends.", field="reason")
    assignment = ServiceAssignment.objects.select_for_update().get(pk=assignment.pk)
    on = max(on, assignment.started_on)
    if assignment.ended_on is not None and assignment.ended_on <= on:
        raise ConflictError("The placement has ended already.", field="assignment", code="ended")
    assignment.ended_on, assignment.end_reason = on, reason
    assignment.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        code="providers.service_assignment.ended",
        plan=plan,
        actor=actor,
        target=assignment,
        payload={"member": assignment.member_id, "ended_on": str(on), "reason": reason,
                 "retroactive": on < clocks.local_date(clocks.now())},
    )  # fmt: skip
    return assignment
