"""What a plan offers (DOMAIN 9; ARCHITECTURE, Catalogue): ECM and each Community Support as rows of
one catalogue, and the plan's elections per county.

The catalogue is reference data shared by every plan (no `plan` column): services with their
effective dates and old names, the (HCPCS code, modifiers) pairs that identify them in the coding
guidance version each came from, their limits, eligibility checklists and discontinuation criteria.
It is loaded from `benefits/reference/` by migrations and extended by the operator, never written as
constants in code. Elections are the plan's own rows.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import County, HealthPlan


class ServiceKind(models.TextChoices):
    ECM = "ecm", "Enhanced Care Management"
    COMMUNITY_SUPPORT = "community_support", "Community Support"


# The catalogue code of ECM: the one service that is not a Community Support.
ECM_CODE = "ecm"


class CatalogueService(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True, help_text="The name in use today.")
    # The name a Spanish letter prints (DOMAIN 5.3: letters in the member's language).
    name_es = models.CharField("name in Spanish", max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    # Mandatory for every plan from this day (Transitional Rent, 2026-01-01); otherwise elected.
    mandatory_from = models.DateField(null=True, blank=True)
    # The decision clock of an expedited request for this service (DOMAIN 5.1), in hours.
    expedited_hours = models.PositiveSmallIntegerField(default=72)
    # FAQ 28: an urgent service's requests are always expedited (sobering centers, recuperative care).
    urgent = models.BooleanField(default=False)
    allows_retroactive_authorization = models.BooleanField(default=False, help_text="Sobering centers (DOMAIN 9).")
    closed_loop_exempt = models.BooleanField(default=False, help_text="Sobering centers (DOMAIN 9).")
    eligibility_criteria = models.JSONField(
        default=list, help_text="The attestation checklist, the same for every member in a county."
    )
    # The service's own (FAQ 39), each {"code", "en", "es"}: a letter names the criterion applied.
    discontinuation_criteria = models.JSONField(default=list, help_text="The service's own (FAQ 39).")
    source = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def is_ecm(self) -> bool:
        return self.code == ECM_CODE


def ecm_service_pk() -> int:
    """The default service of a request or a contract line: ECM, the catalogue row loaded by the
    benefits migrations."""
    return CatalogueService.objects.values_list("pk", flat=True).get(code=ECM_CODE)


class ServiceAlias(models.Model):
    """A name the service went by, and until when (e.g. "Nursing Facility Transition/Diversion to
    Assisted Living Facilities", renamed in 2025)."""

    service = models.ForeignKey(CatalogueService, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, unique=True)
    used_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceCode(models.Model):
    """A (HCPCS code, modifiers) pair that identifies a service in one coding guidance version: base
    codes are shared (H0044 U2 deposits, H0044 U3 post-hospitalization housing)."""

    service = models.ForeignKey(CatalogueService, on_delete=models.CASCADE, related_name="codes")
    hcpcs = models.CharField("HCPCS", max_length=5)
    modifiers = models.CharField(max_length=20, help_text="Space-separated, e.g. 'U1 GQ'.")
    unit = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=200, blank=True)
    guidance_version = models.CharField(max_length=60, help_text="The DHCS HCPCS coding guidance it came from.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hcpcs", "modifiers", "guidance_version"], name="one_service_per_code_pair_and_version"
            )
        ]
        ordering = ["service", "hcpcs", "modifiers"]

    def __str__(self):
        return f"{self.hcpcs} {self.modifiers}"


class LimitType(models.TextChoices):
    PER_CALENDAR_YEAR = "per_calendar_year", "Per calendar year"
    LIFETIME_AMOUNT = "lifetime_amount", "Lifetime amount"
    LIFETIME_COUNT = "lifetime_count", "Times in a lifetime"
    CONTINUOUS_DURATION = "continuous_duration", "Continuous duration"
    MAX_DURATION = "max_duration", "Maximum duration"
    COMBINED_ROLLING = "combined_rolling", "Combined, in any rolling period"
    PER_DAY_COUNT = "per_day_count", "Per day"
    PER_STAY = "per_stay", "Per stay"


class ServiceLimit(models.Model):
    """A limit of one service or, combined, of several (DOMAIN 9), versioned by effective dates."""

    services = models.ManyToManyField(CatalogueService, related_name="limits")
    limit_type = models.CharField(max_length=30, choices=LimitType.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=40)
    # For a combined rolling limit: the window the value is counted in (e.g. 6 months in any 12).
    window = models.PositiveSmallIntegerField(null=True, blank=True, help_text="In the limit's unit.")
    exception = models.CharField(max_length=300, blank=True, help_text="When the guide allows more.")
    override_allowed = models.BooleanField(default=False, help_text="An override with a reason may pass it.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    confidence = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["limit_type", "pk"]

    def __str__(self):
        return f"{self.get_limit_type_display()}: {self.value} {self.unit}"


class Election(models.Model):
    """The plan offers a Community Support in a county from `effective_from` (DOMAIN 9: additions
    on 1 January or 1 July, removals on 1 January), until `effective_to` (the last day offered)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    state_approved_on = models.DateField(null=True, blank=True, help_text="DHCS approval of the change.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "county", "service"],
                condition=models.Q(effective_to__isnull=True),
                name="one_open_election_per_county_and_service",
            )
        ]
        indexes = [models.Index(fields=["plan", "county", "effective_from"])]
        ordering = ["county", "service", "-effective_from"]

    def __str__(self):
        return f"{self.service} in {self.county} from {self.effective_from}"


class ServiceClock(models.Model):
    """The plan's expedited decision clock for a Community Support, shorter than 72 hours (DOMAIN
    5.1: e.g. 12 hours for a sobering center stay, FAQ 28); without a row the catalogue's applies."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+")
    expedited_hours = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "service"], name="one_clock_per_plan_and_service")]

    def __str__(self):
        return f"{self.service}: {self.expedited_hours} hours"
