"""Write use cases for tenancy: plans, users, memberships and API keys."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.calendars.services import holiday_calendars_ensure
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, Principal, actor_user, require
from ecm_platform.tenancy.contact import contact_problems
from ecm_platform.tenancy.models import County, HealthPlan, Membership, PlanApiKey, Role
from ecm_platform.tenancy.ownership import require_same_plan
from ecm_platform.tenancy.scoping import plan_scope

API_KEY_DEFAULT_LIFETIME = timedelta(days=365)
API_KEY_MAX_LIFETIME = timedelta(days=2 * 365)


@transaction.atomic
def plan_create(
    *, code: str, name: str, county_codes: list[str], member_services_phone: str, appeals_address: str, actor
) -> HealthPlan:
    """Create a plan serving the given counties, with the contact its letters print (DOMAIN 5.3),
    and copy its default holiday calendars (the installation operator only)."""
    require(actor, Capability.PLANS_CREATE, plan=None)
    if HealthPlan.objects.filter(code=code).exists():
        raise DomainError(f"A plan with code {code!r} exists already.", field="code", code="duplicate")
    _check_contact(member_services_phone=member_services_phone, appeals_address=appeals_address)
    counties = list(County.objects.filter(code__in=county_codes))
    unknown = sorted(set(county_codes) - {county.code for county in counties})
    if unknown:
        raise DomainError(f"Unknown county codes: {', '.join(unknown)}.", field="counties")
    plan = HealthPlan.objects.create(
        code=code,
        name=name,
        member_services_phone=member_services_phone.strip(),
        appeals_address=appeals_address.strip(),
    )
    plan.counties.set(counties)
    this_year = clocks.local_date(clocks.now()).year
    with plan_scope(plan):
        audit_record(
            code="tenancy.plan.created",
            plan=plan,
            actor=actor,
            target=plan,
            payload={"code": code, "name": name, "counties": sorted(county_codes)},
        )
        holiday_calendars_ensure(plan=plan, years=range(this_year - 1, this_year + 2))
    return plan


def _check_contact(*, member_services_phone: str, appeals_address: str) -> None:
    problems = contact_problems(member_services_phone=member_services_phone, appeals_address=appeals_address)
    if problems:
        field, problem = next(iter(problems.items()))
        raise DomainError(problem, field=field)


@transaction.atomic
def plan_contact_set(*, plan: HealthPlan, actor, member_services_phone: str, appeals_address: str) -> HealthPlan:
    """The plan administrator sets the contact the letters print (DOMAIN 5.3). Releasing the
    letters held for it is the authorizations app's part (authorizations.services.letter_contact)."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    _check_contact(member_services_phone=member_services_phone, appeals_address=appeals_address)
    plan.member_services_phone, plan.appeals_address = member_services_phone.strip(), appeals_address.strip()
    plan.save(update_fields=["member_services_phone", "appeals_address"])
    audit_record(
        code="tenancy.plan.contact_set",
        plan=plan,
        actor=actor,
        target=plan,
        payload={"member_services_phone": plan.member_services_phone, "appeals_address": plan.appeals_address},
    )
    return plan


@transaction.atomic
def user_create(*, username: str, email: str, password: str, full_name: str = "") -> AbstractBaseUser:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise DomainError(f"User {username!r} exists already.", field="username", code="duplicate")
    user = user_model(username=username, email=email)
    first_name, _, last_name = full_name.partition(" ")
    user.first_name, user.last_name = first_name, last_name
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", code="weak_password") from error
    user.set_password(password)
    user.save()
    return user


# What plan administrators edit in the Django admin, always within their own plan (admin.py).
PLAN_ADMINISTRATOR_GROUP = "Plan administrators"
PLAN_ADMINISTRATOR_PERMISSIONS = [
    ("calendars", "holiday", ("view", "add", "change", "delete")),
    ("tenancy", "membership", ("view", "add", "change")),
    ("eligibility", "planpofstart", ("view", "add", "change", "delete")),
    ("eligibility", "scanrun", ("view",)),
]


def _grant_admin_site(user: AbstractBaseUser) -> None:
    group, _ = Group.objects.get_or_create(name=PLAN_ADMINISTRATOR_GROUP)
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, model, actions in PLAN_ADMINISTRATOR_PERMISSIONS
        for action in actions
    )
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def membership_create(*, user: AbstractBaseUser, plan: HealthPlan, role: Role, actor) -> Membership:
    require(actor, Capability.MEMBERSHIPS_MANAGE, plan=plan)
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}.", field="role")
    if Membership.objects.filter(user=user, plan=plan).exists():
        raise DomainError(f"{user} already works for {plan} (one role per plan).", field="user", code="duplicate")
    # One login, one identity: provider staff (the providers app's reverse relation) get no plan role.
    if getattr(user, "provider_membership", None) is not None:
        raise DomainError(f"{user} is provider staff: plan staff need their own login.", field="user")
    membership = Membership.objects.create(user=user, plan=plan, role=role)
    if Principal.of_membership(membership).may(Capability.PLAN_SETTINGS_MANAGE):
        _grant_admin_site(user)
    audit_record(
        code="tenancy.membership.created",
        plan=plan,
        actor=actor,
        target=membership,
        payload={"username": user.get_username(), "role": role},
    )
    return membership


def api_key_expiry(expires_at: datetime | None) -> datetime:
    """When a new key (a plan's or a provider's) expires: a year by default, at most two."""
    now = clocks.now()
    expires_at = expires_at or now + API_KEY_DEFAULT_LIFETIME
    if expires_at <= now:
        raise DomainError("The expiry must be in the future.", field="expires_at")
    if expires_at > now + API_KEY_MAX_LIFETIME:
        raise DomainError("A key may live at most two years.", field="expires_at")
    return expires_at


def api_key_mark_revoked(api_key) -> bool:
    """Revoke a key (a plan's or a provider's); False if it was revoked already."""
    if api_key.revoked:
        return False
    api_key.revoked, api_key.revoked_at = True, clocks.now()
    api_key.save(update_fields=["revoked", "revoked_at"])
    return True


@transaction.atomic
def api_key_issue(
    *,
    plan: HealthPlan,
    membership: Membership,
    name: str,
    expires_at: datetime | None = None,
    actor,
) -> tuple[PlanApiKey, str]:
    """Issue a key for one membership. The raw key is returned once and never stored."""
    require(actor, Capability.API_KEYS_MANAGE, plan=plan)
    require_same_plan(plan, membership, field="membership")
    if not membership.is_active:
        raise DomainError("The membership is inactive.", field="membership", code="inactive")
    expires_at = api_key_expiry(expires_at)
    api_key, raw_key = PlanApiKey.objects.create_key(
        name=name, plan=plan, membership=membership, expiry_date=expires_at, created_by=actor_user(actor)
    )
    audit_record(
        code="tenancy.api_key.issued",
        plan=plan,
        actor=actor,
        target=api_key,
        payload={
            "prefix": api_key.prefix,
            "name": name,
            "username": membership.user.get_username(),
            "role": membership.role,
            "expires_at": expires_at.isoformat(),
        },
    )
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, plan: HealthPlan, api_key: PlanApiKey, actor) -> PlanApiKey:
    require(actor, Capability.API_KEYS_MANAGE, plan=plan)
    require_same_plan(plan, api_key)
    if not api_key_mark_revoked(api_key):
        return api_key
    audit_record(
        code="tenancy.api_key.revoked",
        plan=plan,
        actor=actor,
        target=api_key,
        payload={"prefix": api_key.prefix, "name": api_key.name},
    )
    return api_key
