"""The provider network (DOMAIN 7): organizations (shared by every plan that contracts with them),
each plan's contracts with them, Lead Care Managers, and member assignments."""

from datetime import date

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from benefits.models import CatalogueService, ecm_service_pk
from ecm_platform import clocks
from ecm_platform.identifiers import validate_npi
from ecm_platform.tenancy.models import County, HealthPlan, ProviderRole
from eligibility.models import PopulationOfFocus
from members.models import Member


class OrganizationType(models.TextChoices):
    """The entity types of ECM Policy Guide VII."""

    COUNTY = "county", "County or county behavioral health"
    FQHC = "fqhc", "Federally Qualified Health Center"
    COMMUNITY_CLINIC = "community_clinic", "Community health clinic"
    CBO = "cbo", "Community-based organization"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health entity"
    PHYSICIAN_GROUP = "physician_group", "Physician practice or group"
    HOSPITAL = "hospital", "Hospital or hospital-based clinic"
    HOUSING = "housing", "Housing or homeless services agency"
    OTHER = "other", "Other qualified entity"


class EnrollmentPathway(models.TextChoices):
    STATE_MEDI_CAL = "state_medi_cal", "Enrolled through a state Medi-Cal pathway"
    MCP_VETTING = "mcp_vetting", "Vetted by the plan"


class ProviderOrganization(models.Model):
    """One organization, however many plans contract with it; each plan's contract is its own."""

    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    tax_id = models.CharField("tax id", max_length=9)
    name = models.CharField(max_length=200)
    organization_type = models.CharField(max_length=30, choices=OrganizationType.choices)
    enrollment_pathway = models.CharField(max_length=20, choices=EnrollmentPathway.choices)
    counties = models.ManyToManyField(County, related_name="+", blank=True)
    pof_experience = models.ManyToManyField(PopulationOfFocus, related_name="+", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.npi})"


class Contract(models.Model):
    """A plan's contract with an organization: what, where, for whom, and for how many members."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="contracts")
    # The services it covers, each with its capacity: its `lines` (ContractService).
    counties = models.ManyToManyField(County, related_name="+")
    pofs = models.ManyToManyField(PopulationOfFocus, related_name="+")
    is_presumptive_capable = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    activated_on = models.DateField(null=True, blank=True)
    # Active before vetting was a guard of activation (DOMAIN 7): kept active, the vetting owed.
    vetting_to_complete = models.BooleanField(default=False)
    orientation_due = models.DateTimeField(null=True, blank=True)
    orientation_completed_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [models.Index(fields=["plan", "organization"])]

    def __str__(self):
        return f"{self.organization}: contract {self.pk}"


class ContractService(models.Model):
    """One service a contract covers (ECM or a Community Support, DOMAIN 9) and how many members
    the provider can serve in it at once."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+", default=ecm_service_pk)
    capacity = models.PositiveIntegerField(help_text="Members the provider can serve in this service at once.")

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "service"], name="one_line_per_contract_service")]
        indexes = [models.Index(fields=["plan", "service"])]
        ordering = ["contract", "service__position"]

    def __str__(self):
        return f"{self.contract}: {self.service} ({self.capacity})"


class VettingCheck(models.Model):
    """One Policy Guide VII vetting criterion a plan checked for an organization."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(max_length=300)
    met_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(plan="plan")

    def __str__(self):
        return f"{self.organization}: {self.criterion}"


class CareManager(models.Model):
    """A Lead Care Manager: a person at the organization (no licensure required, DOMAIN 1)."""

    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="care_managers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AssignmentRule(models.TextChoices):
    MEMBER_PREFERENCE = "member_preference", "Member's preference"
    BEHAVIORAL_HEALTH_PROVIDER = "behavioral_health_provider", "Behavioral health provider"
    PCP = "pcp", "Primary care provider"
    MORE_APPROPRIATE_PROVIDER = "more_appropriate_provider", "More appropriate provider (documented)"
    COUNTY_AND_POF = "county_and_pof", "County and Population of Focus"
    OVERRIDE = "override", "Coordinator override"
    MEMBER_CHANGE = "member_change", "Member-requested change"
    # The path into services names the provider: the presumptive provider, the transition list's,
    # or the provider a reinstated member had (DOMAIN 5.2).
    NAMED_PROVIDER = "named_provider", "Provider named by the path into services"


class AssignmentEndReason(models.TextChoices):
    """Why an assignment ended, freeing its place in the contract and the caseload (DOMAIN 7)."""

    DISCONTINUED = "discontinued", "ECM discontinued"
    WITHDRAWN = "withdrawn", "Authorization withdrawn after approval"
    LEFT_PLAN = "left_plan", "Member left the plan"
    PROVIDER_CHANGE = "provider_change", "Moved to another provider"
    CONTRACT_ENDED = "contract_ended", "The provider's contract ended"


def is_recorded(field: str) -> models.ExpressionWrapper:
    """True once `field` is set: the worklists show the rows still owed first (and an index serves it)."""
    return models.ExpressionWrapper(models.Q(**{f"{field}__isnull": False}), output_field=models.BooleanField())


class Assignment(models.Model):
    """A member's ECM Provider (and Lead Care Manager), why, and the deadlines that follow."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="assignments")
    lead_care_manager = models.ForeignKey(
        CareManager, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    rule = models.CharField(max_length=40, choices=AssignmentRule.choices)
    passed_over = models.JSONField(default=list, help_text="Candidates the rules passed over, and why.")
    reason = models.TextField(blank=True, help_text="Why an override or a more appropriate provider.")
    authorized_on = models.DateField()
    communication_due = models.DateTimeField(help_text="10 business days after authorization (DOMAIN 7).")
    communicated_at = models.DateTimeField(null=True, blank=True)
    pcp_notification_due = models.DateTimeField(null=True, blank=True)
    pcp_notified_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField()
    # The last day the assignment holds its place (DOMAIN 7: capacity per contract per day).
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=AssignmentEndReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "ended_on", "communication_due"]),
            # The assignment worklist's order (not yet communicated first, then by due).
            models.Index(
                "plan",
                is_recorded("communicated_at"),
                "communication_due",
                "id",
                condition=models.Q(ended_on__isnull=True),
                name="assignment_worklist_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(ended_on__isnull=True), name="one_current_ecm_provider"
            )
        ]

    def __str__(self):
        return f"{self.member_id} → {self.organization_id} ({self.rule})"


