"""Assigning an authorized member to an ECM Provider, its clocks, and its end (DOMAIN 7)."""

from datetime import date

from django.db import transaction
from django.urls import reverse

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_event
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_open
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility.selectors import determination_list
from members.models import Member, ProgramEnrollment
from members.selectors import active_on
from providers import rules
from providers.models import (
    Assignment,
    AssignmentRule,
    AwaitingAssignment,
    Contract,
    ProviderOrganization,
)
from providers.selectors import contracts_in_force
from providers.services.awaiting import _await_assignment, awaiting_resolve
from providers.services.settings import assignment_settings_get

COMMUNICATION_BUSINESS_DAYS = 10  # DOMAIN 7: tell the provider within 10 business days
PCP_NOTICE_BUSINESS_DAYS = 10  # DOMAIN 7: tell the PCP within 10 business days of the assignment
# DOMAIN 7 (2): Specialty Mental Health or DMC-ODS/DMC services (program codes seeded by
# members/migrations/0002); an open SMI_SUD Population of Focus counts too.
SPECIALTY_BEHAVIORAL_HEALTH_PROGRAMS = ("dmc_ods", "smhs_tcm", "smhs_icc")
SPECIALTY_BEHAVIORAL_HEALTH_POF = "SMI_SUD"


def candidates_on(*, plan: HealthPlan, day: date) -> tuple[list[rules.Candidate], dict[int, Contract]]:
    """The plan's ECM contracts in force on `day`, with their capacity that day (three queries)."""
    contracts = list(
        contracts_in_force(plan=plan, day=day).select_related("organization").prefetch_related("counties", "pofs")
    )
    by_organization = {contract.organization_id: contract for contract in contracts}
    candidates = [
        rules.Candidate(
            organization_id=contract.organization_id,
            name=contract.organization.name,
            npi=contract.organization.npi,
            counties=frozenset(county.code for county in contract.counties.all()),
            pofs=frozenset(pof.code for pof in contract.pofs.all()),
            capacity=contract.capacity,
            assigned=contract.assigned,
        )
        for contract in contracts
    ]
    return candidates, by_organization


def receives_specialty_behavioral_health_on(*, plan: HealthPlan, member: Member, day: date) -> bool:
    """DOMAIN 7 (2): the member has an open SMI/SUD Population of Focus, or is enrolled in a
    Specialty Mental Health or DMC-ODS/DMC program, on `day`."""
    in_smi_sud = (
        determination_list(plan=plan)
        .filter(member=member, pof__code=SPECIALTY_BEHAVIORAL_HEALTH_POF)
        .filter(active_on(day))
        .exists()
    )
    return in_smi_sud or (
        ProgramEnrollment.objects.filter(
            plan=plan, member=member, program__code__in=SPECIALTY_BEHAVIORAL_HEALTH_PROGRAMS
        )
        .filter(active_on(day))
        .exists()
    )


@transaction.atomic
def assignment_assign(
    *,
    plan: HealthPlan,
    member: Member,
    authorized_on: date,
    actor,
    preferred_organization: ProviderOrganization | None = None,
    receives_specialty_behavioral_health: bool | None = None,
    more_appropriate_organization: ProviderOrganization | None = None,
    reason: str = "",
    pcp_before_behavioral_health: bool | None = None,
) -> Assignment:
    """Assign an authorized member to an ECM Provider by the DOMAIN 7 order, recording the rule
    that decided and who was passed over.

    Left as None, `receives_specialty_behavioral_health` comes from the member's data (an open
    SMI_SUD determination or a specialty behavioral-health program on the day of assignment) and
    `pcp_before_behavioral_health` from the plan's `AssignmentSettings`."""
    require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    require_same_plan(plan, member, field="member")
    if Assignment.objects.filter(plan=plan, member=member, ended_on__isnull=True).exists():
        raise DomainError("The member already has an ECM Provider; change or end that assignment.", field="member")
    return _assign_by_order(
        plan=plan,
        member=member,
        authorized_on=authorized_on,
        actor=actor,
        preferred_organization=preferred_organization,
        receives_specialty_behavioral_health=receives_specialty_behavioral_health,
        more_appropriate_organization=more_appropriate_organization,
        reason=reason,
        pcp_before_behavioral_health=pcp_before_behavioral_health,
        communicate_from=authorized_on,
        day=clocks.local_date(clocks.now()),
    )


