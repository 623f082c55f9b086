"""Closed-loop referrals (DOMAIN 9): the loop around an authorization request, from the referring
entity to the provider's answer, the service's start and the closure with a reason, each change an
event row, each notice to the member or the referring entity a notice row. Loaded with the app's
other models through `community_supports.models`, which imports them.

The request's own state stays authoritative for authorization: a referral never approves or
denies, and a denial closes the referral "not authorized" (community_supports.referral_receivers).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_scopes import ScopedManager

from authorizations.models import AuthorizationRequest, RequesterNotice
from benefits.models import CatalogueService
from ecm_platform.tenancy.models import HealthPlan
from members.models import Member
from providers.models import ProviderOrganization


class ReferrerKind(models.TextChoices):
    PLAN = "plan", "Plan care coordinator"
    PROVIDER = "provider", "Provider"
    SHELTER = "shelter", "Shelter"
    HOSPITAL = "hospital", "Hospital"
    COMMUNITY_ORGANIZATION = "community_organization", "Community organization"


# Entities outside the plan and its network: their referral is a community entity referral (5.1).
OUTSIDE_KINDS = frozenset({ReferrerKind.SHELTER, ReferrerKind.HOSPITAL, ReferrerKind.COMMUNITY_ORGANIZATION})


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent to the provider"
    ACCEPTED = "accepted", "Accepted by the provider"
    DECLINED = "declined", "Declined by the provider"
    SERVICE_STARTED = "service_started", "Service started"
    CLOSED = "closed", "Closed"


# A referral still to close: the closure clock runs in these states.
OPEN_REFERRAL_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.SERVICE_STARTED,
)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity"
    OUTSIDE_SERVICE_AREA = "outside_service_area", "Outside the provider's service area"
    SERVICE_NOT_PROVIDED = "service_not_provided", "The provider does not offer this service"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate for the member's needs"
    OTHER = "other", "Other (explained)"


class ClosureReason(models.TextChoices):
    SERVICES_RECEIVED = "services_received", "Services received"
    MEMBER_DECLINED = "member_declined", "Member declined"
    UNABLE_TO_REACH = "unable_to_reach", "Unable to reach the member"
    NOT_AUTHORIZED = "not_authorized", "Not authorized"
    PROVIDER_DECLINED = "provider_declined", "Provider declined, no other provider"
    MEMBER_LEFT_PLAN = "member_left_plan", "Member left the plan"
    OTHER = "other", "Other (explained)"


class Referral(ConcurrentTransitionMixin, models.Model):
    """One referral of a member for a service to a provider, and who referred them. The referring
    entity is reached electronically only: a portal login (a plan user, a provider organization
    with active logins) or a validated email, never free text or fax."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="referrals")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    referrer_kind = models.CharField(max_length=30, choices=ReferrerKind.choices)
    referrer_name = models.CharField(max_length=200)
    referrer_email = models.EmailField(blank=True)
    referrer_organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(max_length=2000, blank=True)
    status = FSMField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT, protected=True)
    sent_at = models.DateTimeField()
    response_due_at = models.DateTimeField(help_text="The provider answers by then (plan setting, business days).")
    closure_due_at = models.DateTimeField(help_text="The loop is closed by then (plan setting, days).")
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    provider_contact = models.CharField(
        max_length=200, blank=True, help_text="How the member reaches the provider (given on acceptance)."
    )
    service_started_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    closure_detail = models.TextField(blank=True, help_text="The explanation; for a non-authorization, its reason.")
    updated_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["plan", "status", "-id"]),
            models.Index(fields=["plan", "organization", "-id"]),
            models.Index(fields=["plan", "request"]),
        ]

    def __str__(self):
        return f"Referral {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    # The loop's transitions (DOMAIN 9), and only these; the services check who may take them.
    @transition(field=status, source=ReferralStatus.SENT, target=ReferralStatus.ACCEPTED)
    def accept(self):
        pass

    @transition(field=status, source=ReferralStatus.SENT, target=ReferralStatus.DECLINED)
    def decline(self):
        pass

    @transition(field=status, source=ReferralStatus.ACCEPTED, target=ReferralStatus.SERVICE_STARTED)
    def start_service(self):
        pass

    @transition(field=status, source=list(OPEN_REFERRAL_STATUSES), target=ReferralStatus.CLOSED)
    def close(self):
        pass


class ReferralEvent(models.Model):
    """One change of a referral, dated and attributed (the actor's label keeps a system job's)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan", "referral", "at"])]

    def __str__(self):
        return f"Referral {self.referral_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class NoticeEvent(models.TextChoices):
    AUTHORIZED = "authorized", "Authorized (the 5.3 decision notice)"
    ASSIGNED = "assigned", "Assigned to the provider"
    NOT_AUTHORIZED = "not_authorized", "Not authorized"
    CLOSED = "closed", "Loop closed"


class NoticeRecipient(models.TextChoices):
    MEMBER = "member", "Member"
    REFERRER = "referrer", "Referring entity"


class NoticeChannel(models.TextChoices):
    IN_APP = "in_app", "In-app notification"
    EMAIL = "email", "Email"
    NONE = "none", "No electronic contact"


class ReferralNotice(models.Model):
    """One notice of a referral's event to one recipient, once (a unique row per event and
    recipient). `content` freezes the facts it states; a notice that is also the DOMAIN 5.3
    requester notice of the decision links it (`requester_notice`) and sends nothing itself."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="notices")
    event = models.CharField(max_length=20, choices=NoticeEvent.choices)
    recipient = models.CharField(max_length=10, choices=NoticeRecipient.choices)
    recipient_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices)
    email = models.EmailField(blank=True)
    # One 5.3 notice may stand for the referral notices of several referrals of the same request
    # (a provider declined, the plan referred elsewhere): a foreign key, not one-to-one.
    requester_notice = models.ForeignKey(
        RequesterNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="referral_notices"
    )
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Emailed (in-app: from creation).")

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "event", "recipient"], name="referral_notice_once_per_event")
        ]

    def __str__(self):
        return f"Referral {self.referral_id} notice {self.event} to {self.recipient}"


class ReferralSettings(models.Model):
    """The plan's stalled-referral clocks (DOMAIN 9): a provider answer within N business days of
    the referral, the loop closed within M calendar days."""

    plan = models.OneToOneField(HealthPlan, on_delete=models.CASCADE, related_name="+")
    response_business_days = models.PositiveSmallIntegerField(
        "provider answer (business days)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="A referral without the provider's answer this many business days after it was sent is stalled.",
    )
    closure_days = models.PositiveSmallIntegerField(
        "closure (days)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A referral not closed this many calendar days after it was sent is stalled.",
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        verbose_name_plural = "referral settings"

    def __str__(self):
        return f"Referral settings of plan {self.plan_id}"
