"""Imports that run as background jobs (issue 15): the file as received, who started it, its
progress and heartbeat while a worker runs it, and its row-level report."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import HealthPlan


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Nothing imported"


ACTIVE_JOB_STATES = [JobState.QUEUED, JobState.RUNNING]
# Every capability an import job may be started with (import_job_start refuses any other): reading
# a job needs its own, and holding none of these refuses before the job is looked up.
IMPORT_CAPABILITIES = (Capability.TRANSITIONS_IMPORT, Capability.INVOICES_UPLOAD)


class ImportJob(models.Model):
    """One import of one file. The content is kept as received (bytes, never served back or
    rendered) for the worker to read, and emptied once the job is done; `report` holds the outcome
    counts and the row errors."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60, help_text="What is imported, e.g. authorizations.transition_list.")
    capability = models.CharField(max_length=80, help_text="Needed to start the job and to read it.")
    task_name = models.CharField(max_length=200, help_text="The Celery task that runs it.")
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    source_name = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(editable=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=40, blank=True, help_text="What the worker is doing: checking, importing.")
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "-id"], name="import_job_plan_recent"),
            # The sweeper reads only running jobs, by heartbeat.
            models.Index(
                fields=["heartbeat_at"], condition=models.Q(state="running"), name="import_job_running_heartbeat"
            ),
        ]
        constraints = [
            # One import of a kind at a time per plan: two would race on the same rows.
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=models.Q(state__in=ACTIVE_JOB_STATES),
                name="one_active_import_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_JOB_STATES

    @property
    def outcome(self) -> list[tuple[str, object]]:
        """The report's counts (created, unchanged, ...) without its errors."""
        return [(key, value) for key, value in self.report.items() if key not in ("errors", "error_count")]

    @property
    def errors_listed(self) -> list[dict]:
        """The report's first row errors (services.ERRORS_LISTED); `error_count` counts them all."""
        return self.report.get("errors") or []

    @property
    def error_count(self) -> int:
        return self.report.get("error_count", len(self.errors_listed))

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors_listed)

    @property
    def percent_done(self) -> int:
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)