class ServiceAssignment(models.Model):
    """A member placed with a Community Supports provider for one authorized service (DOMAIN 9):
    it holds a place in that contract line's capacity from `started_on` to `ended_on` (the last
    day). A member may hold several at once, one per service, with or without ECM."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ContractService, on_delete=models.PROTECT, related_name="assignments")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=AssignmentEndReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [models.Index(fields=["plan", "organization", "ended_on"]), models.Index(fields=["line", "ended_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "service"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_provider_per_service",
            )
        ]

    def __str__(self):
        return f"{self.member_id} → {self.organization_id} ({self.service_id})"

    def has_ended_by(self, day: date) -> bool:
        """Its last day is before `day`: an authorized period's end, or ended early."""
        return self.ended_on is not None and self.ended_on < day


class AwaitingAssignment(models.Model):
    """An authorized member with no ECM Provider yet (none had capacity, or their contract ended):
    never silent (DOMAIN 7). Resolved when an assignment is made or the member's ECM ends."""

    class Cause(models.TextChoices):
        NO_PROVIDER = "no_provider", "No provider with capacity"
        CONTRACT_ENDED = "contract_ended", "The provider's contract ended"

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    authorized_on = models.DateField()
    cause = models.CharField(max_length=30, choices=Cause.choices)
    detail = models.CharField(max_length=300, blank=True, help_text="Why no provider could be chosen.")
    preferred_organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    since = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Services already run without a provider (a reinstatement): the assignment, once made, owes a
    # Lead Care Manager in 10 business days and resumes services (DOMAIN 5.2).
    services_running = models.BooleanField(default=False)

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["since", "pk"]
        indexes = [models.Index(fields=["plan", "resolved_at", "since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(resolved_at__isnull=True), name="one_open_awaiting_assignment"
            )
        ]

    def __str__(self):
        return f"{self.member_id} awaiting assignment since {self.since:%Y-%m-%d}"

    def days_waited(self, on: date) -> int:
        """Calendar days on the list by `on` (the worklist shows it, DOMAIN 7)."""
        return (on - clocks.local_date(self.since)).days


class VettingCriterion(models.Model):
    """One criterion an organization meets before a plan activates its contract (DOMAIN 7): the
    Policy Guide VII vetting criteria for organizations the plan vets, the enrollment for those with
    a state Medi-Cal pathway. Seeded data; a plan's own process may add to them."""

    code = models.SlugField(max_length=60, unique=True)
    pathway = models.CharField(max_length=20, choices=EnrollmentPathway.choices)
    text = models.CharField(max_length=300, unique=True)
    source = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class AssignmentSettings(models.Model):
    """A plan's choices for the assignment order (DOMAIN 7). A plan without a row uses the defaults."""

    plan = models.OneToOneField(HealthPlan, on_delete=models.PROTECT, related_name="+")
    pcp_before_behavioral_health = models.BooleanField(
        "PCP before behavioral-health provider",
        default=False,
        help_text="Swap steps 2 and 3 of the assignment order: try the member's PCP before their "
        "behavioral-health provider.",
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        verbose_name = "assignment settings"
        verbose_name_plural = "assignment settings"

    def __str__(self):
        return f"Assignment settings of {self.plan_id}"


class ProviderChangeRequest(models.Model):
    """A member asks for another ECM Provider: implemented within 30 days where the requested
    provider can accommodate it (DOMAIN 7)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    requested_organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    due = models.DateTimeField()
    resolved_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        # The change list's order: open ones first, soonest due first.
        indexes = [models.Index("plan", is_recorded("resolved_on"), "due", "id", name="change_request_worklist_idx")]

    def __str__(self):
        return f"{self.member_id} asks for {self.requested_organization_id}"


class ProviderMembership(models.Model):
    """A login of the organization's staff: one identity across every plan that contracts with the
    organization. Not plan-owned (the organization is shared), so it is read before any scope
    exists, like Membership. A login holds at most one provider membership, and no plan
    membership (providers/staff.py), so that a request acts as exactly one principal."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=ProviderRole.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self):
        return f"{self.user} - {self.organization} ({self.get_role_display()})"


class ProviderApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # One query per authenticated request: the key with its membership, user and organization.
        return (
            super()
            .get_usable_keys()
            .filter(
                provider_membership__is_active=True,
                provider_membership__user__is_active=True,
                organization__is_active=True,
            )
            .select_related("provider_membership__user", "organization")
        )


class ProviderApiKey(AbstractAPIKey):
    """A provider integrator's key: hashed, prefixed, expiring, revocable, bound to one provider
    membership. `organization` repeats the membership's, set by the issuing service."""

    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="api_keys")
    provider_membership = models.ForeignKey(ProviderMembership, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProviderApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "provider API key"
        ordering = ["-created"]
        indexes = [models.Index(fields=["organization", "-created"])]
