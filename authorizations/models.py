"""Authorization requests on a protected state machine, their Notices of Action, appeals and
grievances (DOMAIN 5 and 6).

The lifecycle (DOMAIN 5.2) lives here as django-fsm transitions: the `status` field is protected
(only a transition changes it), every transition names who may take it, and saving goes through
ConcurrentTransitionMixin so that two reviewers deciding at once get one success and one conflict.
The services in `services.py` drive the transitions; nothing else does.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_scopes import ScopedManager

# The letters' models live beside these and are imported from here, as the app's models.
from authorizations.notice_models import Notice, NoticeType, RequesterChannel, RequesterNotice  # noqa: F401
from benefits.models import CatalogueService, ecm_service_pk
from ecm_platform.tenancy.access import Capability, transition_permission
from ecm_platform.tenancy.models import HealthPlan
from eligibility.models import PopulationOfFocus
from members.models import Member
from providers.models import ProviderOrganization, ServiceAssignment


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    EXPEDITED = "expedited", "Expedited"


class RequestSource(models.TextChoices):
    """Where a request came from (DOMAIN 5.1)."""

    MCP_IDENTIFICATION = "mcp_identification", "Plan identification (e.g. the scan)"
    PROVIDER_REFERRAL = "provider_referral", "Provider referral"
    COMMUNITY_REFERRAL = "community_referral", "Community entity referral"
    SELF_REFERRAL = "self_referral", "Member self-referral"
    FAMILY_REFERRAL = "family_referral", "Family or caregiver referral"
    PRESUMPTIVE = "presumptive", "Presumptive authorization by a provider"
    TRANSITION = "transition", "Automatic transition (HHP/WPC)"


# Requests submitted from outside the plan; presumptive ones come from the provider API and
# transition ones from their import (DOMAIN 5.1), each through its own entry point.
SUBMITTED_SOURCES = [
    choice for choice in RequestSource.choices if choice[0] not in (RequestSource.PRESUMPTIVE, RequestSource.TRANSITION)
]

# DOMAIN 5.3: a denial, delay or modification gets a Notice of Action when the member or a
# provider asked for the service; the plan's own identification does not.
REQUESTED_BY_MEMBER_OR_PROVIDER = frozenset(
    {
        RequestSource.PROVIDER_REFERRAL,
        RequestSource.COMMUNITY_REFERRAL,
        RequestSource.SELF_REFERRAL,
        RequestSource.FAMILY_REFERRAL,
        RequestSource.PRESUMPTIVE,
    }
)


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "In review"
    DEFERRED = "deferred", "Deferred (extended)"
    PRESUMPTIVE = "presumptive", "Presumptively authorized"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ACTIVE = "active", "Services active"
    DISCONTINUED = "discontinued", "Discontinued"
    ENDED = "ended", "Ended (left the plan)"


# The decision clock runs in these states and stops on approved, denied, withdrawn or ended (DOMAIN 5.2).
OPEN_STATUSES = (Status.RECEIVED, Status.IN_REVIEW, Status.DEFERRED, Status.PRESUMPTIVE)

# Requests without a decision clock (transition authorizations) sort after every dated one.
NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)
# A reviewer approves or denies from these states (DOMAIN 5.2).
DECIDABLE_STATUSES = [Status.IN_REVIEW, Status.DEFERRED, Status.PRESUMPTIVE]
# A member has at most one request in these states per service: another would be a duplicate.
LIVE_STATUSES = (*OPEN_STATUSES, Status.APPROVED, Status.ACTIVE)
# A member who leaves the plan ends the request in these states (DOMAIN 5.2).
ENDABLE_STATUSES = [*OPEN_STATUSES, Status.APPROVED, Status.ACTIVE]
# A Community Support with a provider to place it with (DOMAIN 9): approved or running.
PLACEABLE_STATUSES = (Status.APPROVED, Status.ACTIVE)


class DiscontinuationState(models.TextChoices):
    """A decided discontinuation until it takes effect (DOMAIN 5.2): services go on meanwhile."""

    SCHEDULED = "scheduled", "Discontinuation scheduled"
    PENDING_APPEAL = "pending_appeal", "Discontinuation pending appeal"


class Decision(models.TextChoices):
    FULL = "full", "Approved as requested"
    MODIFIED = "modified", "Approved with modification"


class DenialReason(models.TextChoices):
    NO_POPULATION_OF_FOCUS = "no_pof", "Does not meet the criteria of any Population of Focus"
    EXCLUDED_PROGRAM = "excluded", "Enrolled in a program that excludes ECM"
    DUPLICATIVE_PROGRAM = "duplicative", "Already receives a program that ECM may not duplicate"
    NOT_ENROLLED = "not_enrolled", "Not enrolled in the plan"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Not enough information to decide"
    # A Community Support (DOMAIN 9): its own eligibility, the plan's election, its limits.
    SERVICE_CRITERIA_NOT_MET = "service_criteria_not_met", "Does not meet the service's eligibility criteria"
    SERVICE_NOT_OFFERED = "service_not_offered", "The plan does not offer this service in the member's county"
    SERVICE_LIMIT_REACHED = "service_limit_reached", "The service's limit is reached"
    OTHER = "other", "Other (explained)"


class WithdrawalReason(models.TextChoices):
    """DOMAIN 5.2: the only reasons to withdraw; none of them gets a Notice of Action (5.3)."""

    MEMBER_DECLINED = "member_declined", "Member declined"
    REQUEST_WITHDRAWN = "request_withdrawn", "Request withdrawn"
    DUPLICATE = "duplicate", "Duplicate request"
    MEMBER_UNREACHABLE = "member_unreachable", "Member unreachable before services began"


class DiscontinuationReason(models.TextChoices):
    """Exactly the four reasons of DOMAIN 6."""

    GOALS_MET = "goals_met", "Met all care plan goals"
    LOWER_LEVEL_OF_CARE = "lower_level_of_care", "Ready for a lower level of care"
    NOT_ENGAGED = (
        "not_engaged",
        "No longer wishes ECM, unresponsive or unwilling to engage (including unsafe behavior or environment)",
    )
    UNABLE_TO_CONNECT = "unable_to_connect", "Provider unable to connect after multiple attempts"


class DiscontinuationProposer(models.TextChoices):
    PROVIDER = "provider", "The ECM Provider"
    PLAN = "plan", "The plan"


class TransitionProgram(models.TextChoices):
    HHP = "hhp", "Health Homes Program"
    WPC = "wpc", "Whole Person Care"


_may_withdraw = transition_permission(Capability.AUTHORIZATIONS_WITHDRAW)
_may_withdraw_presumptive = transition_permission(Capability.PRESUMPTIVE_WITHDRAW)


class AuthorizationRequest(ConcurrentTransitionMixin, models.Model):
    """A request for ECM or a Community Support and its decision, on the DOMAIN 5.2 machine."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="authorization_requests")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+", default=ecm_service_pk)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    source = models.CharField(max_length=30, choices=RequestSource.choices)
    received_at = models.DateTimeField()
    requester_name = models.CharField(max_length=200, blank=True)
    requester_organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requester_contact = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    pofs = models.ManyToManyField(PopulationOfFocus, related_name="+", blank=True, help_text="POFs claimed.")

    status = FSMField(max_length=20, choices=Status.choices, default=Status.RECEIVED, protected=True)

    # The decision clock (DOMAIN 5.1): set at receipt, moved once by an extension.
    due_at = models.DateTimeField(null=True, blank=True)
    # The lists' order, "by due instant" (DOMAIN 5.1), kept by the database; never null, since a
    # cursor cannot hold a null position. A column, not an expression index: under row-level
    # security only a leakproof condition (a column compared, not a COALESCE) bounds an index scan,
    # so a deep keyset page starts at its boundary instead of walking the index from the top.
    due_sort = models.GeneratedField(
        expression=Coalesce("due_at", models.Value(NO_DUE_DATE, output_field=models.DateTimeField())),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    original_due_at = models.DateTimeField(null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)

    # The decision.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    modification = models.TextField(blank=True, help_text="What was approved instead of what was asked.")
    denial_reason = models.CharField(max_length=30, choices=DenialReason.choices, blank=True)
    decision_explanation = models.TextField(blank=True, help_text="The reason in plain language.")
    alternative_services = models.TextField(blank=True, help_text="Other services the member is referred to.")
    discretionary_justification = models.TextField(blank=True)
    withdrawal_reason = models.CharField(max_length=30, choices=WithdrawalReason.choices, blank=True)
    services_due_by = models.DateTimeField(
        null=True, blank=True, help_text="After a denial overturned on appeal: 72 hours (42 CFR 438.424)."
    )

    # Presumptive and transition authorizations (DOMAIN 5.1, 3.5).
    presumptive_until = models.DateField(null=True, blank=True)
    transition_program = models.CharField(max_length=3, choices=TransitionProgram.choices, blank=True)
    reassessment_due = models.DateField(null=True, blank=True)
    reassessed_on = models.DateField(null=True, blank=True)

    # A Community Support (DOMAIN 9): what is asked and authorized, checked against the limits.
    service_from = models.DateField(null=True, blank=True, help_text="First day of the service period.")
    service_to = models.DateField(null=True, blank=True, help_text="Last day of the service period.")
    quantity = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="In the service's limit unit: hours (respite, a sobering stay), dollars, meals a day.",
    )  # fmt: skip
    # The service's eligibility checklist items the reviewer attested, as the catalogue words them.
    criteria_met = models.JSONField(default=list, blank=True)
    limit_override_reason = models.TextField(blank=True, help_text="Why a limit that allows exceptions is passed.")
    # Sobering centers may be authorized retroactively (DOMAIN 9): the stay began before the request.
    service_began_at = models.DateTimeField(null=True, blank=True)
    # The Community Supports provider the approval placed the member with (DOMAIN 9); ECM's
    # provider is the member's Assignment.
    service_assignment = models.OneToOneField(
        ServiceAssignment, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    # Services and their end (DOMAIN 6).
    services_started_on = models.DateField(null=True, blank=True)
    discontinuation_proposed_reason = models.CharField(max_length=30, choices=DiscontinuationReason.choices, blank=True)
    discontinuation_proposed_by = models.CharField(max_length=10, choices=DiscontinuationProposer.choices, blank=True)
    discontinuation_proposal_note = models.TextField(blank=True)
    discontinuation_reason = models.CharField(max_length=30, choices=DiscontinuationReason.choices, blank=True)
    # A Community Support's own criterion (FAQ 39): a code of its catalogue discontinuation_criteria.
    discontinuation_criterion = models.CharField(max_length=60, blank=True)
    discontinuation_effective_on = models.DateField(null=True, blank=True)
    needs_lower_level_of_care = models.BooleanField(
        default=False, help_text="Discontinued: transition the member to a lower level of care (DOMAIN 6)."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "status", "due_at"]),
            # Every request by due instant, and the open ones (the worklist), keyset-paged (issue 15).
            models.Index(fields=["plan", "due_sort", "id"], name="authreq_plan_due_sort"),
            models.Index(
                fields=["plan", "due_sort", "id"],
                name="authreq_open_plan_due_sort",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["plan", "member"]),
            models.Index(fields=["plan", "reassessment_due"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "transition_program"],
                condition=~models.Q(transition_program=""),
                name="one_transition_per_member_and_program",
            )
        ]

    def __str__(self):
        return f"Request {self.pk} ({self.get_status_display()})"

    @property
    def is_expedited(self) -> bool:
        return self.urgency == Urgency.EXPEDITED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def was_requested_by_member_or_provider(self) -> bool:
        return self.source in REQUESTED_BY_MEMBER_OR_PROVIDER

    @property
    def discontinuation_state(self) -> str:
        """Scheduled, or held by an appeal under aid paid pending (DOMAIN 5.2, 5.3); "" when no
        discontinuation waits."""
        if self.status != Status.ACTIVE or self.discontinuation_effective_on is None:
            return ""
        held = self.appeals.filter(continues_services=True, resolved_at__isnull=True).exists()
        return DiscontinuationState.PENDING_APPEAL if held else DiscontinuationState.SCHEDULED

    # --- DOMAIN 5.2: the transitions, and only these --------------------------------------------
    # Guards that need the database (eligibility, assignments, appeals) are checked by the
    # services before they call a transition; `permission` names the capability it needs.

    @transition(
        field=status,
        source=Status.RECEIVED,
        target=Status.IN_REVIEW,
        permission=transition_permission(Capability.AUTHORIZATIONS_REVIEW),
    )
    def start_review(self):
        pass

    @transition(
        field=status,
        source=[Status.RECEIVED, Status.IN_REVIEW],
        target=Status.DEFERRED,
        permission=transition_permission(Capability.AUTHORIZATIONS_EXTEND),
        conditions=[lambda request: request.extension_days is None],
    )
    def extend(self):
        pass

    @transition(
        field=status,
        source=Status.DEFERRED,
        target=Status.IN_REVIEW,
        permission=transition_permission(Capability.AUTHORIZATIONS_REVIEW),
    )
    def resume(self):
        pass

    @transition(
        field=status,
        source=DECIDABLE_STATUSES,
        target=Status.APPROVED,
        permission=transition_permission(Capability.AUTHORIZATIONS_APPROVE),
    )
    def approve(self):
        pass

    @transition(
        field=status,
        source=DECIDABLE_STATUSES,
        target=Status.DENIED,
        permission=transition_permission(Capability.AUTHORIZATIONS_DENY),
    )
    def deny(self):
        pass

    @transition(
        field=status,
        source=[Status.RECEIVED, Status.IN_REVIEW, Status.DEFERRED, Status.PRESUMPTIVE, Status.APPROVED],
        target=Status.WITHDRAWN,
        # Presumptive services: coordinators, or the presumptive provider's staff (DOMAIN 5.2).
        permission=lambda request, actor: (
            _may_withdraw(request, actor)
            or (request.status == Status.PRESUMPTIVE and _may_withdraw_presumptive(request, actor))
        ),
    )
    def withdraw(self):
        pass

    @transition(
        field=status,
        source=Status.DENIED,
        target=Status.APPROVED,
        permission=transition_permission(Capability.AUTHORIZATIONS_OVERTURN),
    )
    def overturn(self):
        pass

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.ACTIVE,
        permission=transition_permission(Capability.AUTHORIZATIONS_START_SERVICES),
    )
    def start_services(self):
        pass

    # A reviewer decides a discontinuation (services.discontinuation); this transition is the
    # job's, on the effective date.
    @transition(
        field=status,
        source=Status.ACTIVE,
        target=Status.DISCONTINUED,
        permission=transition_permission(Capability.DISCONTINUATIONS_TAKE_EFFECT),
        conditions=[lambda request: request.discontinuation_effective_on is not None],
    )
    def discontinue(self):
        pass

    @transition(
        field=status,
        source=Status.DISCONTINUED,
        target=Status.ACTIVE,
        permission=transition_permission(Capability.AUTHORIZATIONS_OVERTURN),
    )
    def reinstate(self):
        pass

    @transition(
        field=status,
        source=ENDABLE_STATUSES,
        target=Status.ENDED,
        permission=transition_permission(Capability.AUTHORIZATIONS_END),
    )
    def end(self):
        pass