def _assign_by_order(
    *,
    plan,
    member,
    authorized_on,
    actor,
    preferred_organization=None,
    receives_specialty_behavioral_health=None,
    more_appropriate_organization=None,
    reason="",
    pcp_before_behavioral_health=None,
    communicate_from,
    day: date,
) -> Assignment:
    """The DOMAIN 7 order among the contracts in force on `day`, with their capacity that day."""
    if more_appropriate_organization is not None and not reason.strip():
        raise DomainError("Document why the other provider is more appropriate.", field="reason")
    _lock_contracts(plan)
    candidates, contracts = candidates_on(plan=plan, day=day)
    if receives_specialty_behavioral_health is None:
        receives_specialty_behavioral_health = receives_specialty_behavioral_health_on(
            plan=plan, member=member, day=day
        )
    if pcp_before_behavioral_health is None:
        pcp_before_behavioral_health = assignment_settings_get(plan=plan).pcp_before_behavioral_health
    pofs = frozenset(
        determination_list(plan=plan).filter(member=member).filter(active_on(day)).values_list("pof__code", flat=True)
    )
    decision = rules.choose_provider(
        rules.Member(
            county=member.county.code,
            pofs=pofs,
            preferred_organization_id=preferred_organization.pk if preferred_organization else None,
            receives_specialty_behavioral_health=receives_specialty_behavioral_health,
            behavioral_health_npi=member.behavioral_health_npi,
            pcp_npi=member.pcp_npi,
            more_appropriate_organization_id=more_appropriate_organization.pk
            if more_appropriate_organization
            else None,
        ),
        candidates,
        pcp_before_behavioral_health=pcp_before_behavioral_health,
    )
    if decision.organization_id is None and not pofs:
        raise DomainError(
            "The member has no open Population of Focus, so no provider can be chosen by county and POF; "
            "name a preferred or more appropriate provider.",
            field="member",
            code="no_provider",
        )
    if decision.organization_id is None:
        raise DomainError(
            f"No contracted ECM Provider serves {member.county} and the member's Populations of Focus "
            "with capacity left.",
            field="member",
            code="no_provider",
        )
    return _create(
        plan=plan,
        member=member,
        contract=contracts[decision.organization_id],
        rule=AssignmentRule(decision.rule.value),
        passed_over=[{"organization": org, "reason": why} for org, why in decision.passed_over],
        reason=reason,
        authorized_on=authorized_on,
        communicate_from=communicate_from,
        actor=actor,
        started_on=day,
    )


NO_PROVIDER_CODES = ("no_provider", "no_capacity")


@transaction.atomic
def assignment_request(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    authorized_on: date,
    preferred_organization: ProviderOrganization | None = None,
    organization: ProviderOrganization | None = None,
    reason: str = "",
    services_running: bool = False,
) -> Assignment | None:
    """Give an authorized member an ECM Provider: by the DOMAIN 7 order, or the `organization` the
    path into services names (presumptive, transition list, reinstatement; DOMAIN 5.2). The member's
    current assignment, if any, is returned as is. When no provider can take the member, the member
    goes on the awaiting-assignment worklist, reviewers and coordinators are told, and None is
    returned: an approval stands without a provider (DOMAIN 7: never silent). The communication
    clock starts with the assignment: on the authorization day, or today for a member who waited.
    `services_running`: the member's services already run (a reinstatement), so a member left
    waiting owes a Lead Care Manager once assigned."""
    require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    require_same_plan(plan, member, field="member")
    return _request_or_await(
        plan=plan, actor=actor, member=member, authorized_on=authorized_on, reason=reason,
        preferred_organization=preferred_organization, organization=organization,
        day=clocks.local_date(clocks.now()), cause=AwaitingAssignment.Cause.NO_PROVIDER,
        services_running=services_running,
    )  # fmt: skip


def _request_or_await(
    *,
    plan,
    actor,
    member,
    authorized_on,
    reason,
    preferred_organization,
    organization,
    day,
    cause,
    services_running=False,
) -> Assignment | None:
    """`assignment_request` past its checks, choosing among the contracts in force on `day` (a
    contract's end reassigns its members to the contracts in force after it, DOMAIN 7)."""
    current = Assignment.objects.filter(plan=plan, member=member, ended_on__isnull=True).first()
    if current is not None:
        return current
    waiting = AwaitingAssignment.objects.select_for_update().filter(plan=plan, member=member, resolved_at__isnull=True)
    waiting = waiting.first()
    # The clock starts when the assignment is made (DOMAIN 7): at authorization, or later for a
    # member who waited or whose contract ended.
    communicate_from = max(authorized_on, clocks.local_date(clocks.now()))
    try:
        with transaction.atomic():
            if organization is not None:
                contract = _contract_taking(plan=plan, member=member, organization=organization, day=day)
                assignment = _create(
                    plan=plan, member=member, contract=contract, rule=AssignmentRule.NAMED_PROVIDER, passed_over=[],
                    reason=reason or "Named by the path into services", authorized_on=authorized_on,
                    communicate_from=communicate_from, actor=actor, started_on=day,
                )  # fmt: skip
            else:
                assignment = _assign_by_order(
                    plan=plan, member=member, authorized_on=authorized_on, actor=actor, reason=reason,
                    preferred_organization=preferred_organization, communicate_from=communicate_from, day=day,
                )  # fmt: skip
    except DomainError as error:
        if error.code not in NO_PROVIDER_CODES:
            raise
        _await_assignment(
            plan=plan, actor=actor, member=member, authorized_on=authorized_on, detail=error.message,
            cause=cause, preferred_organization=preferred_organization or organization,
            services_running=services_running,
        )  # fmt: skip
        return None
    if waiting is not None:
        awaiting_resolve(plan=plan, waiting=waiting, assignment=assignment)
    return assignment


