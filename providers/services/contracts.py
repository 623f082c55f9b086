"""A plan's contracts with provider organizations: created, vetted, activated (DOMAIN 7)."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from benefits.models import ECM_CODE, CatalogueService
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.selectors import deadline_list
from ecm_platform.deadlines.services import deadline_cancel, deadline_meet, deadline_open
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, Principal, actor_user, require
from ecm_platform.tenancy.models import County, HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility.models import PopulationOfFocus
from providers.models import (
    Assignment,
    AssignmentEndReason,
    AwaitingAssignment,
    Contract,
    ContractService,
    ProviderOrganization,
    ServiceAssignment,
    VettingCheck,
)
from providers.selectors import contract_list, vetting_criteria, vetting_missing
from providers.services.assignments import _request_or_await
from providers.services.endings import _end_assignment
from providers.services.follow_up import in_services, lead_care_manager_due
from providers.services.service_assignments import service_assignment_end


@transaction.atomic
def contract_create(
    *,
    plan: HealthPlan,
    actor,
    organization: ProviderOrganization,
    counties: list[County],
    pofs: list[PopulationOfFocus],
    start_date: date,
    capacity: int | None = None,
    service: CatalogueService | str = ECM_CODE,
    lines: list[dict] | None = None,
    end_date: date | None = None,
    is_presumptive_capable: bool = False,
) -> Contract:
    """A contract covers `lines`, each {"service": a catalogue row or code, "capacity": members at
    once} (ECM or a Community Support); `service` and `capacity` name a contract of one service."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    lines = _lines_clean(lines or [{"service": service, "capacity": capacity}])
    for capacity_of_line in lines.values():
        _check_terms(plan=plan, counties=counties, capacity=capacity_of_line)
    if end_date and end_date < start_date:
        raise DomainError("The end date is before the start date.", field="end_date")
    contract = Contract.objects.create(
        plan=plan,
        organization=organization,
        start_date=start_date,
        end_date=end_date,
        is_presumptive_capable=is_presumptive_capable,
    )
    ContractService.objects.bulk_create(
        ContractService(plan=plan, contract=contract, service=line_service, capacity=line_capacity)
        for line_service, line_capacity in lines.items()
    )
    contract.counties.set(counties)
    contract.pofs.set(pofs)
    audit_record(
        code="providers.contract.created",
        plan=plan,
        actor=actor,
        target=contract,
        payload={
            "organization": organization.npi,
            "lines": {line_service.code: line_capacity for line_service, line_capacity in lines.items()},
            "counties": [c.code for c in counties],
        },
    )
    return contract


def _lines_clean(lines: list[dict]) -> dict[CatalogueService, int]:
    """Capacity by catalogue row; a code that names no service, or a service twice, is a field error."""
    codes = {line["service"] for line in lines if isinstance(line["service"], str)}
    by_code = {service.code: service for service in CatalogueService.objects.filter(code__in=codes)}
    unknown = sorted(codes - by_code.keys())
    if unknown:
        raise DomainError(f"No service in the catalogue is coded {', '.join(unknown)}.", field="lines")
    cleaned = {by_code.get(line["service"], line["service"]): line["capacity"] for line in lines}
    if len(cleaned) < len(lines):
        raise DomainError("A contract lists each service once.", field="lines")
    return cleaned


def _check_terms(*, plan: HealthPlan, counties: list[County], capacity: int) -> None:
    outside = [county.name for county in counties if not plan.counties.filter(pk=county.pk).exists()]
    if outside:
        raise DomainError(f"{plan} does not serve {', '.join(outside)}.", field="counties")
    if capacity < 1:
        raise DomainError("A contract serves at least one member.", field="capacity")


