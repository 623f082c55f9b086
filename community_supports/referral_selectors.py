"""Reads of closed-loop referrals (DOMAIN 9): the plan's referrals, the stalled ones, one with its
history and notices, and the provider axis (those sent to the organization, in the plans that
contract with it). Provider staff read only their organization's: another's is missing (404).
"""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from community_supports.referral_models import OPEN_REFERRAL_STATUSES, Referral, ReferralSettings, ReferralStatus
from ecm_platform import clocks
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan


def referral_settings_of(*, plan: HealthPlan) -> ReferralSettings:
    """The plan's stalled-referral clocks; the defaults (not saved) when it has none yet."""
    return ReferralSettings.objects.filter(plan=plan).first() or ReferralSettings(plan=plan)


def _with_parties(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related("member", "service", "organization", "request__service_assignment__organization")


def stalled_on(at: datetime) -> Q:
    """Past either clock (DOMAIN 9): no provider answer by its due instant, or not closed by its."""
    return Q(status=ReferralStatus.SENT, response_due_at__lt=at) | Q(
        status__in=OPEN_REFERRAL_STATUSES, closure_due_at__lt=at
    )


def referral_list(*, plan: HealthPlan, principal: Principal) -> QuerySet[Referral]:
    """The plan's referrals the principal may read: all for plan staff, those sent to its own
    organization for provider staff."""
    principal = require(principal, Capability.REFERRALS_READ, plan=plan)
    referrals = _with_parties(Referral.objects.filter(plan=plan))
    return referrals.filter(organization_id=principal.organization_id) if principal.is_provider else referrals


def referrals_stalled(*, plan: HealthPlan, principal: Principal, at: datetime | None = None) -> QuerySet[Referral]:
    return referral_list(plan=plan, principal=principal).filter(stalled_on(at or clocks.now()))


def referral_get(*, plan: HealthPlan, principal: Principal, pk) -> Referral:
    referral = referral_list(plan=plan, principal=principal).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    return referral


def referral_history(referral: Referral):
    """Its events and its notices, oldest first (two queries)."""
    events = list(referral.events.select_related("actor"))
    notices = list(referral.notices.select_related("requester_notice"))
    return events, notices


def provider_referrals(*, principal: Principal, plan_code: str | None = None) -> QuerySet[Referral]:
    """The referrals sent to the organization in the plans contracting with it (optionally one's)."""
    require(principal, Capability.REFERRALS_READ, plan=None, organization=principal.organization_id)
    referrals = _with_parties(
        Referral.objects.filter(plan_id__in=principal.plan_ids, organization_id=principal.organization_id)
    ).select_related("plan")
    return referrals.filter(plan__code=plan_code) if plan_code else referrals


def provider_referral_get(*, principal: Principal, pk) -> Referral:
    referral = provider_referrals(principal=principal).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral among your organization's.")
    return referral
