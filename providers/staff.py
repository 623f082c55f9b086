"""Provider staff: the logins and API keys of an organization's own people (issue 13).

Only the organization's own provider administrator, or the installation operator
(`access.OPERATOR`, used by management commands), may create them. An organization is one record
shared by every plan contracting with it, so a credential made by one plan's administrator would
read the other plans' members: plan staff hold no PROVIDER_STAFF_MANAGE.

Audit rows belong to a plan, and these events belong to the organization: each event is recorded in
every plan that has, or had, a contract with it, so each plan can see who may act on its members.
An organization no plan ever contracted with gets no staff (there would be nowhere to audit them,
and nothing for them to see).
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import Capability, Principal, actor_user, require
from ecm_platform.tenancy.models import HealthPlan, Membership, ProviderRole
from ecm_platform.tenancy.scoping import across_plans, plans_scope
from ecm_platform.tenancy.services import api_key_expiry, api_key_mark_revoked, user_create
from providers.models import Contract, ProviderApiKey, ProviderMembership, ProviderOrganization


def _audit_plan_ids(organization: ProviderOrganization) -> list[int]:
    with across_plans(reason="the plans that audit a provider organization's staff"):
        plan_ids = sorted(set(Contract.objects.filter(organization=organization).values_list("plan_id", flat=True)))
    if not plan_ids:
        raise DomainError("No plan contracts with this organization yet.", field="organization", code="no_contract")
    return plan_ids


def _audit(*, organization: ProviderOrganization, code: str, actor: Principal, target, payload: dict) -> None:
    plan_ids = _audit_plan_ids(organization)
    payload = {"organization": organization.npi, **payload}
    with plans_scope(plan_ids):
        for plan in HealthPlan.objects.filter(pk__in=plan_ids):
            audit_record(code=code, plan=plan, actor=actor, target=target, payload=payload)


@transaction.atomic
def provider_membership_create(
    *, actor: Principal, organization: ProviderOrganization, user: AbstractBaseUser, role: ProviderRole
) -> ProviderMembership:
    """Give `user` a login at the organization. A login is one identity: it holds no plan
    membership and at most one provider membership."""
    require(actor, Capability.PROVIDER_STAFF_MANAGE, plan=None, organization=organization)
    if role not in ProviderRole.values:
        raise DomainError(f"Unknown provider role {role!r}.", field="role")
    _audit_plan_ids(organization)  # refuse before writing anything
    if ProviderMembership.objects.filter(user=user).exists():
        raise DomainError(f"{user} already works for a provider organization.", field="user", code="duplicate")
    with across_plans(reason="a provider login may not also work for a plan"):
        works_for_a_plan = Membership.objects.filter(user=user).exists()
    if works_for_a_plan:
        raise DomainError(f"{user} works for a plan: provider staff need their own login.", field="user")
    provider_membership = ProviderMembership.objects.create(user=user, organization=organization, role=role)
    _audit(
        organization=organization,
        code="providers.staff.created",
        actor=actor,
        target=provider_membership,
        payload={"username": user.get_username(), "role": role},
    )
    return provider_membership


@transaction.atomic
def provider_user_create(
    *,
    actor: Principal,
    organization: ProviderOrganization,
    username: str,
    email: str,
    password: str,
    role: ProviderRole,
    full_name: str = "",
) -> ProviderMembership:
    require(actor, Capability.PROVIDER_STAFF_MANAGE, plan=None, organization=organization)
    user = user_create(username=username, email=email, password=password, full_name=full_name)
    return provider_membership_create(actor=actor, organization=organization, user=user, role=role)


@transaction.atomic
def provider_api_key_issue(
    *, actor: Principal, provider_membership: ProviderMembership, name: str, expires_at: datetime | None = None
) -> tuple[ProviderApiKey, str]:
    """Issue a key acting as one provider membership. The raw key is returned once, never stored."""
    principal = require(actor, Capability.PROVIDER_STAFF_MANAGE, plan=None)
    organization = provider_membership.organization
    require(principal, Capability.PROVIDER_STAFF_MANAGE, plan=None, organization=organization)
    if principal.is_provider and principal.user != provider_membership.user:
        # A key acts as its holder: an administrator may not mint one that acts as a colleague.
        raise ActionNotPermitted("Issue keys for yourself; the installation operator issues others.")
    if not provider_membership.is_active:
        raise DomainError("The provider membership is inactive.", field="provider_membership", code="inactive")
    expires_at = api_key_expiry(expires_at)
    api_key, raw_key = ProviderApiKey.objects.create_key(
        name=name,
        organization=organization,
        provider_membership=provider_membership,
        expiry_date=expires_at,
        created_by=actor_user(principal),
    )
    _audit(
        organization=organization,
        code="providers.api_key.issued",
        actor=actor,
        target=api_key,
        payload={
            "prefix": api_key.prefix,
            "name": name,
            "username": provider_membership.user.get_username(),
            "role": provider_membership.role,
            "expires_at": expires_at.isoformat(),
        },
    )
    return api_key, raw_key


@transaction.atomic
def provider_api_key_revoke(*, actor: Principal, api_key: ProviderApiKey) -> ProviderApiKey:
    principal = require(actor, Capability.PROVIDER_STAFF_MANAGE, plan=None)
    require(principal, Capability.PROVIDER_STAFF_MANAGE, plan=None, organization=api_key.organization_id)
    if not api_key_mark_revoked(api_key):
        return api_key
    _audit(
        organization=api_key.organization,
        code="providers.api_key.revoked",
        actor=actor,
        target=api_key,
        payload={"prefix": api_key.prefix, "name": api_key.name},
    )
    return api_key


@transaction.atomic
def provider_membership_deactivate(*, actor, provider_membership: ProviderMembership) -> ProviderMembership:
    """End a login at the organization: its sessions and keys stop working at the next request
    (principals are built from active memberships only). Never one's own last way in."""
    principal = require(actor, Capability.PROVIDER_STAFF_MANAGE, plan=None)
    require(principal, Capability.PROVIDER_STAFF_MANAGE, plan=None, organization=provider_membership.organization_id)
    if principal.provider_membership is not None and principal.provider_membership.pk == provider_membership.pk:
        raise DomainError("You cannot deactivate your own login.", field="provider_membership", code="own_login")
    if not provider_membership.is_active:
        return provider_membership
    provider_membership.is_active = False
    provider_membership.save(update_fields=["is_active"])
    _audit(
        organization=provider_membership.organization,
        code="providers.staff.deactivated",
        actor=actor,
        target=provider_membership,
        payload={"username": provider_membership.user.get_username(), "role": provider_membership.role},
    )
    return provider_membership