@transaction.atomic
def contract_update(
    *,
    plan: HealthPlan,
    actor,
    contract: Contract,
    counties: list[County] | None = None,
    pofs: list[PopulationOfFocus] | None = None,
    capacity: int | None = None,
    lines: list[dict] | None = None,
    is_presumptive_capable: bool | None = None,
) -> Contract:
    """Change a contract's terms (what is left as None stays). `lines` are the services it covers
    from now on, each {"service", "capacity"}: a line left out is removed, a new one added;
    `capacity` alone changes its ECM line's. Its end goes through `contract_end`, which moves its
    members. No line's capacity drops below the members it holds today, and a line holding members
    is not removed (DOMAIN 7: assignments respect capacity): end or move them first."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    require_same_plan(plan, contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    counties = list(contract.counties.all()) if counties is None else counties
    current = {line.service: line for line in contract_list(plan=plan).get(pk=contract.pk).lines.all()}
    wanted = {service: line.capacity for service, line in current.items()}
    if lines is not None:
        wanted = _lines_clean(lines)
        if not wanted:
            raise DomainError("A contract covers at least one service.", field="lines")
    if capacity is not None:
        ecm = next((service for service in wanted if service.is_ecm), None)
        if ecm is None:
            raise DomainError("The contract does not cover ECM.", field="capacity")
        wanted[ecm] = capacity
    for line_capacity in wanted.values():
        _check_terms(plan=plan, counties=counties, capacity=line_capacity)
    changed = _lines_apply(plan=plan, contract=contract, current=current, wanted=wanted)
    if is_presumptive_capable is not None:
        changed |= {"is_presumptive_capable": [contract.is_presumptive_capable, is_presumptive_capable]}
        contract.is_presumptive_capable = is_presumptive_capable
    contract.save(update_fields=["is_presumptive_capable"])
    contract.counties.set(counties)
    if pofs is not None:
        contract.pofs.set(pofs)
    audit_record(
        code="providers.contract.updated",
        plan=plan,
        actor=actor,
        target=contract,
        payload={
            **changed,
            "counties": sorted(county.code for county in counties),
            "pofs": sorted(contract.pofs.values_list("code", flat=True)),
        },
    )
    return contract


def _lines_apply(*, plan, contract, current: dict, wanted: dict[CatalogueService, int]) -> dict:
    """Make the contract's lines `wanted` ({service: capacity}); `current` are its lines with the
    members each holds today. Returns what changed, by service code: [before, after] (None: no line)."""
    changed = {}
    for service, line in current.items():
        after = wanted.get(service, 0)
        if after < line.assigned:
            change = f"lowering its capacity to {after}" if service in wanted else "removing the line"
            raise DomainError(
                f"{line.assigned} members are assigned under the contract's {service.name} line today; end or "
                f"move them before {change}.",
                field="capacity" if service.is_ecm else "lines",
                code="capacity_below_assigned",
            )
    for service, line in current.items():
        if service not in wanted:
            if line.assignments.exists():
                raise DomainError(
                    f"The {service.name} line has placements on record; end the contract rather than remove it.",
                    field="lines",
                    code="line_has_placements",
                )
            line.delete()
            changed[service.code] = [line.capacity, None]
        elif wanted[service] != line.capacity:
            changed[service.code] = [line.capacity, wanted[service]]
            ContractService.objects.filter(pk=line.pk).update(capacity=wanted[service])
    for service, line_capacity in wanted.items():
        if service not in current:
            ContractService.objects.create(plan=plan, contract=contract, service=service, capacity=line_capacity)
            changed[service.code] = [None, line_capacity]
    return {"lines": changed} if changed else {}


@transaction.atomic
def contract_end(*, plan: HealthPlan, actor, contract: Contract, end_date: date) -> Contract:
    """End the contract on `end_date`, its last day: its Community Supports placements end, and each
    member assigned under it has that assignment end (CONTRACT_ENDED) and is reassigned by the same order among the contracts in force
    after it, with a new 10-business-day communication clock, or goes on the awaiting-assignment
    (reassignment) worklist (DOMAIN 7). Once the end has come, its vetting and orientation clocks stop."""
    require(actor, Capability.CONTRACTS_END, plan=plan)
    require_same_plan(plan, contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if end_date < contract.start_date:
        raise DomainError("The end date is before the start date.", field="end_date")
    contract.end_date = end_date
    contract.save(update_fields=["end_date"])
    ending = list(
        Assignment.objects.select_for_update()
        .filter(plan=plan, contract=contract, ended_on__isnull=True)
        .select_related("member__county")
        .order_by("started_on", "pk")
    )
    if ending:  # its members' assignments end and new ones are made
        require(actor, Capability.ASSIGNMENTS_END, plan=plan)
        require(actor, Capability.ASSIGNMENTS_CREATE, plan=plan)
    today = clocks.local_date(clocks.now())
    if end_date <= today:
        deadline_cancel(plan=plan, target=contract)
    # The first day without the contract, and never a day past: a late record reassigns today.
    day = max(today, end_date + timedelta(days=1))
    reassigned = 0
    for assignment in ending:
        was_in_services = in_services(plan=plan, assignment=assignment)
        _end_assignment(
            plan=plan, actor=actor, assignment=assignment, on=end_date, reason=AssignmentEndReason.CONTRACT_ENDED
        )
        new = _request_or_await(
            plan=plan, actor=actor, member=assignment.member, authorized_on=assignment.authorized_on, reason="",
            preferred_organization=None, organization=None, day=day, cause=AwaitingAssignment.Cause.CONTRACT_ENDED,
            services_running=was_in_services,
        )  # fmt: skip
        if new is not None:
            reassigned += 1
            if was_in_services:
                lead_care_manager_due(plan=plan, assignment=new)
    unplaced = _end_service_placements(plan=plan, actor=actor, contract=contract, end_date=end_date)
    audit_record(
        code="providers.contract.ended",
        plan=plan,
        actor=actor,
        target=contract,
        payload={
            "end_date": str(end_date), "reassigned": reassigned, "awaiting": len(ending) - reassigned,
            "service_placements_ended": unplaced,
        },
    )  # fmt: skip
    return contract


def _end_service_placements(*, plan, actor, contract: Contract, end_date: date) -> int:
    """The contract's Community Supports placements end with it (CONTRACT_ENDED). Their requests
    then show no provider, for a coordinator to place the member with another (DOMAIN 9)."""
    placements = list(
        ServiceAssignment.objects.filter(plan=plan, line__contract=contract).exclude(ended_on__lte=end_date)
    )
    if placements:
        require(actor, Capability.ASSIGNMENTS_END, plan=plan)
    for placement in placements:
        service_assignment_end(
            plan=plan, actor=actor, assignment=placement, on=end_date, reason=AssignmentEndReason.CONTRACT_ENDED
        )
    return len(placements)


def contract_end_job(plan: HealthPlan) -> Principal:
    """The system principal that moves the members of contracts past their end date (DOMAIN 7)."""
    return Principal.system(
        "contract-ends", Capability.CONTRACTS_END, Capability.ASSIGNMENTS_END, Capability.ASSIGNMENTS_CREATE, plan=plan
    )


def contracts_end_due(*, plan: HealthPlan, actor) -> int:
    """Contracts whose end date has passed with members still assigned under them (an end date set
    when the contract was made, or moved earlier) are ended: their members are reassigned (DOMAIN 7).
    The vetting and orientation clocks of contracts whose end has come stop. Daily; safe to rerun:
    an ended contract has no member left to move, nor a clock running."""
    require(actor, Capability.CONTRACTS_END, plan=plan)
    today = clocks.local_date(clocks.now())
    over = Contract.objects.filter(plan=plan, end_date__lte=today).values("pk")
    with_clocks = deadline_list(plan=plan).filter(
        target_type=ContentType.objects.get_for_model(Contract), target_id__in=over
    )
    for contract in Contract.objects.filter(pk__in=with_clocks.values("target_id")):
        deadline_cancel(plan=plan, target=contract)
    # Members still held: ECM assignments, or Community Supports placements under its lines.
    ecm_held = Assignment.objects.filter(plan=plan, contract=OuterRef("pk"), ended_on__isnull=True)
    cs_held = ServiceAssignment.objects.filter(plan=plan, line__contract=OuterRef("pk")).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("end_date"))
    )
    due = Contract.objects.filter(Exists(ecm_held) | Exists(cs_held), plan=plan, end_date__lt=today)
    ended = 0
    for contract in due.order_by("end_date", "pk"):
        contract_end(plan=plan, actor=actor, contract=contract, end_date=contract.end_date)
        ended += 1
    return ended


@transaction.atomic
def vetting_check_record(
    *, plan: HealthPlan, organization: ProviderOrganization, criterion: str, met_on: date, actor
) -> VettingCheck:
    """The plan's reviewer records that an organization meets one vetting criterion (Policy Guide VII)."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    if not vetting_criteria(organization=organization).filter(text=criterion).exists():
        raise DomainError("Choose one of the vetting criteria.", field="criterion")
    if met_on > clocks.local_date(clocks.now()):
        raise DomainError("A check cannot be met in the future.", field="met_on")
    check = VettingCheck.objects.create(
        plan=plan, organization=organization, criterion=criterion, met_on=met_on, reviewer=actor_user(actor)
    )
    audit_record(
        code="providers.vetting.recorded",
        plan=plan,
        actor=actor,
        target=check,
        payload={"organization": organization.npi, "criterion": criterion, "met_on": str(met_on)},
    )
    if not vetting_missing(plan=plan, organization=organization):
        _vetting_completed(plan=plan, organization=organization)
    return check


