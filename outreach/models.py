"""Outreach (DOMAIN 8): who is targeted, every attempt, how engagement ends, the quarterly measures.

An `Engagement` is one member's outreach from targeting to its end: by the ECM Provider for a member
approved and assigned, or by the plan's own staff for a member the plan identified. Attempts belong
to it. Whether an attempt counts and whether it succeeded are worked out by `outreach.rules` when it
is recorded and stored with the reason, never typed in: the measures read them set-based.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_scopes import ScopedManager

from authorizations.models import AuthorizationRequest
from ecm_platform.audit.models import AppendOnlyModel
from ecm_platform.tenancy.models import County, HealthPlan
from members.models import Member
from providers.models import Assignment, ProviderOrganization


class Method(models.TextChoices):
    """How an attempt was made (DOMAIN 8). A group email is an email that "asks for a response" or
    not, never a method of its own."""

    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "Telephone"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    OTHER_ELECTRONIC = "other_electronic", "Other individual electronic method"
    ROBOCALL = "robocall", "Robo-call"
    POSTAL_MAIL = "postal_mail", "Postal mail"


class Outcome(models.TextChoices):
    REACHED_MEMBER = "reached_member", "Reached the member"
    REACHED_GUARDIAN = "reached_guardian", "Reached the parent or guardian"
    LIVE_MESSAGE = "live_message", "Live message left by staff"
    PRERECORDED_MESSAGE = "prerecorded_message", "Pre-recorded message only"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number or address"
    DECLINED = "declined", "Member declined"
    CALLBACK_ANSWERED = "callback_answered", "Member called back and staff answered"


class TargetKind(models.TextChoices):
    """Who is targeted (DOMAIN 8), and so who reaches out."""

    ASSIGNED = "assigned", "Approved and assigned (the ECM Provider reaches out)"
    IDENTIFIED = "identified", "Identified by the plan (the plan's staff reach out)"


class EngagementState(models.TextChoices):
    OPEN = "open", "Outreach under way"
    ENROLLED = "enrolled", "Enrolled"
    DECLINED = "declined", "Declined"
    UNREACHABLE = "unreachable", "Unable to reach"
    # No longer targeted for a reason outside outreach: the request was decided or withdrawn
    # otherwise, the determination closed, the member left the plan or moved to another provider.
    ENDED = "ended", "No longer targeted"


# A close-out (DOMAIN 8): the member is referred to the plan's other programs (Policy Guide V.1.f).
CLOSE_OUT_STATES = (EngagementState.DECLINED, EngagementState.UNREACHABLE)


class Engagement(models.Model):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    # ASSIGNED: the assigned ECM Provider, who reaches out. IDENTIFIED: none (the plan's staff).
    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # ASSIGNED: the approved request. IDENTIFIED: the request submitted when the member agreed.
    request = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The member's county when targeted: the measures are stratified by it.
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    targeted_on = models.DateField()
    first_attempt_due = models.DateTimeField(help_text="The plan's setting: N business days after targeting.")
    state = models.CharField(max_length=20, choices=EngagementState.choices, default=EngagementState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(max_length=2000, blank=True)
    # After a close-out: when the coordinator referred the member to the plan's other programs.
    other_programs_referred_at = models.DateTimeField(null=True, blank=True)
    other_programs_note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "member"], condition=models.Q(state="open"), name="one_open_engagement_per_member"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="assigned") | models.Q(organization__isnull=False, assignment__isnull=False),
                name="assigned_engagement_has_provider",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "state", "first_attempt_due", "id"]),
            models.Index(fields=["plan", "organization", "state"]),
            models.Index(fields=["plan", "member"]),
            models.Index(fields=["plan", "targeted_on"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} outreach to member {self.member_id}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == EngagementState.OPEN


class Attempt(models.Model):
    """One outreach attempt. `counts`, `successful` and `count_reason` are `outreach.rules`' verdict,
    stored when the attempt is recorded."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # Who made it: the provider organization, or none for the plan's own staff.
    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    asks_for_response = models.BooleanField(
        default=True, help_text="The message asked the member to respond (call a named contact, book a visit)."
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(600)])
    notes = models.TextField(max_length=2000, blank=True)
    counts = models.BooleanField()
    successful = models.BooleanField()
    count_reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "attempted_at", "id"]),
            models.Index(fields=["plan", "engagement", "attempted_at"]),
            models.Index(fields=["plan", "member", "-attempted_at"]),
        ]
        ordering = ["-attempted_at", "-id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.attempted_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"


class OutreachSettings(models.Model):
    """The plan's outreach policy (DOMAIN 8)."""

    plan = models.OneToOneField(HealthPlan, on_delete=models.CASCADE, related_name="+")
    first_attempt_business_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="The first attempt is due within this many business days of assignment or identification.",
    )
    unreachable_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Unable to reach: at least this many counting attempts, none successful ...",
    )
    unreachable_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text="... spread over at least this many days, first to latest ...",
    )
    unreachable_methods = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="... by at least this many different methods.",
    )
    referral_business_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="After a close-out, the coordinator refers the member to the plan's other programs within this "
        "many business days.",
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        verbose_name_plural = "outreach settings"

    def __str__(self):
        return f"{self.plan}: outreach settings"


class MeasureRun(AppendOnlyModel):
    """The five quarterly outreach measures of one quarter as built at one moment (DOMAIN 8, 10):
    immutable, with the inputs they were built from."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    period_start = models.DateField()
    period_end = models.DateField()
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_by_label = models.CharField(max_length=200, help_text="Who built it: a username, or the quarter-end job.")
    duration_ms = models.PositiveIntegerField()
    inputs = models.JSONField(help_text="What the figures were built from: settings, rules version, row counts.")
    figures = models.JSONField(help_text="The five measures, in total and by county, POF and provider.")

    objects = ScopedManager(plan="plan")

    class Meta(AppendOnlyModel.Meta):
        indexes = [models.Index(fields=["plan", "-built_at", "-id"]), models.Index(fields=["plan", "year", "quarter"])]
        ordering = ["-built_at", "-id"]

    def __str__(self):
        return f"Outreach measures {self.year} Q{self.quarter} built {self.built_at:%Y-%m-%d %H:%M}"
