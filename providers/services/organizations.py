"""Organizations (shared by every plan that contracts with them) and their Lead Care Managers."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.errors import CrossPlanReference, DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from providers.models import (
    CareManager,
    Contract,
    ProviderOrganization,
)


@transaction.atomic
def organization_create(*, plan: HealthPlan, actor, npi: str, **fields) -> ProviderOrganization:
    """Register an organization (shared by every plan); its NPI check digit must match (DOMAIN 2)."""
    require(actor, Capability.PROVIDERS_MANAGE, plan=plan)
    counties = fields.pop("counties", [])
    pofs = fields.pop("pof_experience", [])
    organization = ProviderOrganization(npi=(npi or "").strip(), **fields)
    try:
        organization.full_clean(validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from error
    if ProviderOrganization.objects.filter(npi=organization.npi).exists():
        raise DomainError(f"An organization with NPI {organization.npi} exists already.", field="npi", code="duplicate")
    organization.save()
    organization.counties.set(counties)
    organization.pof_experience.set(pofs)
    audit_record(
        code="providers.organization.created",
        plan=plan,
        actor=actor,
        target=organization,
        payload={"npi": organization.npi, "name": organization.name},
    )
    return organization


@transaction.atomic
def care_manager_add(
    *, plan: HealthPlan, actor, organization: ProviderOrganization, name: str, **fields
) -> CareManager:
    require(actor, Capability.CARE_MANAGERS_ADD, plan=plan, organization=organization)
    if not Contract.objects.filter(plan=plan, organization=organization).exists():
        raise CrossPlanReference("The plan has no contract with this organization.", field="organization")
    care_manager = CareManager.objects.create(organization=organization, name=name.strip(), **fields)
    audit_record(code="providers.care_manager.added", plan=plan, actor=actor, target=care_manager)
    return care_manager