def _vetting_completed(*, plan: HealthPlan, organization: ProviderOrganization) -> None:
    """Contracts active before the vetting guard lose their mark, and their vetting clock is met."""
    for contract in Contract.objects.filter(plan=plan, organization=organization, vetting_to_complete=True):
        contract.vetting_to_complete = False
        contract.save(update_fields=["vetting_to_complete"])
        deadline_meet(plan=plan, kind=DeadlineKind.VETTING, target=contract)


ORIENTATION_WORKING_DAYS = 10  # DOMAIN 7: Community Supports providers, after becoming active


@transaction.atomic
def contract_activate(*, plan: HealthPlan, contract: Contract, activated_on: date, actor) -> Contract:
    """The provider becomes active under the contract, once every vetting (or enrollment) criterion
    is recorded as met for the plan; a Community Supports provider then owes its orientation within
    10 working days (DOMAIN 7)."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    require_same_plan(plan, contract)
    if contract.activated_on is not None:
        raise DomainError("The contract is active already.", field="activated_on")
    missing = vetting_missing(plan=plan, organization=contract.organization)
    if missing:
        raise DomainError(
            f"The vetting of {contract.organization.name} is not complete: "
            f"{len(missing)} criteria not recorded as met ({'; '.join(c.text for c in missing)}).",
            field="vetting",
            code="vetting_incomplete",
        )
    contract.activated_on = activated_on
    if contract.lines.exclude(service__code=ECM_CODE).exists():  # a Community Supports provider
        contract.orientation_due = clocks.business_days_after(
            plan=plan, start=activated_on, days=ORIENTATION_WORKING_DAYS
        )
        deadline_open(
            plan=plan,
            kind=DeadlineKind.ORIENTATION,
            target=contract,
            due_at=contract.orientation_due,
            owner=Capability.PROVIDERS_MANAGE,
            label=f"Orientation of {contract.organization.name} (Community Supports)",
            link=reverse("provider-profile", args=[contract.organization_id]),
        )
    contract.save(update_fields=["activated_on", "orientation_due"])
    audit_record(
        code="providers.contract.activated",
        plan=plan,
        actor=actor,
        target=contract,
        payload={"activated_on": str(activated_on)},
    )
    return contract


@transaction.atomic
def contract_orientation_record(*, plan: HealthPlan, actor, contract: Contract, completed_on: date) -> Contract:
    """The Community Supports provider completed its orientation (DOMAIN 7: within 10 working days
    of becoming active): its clock is met on that day."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    require_same_plan(plan, contract)
    if contract.orientation_due is None:
        raise DomainError("No orientation is owed under this contract.", code="no_orientation")
    if contract.orientation_completed_on is not None:
        raise DomainError("The orientation is recorded already.", field="completed_on")
    if not contract.activated_on <= completed_on <= clocks.local_date(clocks.now()):
        raise DomainError("The orientation is completed between activation and today.", field="completed_on")
    contract.orientation_completed_on = completed_on
    contract.save(update_fields=["orientation_completed_on"])
    deadline_meet(plan=plan, kind=DeadlineKind.ORIENTATION, target=contract)
    audit_record(
        code="providers.contract.orientation_completed",
        plan=plan,
        actor=actor,
        target=contract,
        payload={"completed_on": str(completed_on)},
    )
    return contract
