"""Every legal or contractual clock as one row (ARCHITECTURE, Deadlines).

Apps open, move and meet deadlines through `ecm_platform.deadlines.services`; one monitor finds the
open ones at risk or overdue with an indexed query and notifies the owner once per state change.
The object a deadline belongs to is named by its content type and id, so the core never imports
the apps above it.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import HealthPlan

# DOMAIN 5.1: less than this left and a clock is at risk; the one threshold every page and the
# monitor use (`is_at_risk`).
AT_RISK_WINDOW = timedelta(hours=24)


class DeadlineKind(models.TextChoices):
    """The clocks of DOMAIN 3.5, 5.1, 5.2, 5.3, 5.4 and 7 (later apps add theirs here)."""

    DECISION = "decision", "Authorization decision (DOMAIN 5.1)"
    APPEAL_ACKNOWLEDGEMENT = "appeal_ack", "Appeal acknowledgement (5 days)"
    APPEAL_RESOLUTION = "appeal_resolution", "Appeal resolution"
    GRIEVANCE_ACKNOWLEDGEMENT = "grievance_ack", "Grievance acknowledgement (5 days)"
    GRIEVANCE_RESOLUTION = "grievance_resolution", "Grievance resolution"
    SERVICES_AFTER_REVERSAL = "services_after_reversal", "Services after a reversal (72 hours)"
    REASSESSMENT = "reassessment", "Six-month reassessment (transition member)"
    LETTER_CONTACT = "letter_contact", "Letter held for the plan's contact"
    LEAD_CARE_MANAGER = "lead_care_manager", "Name a Lead Care Manager (10 business days)"
    PROVIDER_COMMUNICATION = "provider_communication", "Assignment told to the provider (10 business days)"
    PCP_NOTICE = "pcp_notice", "PCP notified of the assignment (10 business days)"
    PROVIDER_CHANGE = "provider_change", "Member-requested provider change (30 days)"
    VETTING = "vetting", "Provider vetting to complete"
    ORIENTATION = "orientation", "Community Supports provider orientation (10 working days)"
    OUTREACH_FIRST_ATTEMPT = "outreach_first_attempt", "First outreach attempt (plan setting)"
    OTHER_PROGRAMS_REFERRAL = "other_programs_referral", "Refer a closed-out member to other programs"
    REFERRAL_RESPONSE = "referral_response", "Provider answer to a referral (plan setting, business days)"
    REFERRAL_CLOSURE = "referral_closure", "Referral closed with a reason (plan setting, days)"


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    AT_RISK = "at_risk", "At risk"
    OVERDUE = "overdue", "Overdue"
    MET = "met", "Met"
    CANCELLED = "cancelled", "No longer due"


# A clock still running: the monitor and the worklists read these.
LIVE_STATES = (DeadlineState.OPEN, DeadlineState.AT_RISK, DeadlineState.OVERDUE)


class Deadline(models.Model):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=DeadlineKind.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    # The member the clock is about, where there is one: the member page lists their clocks.
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=300, help_text="What is due, without PHI beyond the member's name.")
    link = models.CharField(max_length=300, blank=True, help_text="The page where it is met.")
    # The capability whose holders must act (ecm_platform.tenancy.access.Capability) ...
    owner = models.CharField(max_length=80)
    # ... at this provider organization, for a clock its staff owe (outreach to an assigned
    # member); none: the plan's own staff.
    organization = models.ForeignKey(
        "providers.ProviderOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    opened_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "target_type", "target_id"],
                condition=models.Q(state__in=["open", "at_risk", "overdue"]),
                name="one_live_deadline_per_kind_and_target",
            )
        ]
        indexes = [
            models.Index(
                fields=["state", "due_at"], condition=models.Q(state__in=["open", "at_risk"]), name="deadline_watch_idx"
            ),
            models.Index(fields=["plan", "owner", "state", "due_at"]),
            models.Index(fields=["plan", "member", "state"]),
            models.Index(fields=["plan", "target_type", "target_id"]),
            # The deadlines page and its badge: the plan's running clocks, soonest first.
            models.Index(
                fields=["plan", "due_at", "id"],
                condition=models.Q(state__in=["open", "at_risk", "overdue"]),
                name="deadline_live_due_idx",
            ),
        ]
        ordering = ["due_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES
