"""Tenancy: the plan (MCP) that owns every row, who works for it, and the keys integrators use.

Every plan-owned model carries `plan` and a scoped manager (`ScopedManager(plan="plan")`): a query
outside `plan_scope(...)` raises ScopeError instead of returning another plan's rows.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class County(models.Model):
    """One of California's 58 counties (reference data, seeded by a migration)."""

    code = models.CharField(max_length=2, unique=True, help_text="01 Alameda ... 58 Yuba")
    name = models.CharField(max_length=40, unique=True)
    has_wpc_or_hhp = models.BooleanField(
        default=False, help_text="Ran Whole Person Care and/or Health Homes (DOMAIN 3.4)."
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "counties"

    def __str__(self):
        return self.name


class HealthPlan(models.Model):
    """A Medi-Cal managed care plan: the tenant."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    counties = models.ManyToManyField(County, related_name="plans", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The contact every letter to a member prints (DOMAIN 5.3), set by the plan administrator.
    # Required when a plan is created; empty only on a plan made before that, whose letters are
    # held until it is set (authorizations.services.letter_contact).
    member_services_phone = models.CharField(max_length=40, blank=True)
    appeals_address = models.TextField(max_length=300, blank=True, help_text="The mailing address for appeals.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def has_letter_contact(self) -> bool:
        return bool(self.member_services_phone and self.appeals_address)


class Role(models.TextChoices):
    """The plan staff roles of DOMAIN 1, plus integrators calling the API."""

    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    REVIEWER = "reviewer", "Utilization reviewer / supervisor"
    REPORTING_ANALYST = "reporting_analyst", "Reporting analyst"
    PLAN_ADMINISTRATOR = "plan_administrator", "Plan administrator"
    INTEGRATOR = "integrator", "Integrator"


class ProviderRole(models.TextChoices):
    """The roles of an ECM or Community Supports provider's staff (ProviderMembership)."""

    PROVIDER_ADMINISTRATOR = "provider_administrator", "Provider administrator"
    CARE_MANAGER = "care_manager", "Lead Care Manager / care manager"
    OUTREACH_STAFF = "outreach_staff", "Outreach staff"


class Membership(models.Model):
    """A user works for a plan in one role. A user may hold memberships in several plans."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_memberships")
    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "plan"], name="membership_one_role_per_plan")]
        indexes = [models.Index(fields=["plan", "role"])]

    def __str__(self):
        return f"{self.user} - {self.plan} ({self.get_role_display()})"


class PlanApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # One query per authenticated request: the key with its membership, user and plan (the
        # membership's, which the API scope is entered from).
        return super().get_usable_keys().select_related("membership__user", "membership__plan")

    def get_from_key(self, key: str) -> "PlanApiKey":
        # The rest of usability is read off the rows that one query fetched, not filtered in SQL:
        # the same snapshot, so the same answer, without four joined lookups to build per request
        # (~0.3 ms). A key whose plan is not its membership's is unusable.
        api_key = super().get_from_key(key)
        membership = api_key.membership
        if not (
            membership.is_active
            and membership.user.is_active
            and membership.plan.is_active
            and api_key.plan_id == membership.plan_id
        ):
            raise self.model.DoesNotExist("The key's membership, user or plan is not active.")
        return api_key


class PlanApiKey(AbstractAPIKey):
    """An integrator's key: hashed, prefixed, expiring, revocable, bound to one membership.

    `plan` repeats `membership.plan` so that keys are plan-owned rows like any other; the
    service that issues keys sets both from the membership.
    """

    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="api_keys")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(plan="plan", _manager_class=PlanApiKeyManager)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "plan API key"
        ordering = ["-created"]
        indexes = [models.Index(fields=["plan", "-created"])]
