"""Reads of outreach (DOMAIN 8) for pages, the API and the services.

Every read checks OUTREACH_READ first. Plan staff see the plan's engagements; provider staff see
only their organization's (the second tenancy axis): an engagement of another organization, or one
the plan's own staff run, is missing for them (404), as is another plan's.
"""

from datetime import timedelta
from math import ceil

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from outreach import rules
from outreach.models import Attempt, Engagement, EngagementState, OutreachSettings

WORKLIST_FILTERS = ("kind", "organization", "county", "overdue")


def outreach_settings_of(*, plan: HealthPlan) -> OutreachSettings:
    """The plan's outreach policy; the defaults (not saved) when it has none yet."""
    return OutreachSettings.objects.filter(plan=plan).first() or OutreachSettings(plan=plan)


def attempt_policy_of(settings: OutreachSettings) -> rules.AttemptPolicy:
    return rules.AttemptPolicy(
        attempts=settings.unreachable_attempts, days=settings.unreachable_days, methods=settings.unreachable_methods
    )


def attempt_interval(settings: OutreachSettings) -> timedelta:
    """How long after a counting attempt the next one is due: the policy's attempts spread over its
    days, so that outreach kept on this cadence meets the attempt policy (at least a day)."""
    gaps = max(settings.unreachable_attempts - 1, 1)
    return timedelta(days=max(ceil(settings.unreachable_days / gaps), 1))


def _visible(queryset: QuerySet, *, plan: HealthPlan, principal) -> QuerySet:
    principal = require(principal, Capability.OUTREACH_READ, plan=plan)
    queryset = queryset.filter(plan=plan)
    if principal.is_provider:
        queryset = queryset.filter(organization_id=principal.organization_id)
    return queryset


def engagement_list(*, plan: HealthPlan, principal) -> QuerySet[Engagement]:
    """Every engagement the principal may see, in every state, newest targeting first."""
    return (
        _visible(Engagement.objects.all(), plan=plan, principal=principal)
        .select_related("member", "organization", "county")
        .order_by("-targeted_on", "-id")
    )


def engagement_get(*, plan: HealthPlan, principal, pk) -> Engagement:
    """One engagement, or Engagement.DoesNotExist when it is missing or not the principal's to see."""
    return _visible(Engagement.objects.all(), plan=plan, principal=principal).select_related(
        "member", "organization", "county", "request", "assignment"
    ).get(pk=pk)  # fmt: skip


def _with_progress(queryset: QuerySet, settings: OutreachSettings) -> QuerySet:
    """attempts_made, counting_attempts, last_attempt_at and next_attempt_due: the first attempt's
    due instant until a counting attempt is made, then the last counting one plus the interval."""
    last_counting = Max("attempts__attempted_at", filter=Q(attempts__counts=True))
    return queryset.annotate(
        attempts_made=Count("attempts"),
        counting_attempts=Count("attempts", filter=Q(attempts__counts=True)),
        last_attempt_at=Max("attempts__attempted_at"),
        next_attempt_due=Coalesce(
            ExpressionWrapper(last_counting + Value(attempt_interval(settings)), output_field=DateTimeField()),
            F("first_attempt_due"),
            output_field=DateTimeField(),
        ),
    )


def worklist(*, plan: HealthPlan, principal, filters: dict | None = None) -> QuerySet[Engagement]:
    """Open engagements with their progress, the most overdue first (next_attempt_due, id).
    Filters: kind, organization (id), county (code), overdue ("1": next attempt past due)."""
    filters = filters or {}
    queryset = _visible(Engagement.objects.all(), plan=plan, principal=principal).filter(state=EngagementState.OPEN)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("organization"):
        queryset = queryset.filter(organization_id=filters["organization"])
    if filters.get("county"):
        queryset = queryset.filter(county__code=filters["county"])
    queryset = _with_progress(queryset, outreach_settings_of(plan=plan))
    if filters.get("overdue") == "1":
        queryset = queryset.filter(next_attempt_due__lt=clocks.now())
    return queryset.select_related("member", "organization", "county").order_by("next_attempt_due", "id")


def attempt_facts(attempts) -> list[rules.AttemptFacts]:
    return [
        rules.AttemptFacts(
            day=clocks.local_date(attempt.attempted_at),
            method=attempt.method,
            counts=attempt.counts,
            successful=attempt.successful,
        )
        for attempt in attempts
    ]


def engagement_policy_status(*, plan: HealthPlan, engagement: Engagement) -> rules.PolicyStatus:
    """Has outreach met the plan's attempt policy, so that the member may be closed out as unable
    to reach (DOMAIN 8)? The caller has already looked the engagement up for its principal."""
    attempts = Attempt.objects.filter(plan=plan, engagement=engagement).only(
        "attempted_at", "method", "counts", "successful"
    )
    policy = attempt_policy_of(outreach_settings_of(plan=plan))
    return rules.unreachable_status(attempt_facts(attempts), policy)


def member_outreach(*, plan: HealthPlan, principal, member) -> list[Engagement]:
    """The member's engagements the principal may see, newest first, each with its attempts."""
    attempts = Attempt.objects.filter(plan=plan).select_related("staff").order_by("-attempted_at", "-id")
    return list(
        engagement_list(plan=plan, principal=principal)
        .filter(member=member)
        .prefetch_related(Prefetch("attempts", queryset=attempts))
    )


def attempt_list(*, plan: HealthPlan, principal) -> QuerySet[Attempt]:
    """Every attempt the principal may see (provider staff: their organization's engagements),
    newest first."""
    principal = require(principal, Capability.OUTREACH_READ, plan=plan)
    queryset = Attempt.objects.filter(plan=plan)
    if principal.is_provider:
        queryset = queryset.filter(engagement__organization_id=principal.organization_id)
    return queryset.select_related("engagement", "member", "staff", "organization").order_by("-attempted_at", "-id")


# The provider API's reads: the organization's outreach across its contracting plans.
def provider_engagements(*, principal: Principal, plan_code: str | None = None) -> QuerySet[Engagement]:
    """The organization's engagements in the plans contracting with it today (optionally one plan's)."""
    require(principal, Capability.OUTREACH_READ, plan=None, organization=principal.organization_id)
    engagements = Engagement.objects.filter(
        plan_id__in=principal.plan_ids, organization_id=principal.organization_id
    ).select_related("plan", "member", "county", "closed_by")
    return engagements.filter(plan__code=plan_code) if plan_code else engagements


def provider_attempts(*, principal: Principal, plan_code: str | None = None) -> QuerySet[Attempt]:
    """The attempts on the organization's engagements in those plans."""
    require(principal, Capability.OUTREACH_READ, plan=None, organization=principal.organization_id)
    attempts = Attempt.objects.filter(
        plan_id__in=principal.plan_ids, engagement__organization_id=principal.organization_id
    ).select_related("plan", "member", "staff", "recorded_by")
    return attempts.filter(plan__code=plan_code) if plan_code else attempts
