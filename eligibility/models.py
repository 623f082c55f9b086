"""Populations of Focus, determinations, claims and the high-utilizer scan (DOMAIN 3)."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import County, HealthPlan
from members.models import Member


class AgeGroup(models.TextChoices):
    ADULT = "adult", "Adults"
    CHILDREN_YOUTH = "children_youth", "Children and youth"


class PopulationOfFocus(models.Model):
    """A POF (reference data: a POF added by later policy is a new row, not new code)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices)
    min_age = models.PositiveSmallIntegerField(default=0)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Younger than this.")
    # The county go-live calendar (DOMAIN 3.4): the latest start DHCS allows.
    live_in_wpc_hhp_counties = models.DateField()
    live_in_other_counties = models.DateField()
    criteria = models.JSONField(default=list, help_text="The criteria a coordinator attests to.")
    requires_all_criteria = models.BooleanField(
        default=True, help_text="All criteria must be met; otherwise any one of them."
    )
    is_scanned = models.BooleanField(default=False, help_text="Also found by the nightly scan.")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "population of focus"
        verbose_name_plural = "populations of focus"

    def __str__(self):
        return self.name


class PlanPofStart(models.Model):
    """The plan started a POF in a county before the DHCS date (DOMAIN 3.4, plan setting)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    pof = models.ForeignKey(PopulationOfFocus, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "county", "pof"], name="plan_pof_start_once")]

    def __str__(self):
        return f"{self.pof_id} in {self.county} from {self.start_date}"


class DeterminationSource(models.TextChoices):
    SCAN = "scan", "High-utilizer scan"
    REFERRAL = "referral", "Referral"
    ATTESTATION = "attestation", "Coordinator attestation"
    DISCRETIONARY = "discretionary", "Discretionary high utilizer"


class Determination(models.Model):
    """The member is in a POF from `start_date` (until `end_date`), and why."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="determinations")
    pof = models.ForeignKey(PopulationOfFocus, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=DeterminationSource.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    evidence = models.JSONField(default=dict)
    justification = models.TextField(blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scan_run = models.ForeignKey(
        "ScanRun", on_delete=models.PROTECT, null=True, blank=True, related_name="determinations"
    )
    evidence_run = models.ForeignKey("ScanRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_by_run = models.ForeignKey(
        "ScanRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_determinations",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "pof", "end_date", "-id"]),
            models.Index(fields=["plan", "member"]),
            # The worklist's open determinations by flag date, either way: of one POF, and of all.
            models.Index(
                fields=["plan", "pof", "start_date", "id"],
                condition=models.Q(end_date__isnull=True),
                name="determination_worklist_idx",
            ),
            models.Index(
                fields=["plan", "start_date", "id"],
                condition=models.Q(end_date__isnull=True),
                name="determination_flagged_idx",
            ),
        ]
        constraints = [
            # The scan keeps one open determination per member (DOMAIN 3.3: no duplicates).
            models.UniqueConstraint(
                fields=["member", "pof"],
                condition=models.Q(end_date__isnull=True, source="scan"),
                name="one_open_scan_determination",
            )
        ]

    def __str__(self):
        return f"{self.member_id} {self.pof_id} from {self.start_date}"


class EventType(models.TextChoices):
    ED = "ED", "Emergency department visit"
    INPATIENT = "INPATIENT", "Inpatient stay"
    SNF_SHORT_TERM = "SNF_SHORT_TERM", "Short-term skilled nursing stay"


# A claim's diagnosis list is stored whole (DOMAIN 11: nothing shortened): up to this many ICD-10-CM
# codes of at most 8 characters (A00.1234), one space apart; intake refuses a longer list.
MAX_DIAGNOSIS_CODES = 100
DIAGNOSIS_CODES_LENGTH = MAX_DIAGNOSIS_CODES * 9 - 1


class UtilizationEvent(models.Model):
    """One adjudicated claim or encounter (DOMAIN 3.3); narrow, because the scan reads millions."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+", db_index=False)
    claim_id = models.CharField(max_length=50)
    # No database-level foreign key: its per-row check (with a row lock on the member) doubled the
    # time to load a million claims. Every loaded row's member is checked against the plan's
    # members in the loading transaction, and deleting a member still cascades through the ORM.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    event_type = models.CharField(max_length=16, choices=EventType.choices)
    service_date = models.DateField(help_text="For a stay: the admission date.")
    discharge_date = models.DateField(null=True, blank=True)
    is_planned = models.BooleanField(default=False)
    is_avoidable = models.BooleanField()
    diagnosis_codes = models.CharField(max_length=DIAGNOSIS_CODES_LENGTH, blank=True)
    adjudicated_on = models.DateField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "claim_id"], name="claim_once_per_plan")]
        indexes = [
            models.Index(fields=["plan", "service_date"], name="event_window_idx"),
            models.Index(fields=["plan", "member", "service_date"], name="event_member_idx"),
            # The scan (DOMAIN 3.3) counts avoidable events per member: walked in member order, this
            # index feeds a streaming aggregate with no hash table and no heap (on 15M members it
            # beat a hash aggregate over the window by 3x, and parallel workers, which must hand
            # millions of partial groups to the leader, by 1.5x).
            models.Index(
                fields=["plan", "member", "service_date"],
                include=["event_type", "is_planned"],
                condition=models.Q(is_avoidable=True),
                name="event_scan_idx",
            ),
            # The admissions an ED visit may lead to, looked up per candidate without the heap.
            models.Index(
                fields=["plan", "member", "service_date"],
                condition=models.Q(event_type="INPATIENT"),
                name="event_admission_idx",
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.event_type} {self.service_date}"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_SCAN_STATUSES = (ScanStatus.QUEUED, ScanStatus.RUNNING)


class ScanRun(models.Model):
    """One high-utilizer scan (DOMAIN 3.3): reserved (`queued`) when asked for, `running` while a
    process holds the plan's scan lock (eligibility.scan), then succeeded or failed."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    run_date = models.DateField()
    data_month = models.DateField(null=True, blank=True, help_text="First day of the data month.")
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    events_in_window = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    # When it was asked for, then when it started running.
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # host:pid of the process running it: what the lock cannot say on SQLite (and a clue elsewhere).
    runner = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [models.Index(fields=["plan", "-id"])]
        constraints = [
            # Two runs for one plan never overlap, nor wait side by side.
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=ACTIVE_SCAN_STATUSES),
                name="one_active_scan_per_plan",
            )
        ]

    def __str__(self):
        return f"Scan {self.pk} ({self.status}) on {self.run_date}"


class ScanCriteria(models.Model):
    """The high-utilizer thresholds (DOMAIN 3.3), versioned by the data month they apply from."""

    effective_from = models.DateField(unique=True)
    lookback_months = models.PositiveSmallIntegerField(default=6)
    ed_visits_min = models.PositiveSmallIntegerField(default=5)
    stays_min = models.PositiveSmallIntegerField(default=3)
    adult_age = models.PositiveSmallIntegerField(default=21)
    citation = models.CharField(max_length=200)

    class Meta:
        ordering = ["effective_from"]
        verbose_name_plural = "scan criteria"

    def __str__(self):
        return f"High-utilizer criteria from {self.effective_from}"