class RequestAttachment(models.Model):
    """A document sent with a request (a referral form, an assessment)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    def __str__(self):
        return self.name


class AuthorizationSettings(models.Model):
    """The plan's authorization policy settings."""

    plan = models.OneToOneField(HealthPlan, on_delete=models.CASCADE, related_name="+")
    presumptive_period_days = models.PositiveSmallIntegerField(
        default=30, help_text="How long a presumptive authorization lasts until the plan decides (DOMAIN 5.1)."
    )
    objects = ScopedManager(plan="plan")

    class Meta:
        verbose_name_plural = "authorization settings"

    def __str__(self):
        return f"{self.plan}: presumptive {self.presumptive_period_days} days"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"
    PARTIALLY_OVERTURNED = "partially_overturned", "Partially overturned"


def case_is_resolved() -> models.ExpressionWrapper:
    """The "open first" key of the appeal and grievance lists, as their index holds it."""
    return models.ExpressionWrapper(models.Q(resolved_at__isnull=False), output_field=models.BooleanField())


def open_first_index(name: str) -> models.Index:
    """Serves the lists' order (open first, then by resolution due, then id) within the plan."""
    return models.Index(models.F("plan"), case_is_resolved(), models.F("resolution_due"), models.F("id"), name=name)


class ClockedCase(models.Model):
    """An appeal or a grievance: received, acknowledged and resolved against the DOMAIN 5.4 clocks."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    acknowledgement_due = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        abstract = True


class Appeal(ClockedCase):
    """The member's appeal of a Notice of Action (DOMAIN 5.4)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="appeals")
    request = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="appeals")
    is_expedited = models.BooleanField(default=False)
    reason = models.TextField()
    continues_services = models.BooleanField(
        default=False, help_text="Aid paid pending: services continue while the appeal is pending (42 CFR 438.420)."
    )
    outcome = models.CharField(max_length=30, choices=AppealOutcome.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["plan", "resolved_at", "resolution_due"]),
            open_first_index("appeal_open_first"),
        ]

    def __str__(self):
        return f"Appeal {self.pk} of notice {self.notice_id}"


class GrievanceOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    UNRESOLVED = "unresolved", "Unresolved"


class Grievance(ClockedCase):
    """Any expression of dissatisfaction, at any time (DOMAIN 5.4)."""

    request = models.ForeignKey(
        AuthorizationRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances"
    )
    is_urgent = models.BooleanField(default=False)
    description = models.TextField()
    outcome = models.CharField(max_length=20, choices=GrievanceOutcome.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["plan", "resolved_at", "resolution_due"]),
            open_first_index("grievance_open_first"),
        ]

    def __str__(self):
        return f"Grievance {self.pk}"
