"""A plan's contracts with provider organizations: created, vetted, activated (DOMAIN 7)."""

from datetime import date

from django.db import transaction

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import County, HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility.models import PopulationOfFocus
from providers import rules
from providers.models import (
    Contract,
    ProviderOrganization,
    Service,
    VettingCheck,
)


@transaction.atomic
def contract_create(
    *,
    plan: HealthPlan,
    actor,
    organization: ProviderOrganization,
    counties: list[County],
    pofs: list[PopulationOfFocus],
    capacity: int,
    start_date: date,
    end_date: date | None = None,
    is_presumptive_capable: bool = False,
    service: Service = Service.ECM,
) -> Contract:
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    outside = [county.name for county in counties if not plan.counties.filter(pk=county.pk).exists()]
    if outside:
        raise DomainError(f"{plan} does not serve {', '.join(outside)}.", field="counties")
    if end_date and end_date < start_date:
        raise DomainError("The end date is before the start date.", field="end_date")
    if capacity < 1:
        raise DomainError("A contract serves at least one member.", field="capacity")
    contract = Contract.objects.create(
        plan=plan,
        organization=organization,
        service=service,
        capacity=capacity,
        start_date=start_date,
        end_date=end_date,
        is_presumptive_capable=is_presumptive_capable,
    )
    contract.counties.set(counties)
    contract.pofs.set(pofs)
    audit_record(
        code="providers.contract.created",
        plan=plan,
        actor=actor,
        target=contract,
        payload={"organization": organization.npi, "capacity": capacity, "counties": [c.code for c in counties]},
    )
    return contract


@transaction.atomic
def vetting_check_record(
    *, plan: HealthPlan, organization: ProviderOrganization, criterion: str, met_on: date, actor
) -> VettingCheck:
    """The plan's reviewer records that an organization meets one vetting criterion (Policy Guide VII)."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    if criterion not in rules.VETTING_CRITERIA:
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
    return check


ORIENTATION_WORKING_DAYS = 10  # DOMAIN 7: Community Supports providers, after becoming active


@transaction.atomic
def contract_activate(*, plan: HealthPlan, contract: Contract, activated_on: date, actor) -> Contract:
    """The provider becomes active under the contract; a Community Supports provider then owes
    its orientation within 10 working days (DOMAIN 7)."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    require_same_plan(plan, contract)
    if contract.activated_on is not None:
        raise DomainError("The contract is active already.", field="activated_on")
    contract.activated_on = activated_on
    if contract.service == Service.COMMUNITY_SUPPORTS:
        contract.orientation_due = clocks.business_days_after(
            plan=plan, start=activated_on, days=ORIENTATION_WORKING_DAYS
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