def awaiting_assign(
    *, plan: HealthPlan, actor, waiting: AwaitingAssignment, organization: ProviderOrganization | None = None, reason=""
) -> Assignment | None:
    """Assign a member from the awaiting-assignment worklist: by the order (their preference first),
    or to `organization`; the communication clock starts now (DOMAIN 7). None while no provider can
    take them: they keep their place, with the latest reason."""
    require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    require_same_plan(plan, waiting)
    if waiting.resolved_at is not None:
        raise DomainError("The member is no longer awaiting an assignment.", code="not_awaiting")
    return assignment_request(
        plan=plan, actor=actor, member=waiting.member, authorized_on=waiting.authorized_on, reason=reason,
        preferred_organization=waiting.preferred_organization, organization=organization,
    )  # fmt: skip


def _lock_contracts(plan) -> None:
    """Concurrent assignments queue here so that no contract goes over its capacity."""
    list(Contract.objects.select_for_update().filter(plan=plan).values_list("pk", flat=True))


def _contract_taking(*, plan, member, organization, day: date | None = None) -> Contract:
    """The organization's ECM contract in force that covers the member's county and has room."""
    _lock_contracts(plan)
    candidates, contracts = candidates_on(plan=plan, day=day or clocks.local_date(clocks.now()))
    contract = contracts.get(organization.pk)
    if contract is None:
        raise DomainError(
            f"{organization.name} has no ECM contract with the plan in force.", field="organization", code="no_provider"
        )
    candidate = next(c for c in candidates if c.organization_id == organization.pk)
    if member.county.code not in candidate.counties:
        raise DomainError(
            f"{organization.name} is not contracted for the member's county.", field="organization", code="no_provider"
        )
    if candidate.capacity_left <= 0:
        raise DomainError(f"{organization.name} has no capacity left.", field="organization", code="no_capacity")
    return contract


def _create(
    *, plan, member, contract, rule, passed_over, reason, authorized_on, communicate_from, actor, started_on=None
) -> Assignment:
    """`communicate_from` starts the 10-business-day clock to tell the provider: the authorization
    for a first assignment, the day of the new assignment after an override or a change. The
    assignment starts on `started_on` (default today): the day its contract was chosen for, such as
    the first day after an ending contract, when a successor may only then be in force (DOMAIN 7)."""
    assignment = assignment_new(
        plan=plan, member=member, contract=contract, rule=rule, passed_over=passed_over, reason=reason,
        authorized_on=authorized_on, communicate_from=communicate_from, actor=actor, started_on=started_on,
    )  # fmt: skip
    assignment.save()
    for clock in assignment_clocks(assignment):
        deadline_open(plan=plan, **clock)
    assignment_created_event(plan=plan, actor=actor, assignment=assignment).save()
    return assignment


def assignment_new(
    *, plan, member, contract, rule, passed_over, reason, authorized_on, communicate_from, actor, started_on=None
) -> Assignment:
    """`_create`'s row, not saved yet (a set-based import writes many at once)."""
    now = clocks.now()
    today = clocks.local_date(now)
    is_pcp = bool(member.pcp_npi) and member.pcp_npi == contract.organization.npi
    return Assignment(
        plan=plan,
        member=member,
        organization=contract.organization,
        contract=contract,
        rule=rule,
        passed_over=passed_over,
        reason=reason.strip(),
        authorized_on=authorized_on,
        communication_due=clocks.business_days_after(
            plan=plan, start=communicate_from, days=COMMUNICATION_BUSINESS_DAYS
        ),
        pcp_notification_due=None
        if is_pcp or not member.pcp_npi
        else clocks.business_days_after(plan=plan, start=today, days=PCP_NOTICE_BUSINESS_DAYS),
        started_on=started_on or today,
        created_by=actor_user(actor),
        created_at=now,
    )


def assignment_created_event(*, plan, actor, assignment: Assignment) -> AuditEvent:
    return audit_event(
        code="providers.assignment.created",
        plan=plan,
        actor=actor,
        target=assignment,
        payload={
            "member": assignment.member_id,
            "organization": assignment.contract.organization.npi,
            "rule": assignment.rule,
        },
    )


def assignment_clocks(assignment: Assignment) -> list[dict]:
    """DOMAIN 7's clocks of a new assignment, as `deadline_open`'s fields: tell the provider, and
    the PCP where it is another."""
    link = reverse("assignment-detail", args=[assignment.pk])  # where it is marked done
    member, organization = assignment.member, assignment.contract.organization
    due = [
        {
            "kind": DeadlineKind.PROVIDER_COMMUNICATION,
            "target": assignment,
            "due_at": assignment.communication_due,
            "owner": Capability.ASSIGNMENTS_MANAGE,
            "label": f"Tell {organization.name} of {member.full_name}'s assignment",
            "link": link,
            "member": member,
        }
    ]
    if assignment.pcp_notification_due is not None:
        due.append(
            {
                "kind": DeadlineKind.PCP_NOTICE,
                "target": assignment,
                "due_at": assignment.pcp_notification_due,
                "owner": Capability.ASSIGNMENTS_MANAGE,
                "label": f"Tell {member.full_name}'s PCP of the assignment to {organization.name}",
                "link": link,
                "member": member,
            }
        )
    return due
