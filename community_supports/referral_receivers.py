"""A decision on a request reaches the referral around it (DOMAIN 9): authorizations sends
`request_decided` (it may not import the apps above it); this receiver calls this app's services
explicitly, in the decision's transaction, as the system principal of the loop.

- An approval (or an overturned denial) is told to the requester by its DOMAIN 5.3 notice: when
  that notice reached the referring entity, the referral records it as its own "authorized" notice.
- A denial closes the open referral "not authorized" with the denial's reason; the referring entity
  is told once: by the 5.3 denial notice when it reached them, else by the referral's own notice.
- A withdrawal before services began closes it with the member's reason (declined, unreachable),
  a discontinuation with its reason (DOMAIN 6's four for ECM, the service's criterion for a
  Community Support) and its effective date, and a member who left the plan closes it "member left
  the plan".
"""

from authorizations.models import DenialReason, DiscontinuationReason, WithdrawalReason
from authorizations.rules import Action
from authorizations.services.notices import discontinuation_criterion_of
from community_supports.referral_models import OPEN_REFERRAL_STATUSES, ClosureReason, NoticeEvent, Referral
from community_supports.referral_notices import notify_referrer
from community_supports.referral_services import referral_close_by_decision
from ecm_platform.tenancy.access import Capability, Principal

JOB_NAME = "closed-loop referrals"
AUTHORIZING = frozenset({Action.APPROVE, Action.OVERTURN, Action.REINSTATE})
WITHDRAWING = frozenset({Action.WITHDRAW, Action.STOP_PRESUMPTIVE})
CLOSURE_OF_WITHDRAWAL = {
    WithdrawalReason.MEMBER_DECLINED: ClosureReason.MEMBER_DECLINED,
    WithdrawalReason.MEMBER_UNREACHABLE: ClosureReason.UNABLE_TO_REACH,
}


CLOSURE_OF_DISCONTINUATION = {
    DiscontinuationReason.GOALS_MET: ClosureReason.SERVICES_RECEIVED,
    DiscontinuationReason.LOWER_LEVEL_OF_CARE: ClosureReason.SERVICES_RECEIVED,
    DiscontinuationReason.NOT_ENGAGED: ClosureReason.MEMBER_DECLINED,
    DiscontinuationReason.UNABLE_TO_CONNECT: ClosureReason.UNABLE_TO_REACH,
}


def _discontinued(request) -> tuple[ClosureReason, str]:
    if request.discontinuation_reason:
        reason = DiscontinuationReason(request.discontinuation_reason)
        closure, why = CLOSURE_OF_DISCONTINUATION[reason], reason.label
    else:
        criterion = discontinuation_criterion_of(request.service, request.discontinuation_criterion)
        closure, why = ClosureReason.OTHER, criterion["en"] if criterion else request.discontinuation_criterion
    return closure, f"Services discontinued from {request.discontinuation_effective_on:%Y-%m-%d}: {why}"


def _closure(request, action) -> tuple[ClosureReason, str] | None:
    """How the decision closes the loop, with the detail the referring entity reads; None: it stays open."""
    if action == Action.DENY:
        reason = DenialReason(request.denial_reason).label if request.denial_reason else "Denied"
        detail = f"{reason}: {request.decision_explanation}" if request.decision_explanation else reason
        return ClosureReason.NOT_AUTHORIZED, detail
    if action in WITHDRAWING:
        withdrawal = WithdrawalReason(request.withdrawal_reason)
        return CLOSURE_OF_WITHDRAWAL.get(withdrawal, ClosureReason.OTHER), f"Request withdrawn: {withdrawal.label}"
    if action == Action.DISCONTINUE:
        return _discontinued(request)
    if action == Action.END:
        return ClosureReason.MEMBER_LEFT_PLAN, "The member is no longer enrolled in the plan."
    return None


def on_request_decided(sender, *, plan, request, action, requester_notice, **kwargs) -> None:
    referrals = list(
        Referral.objects.filter(plan=plan, request=request, status__in=OPEN_REFERRAL_STATUSES).select_related(
            "member", "service", "organization", "referrer_user"
        )
    )
    if not referrals:
        return
    loop = Principal.system(JOB_NAME, Capability.REFERRALS_MANAGE, plan=plan)
    closure = _closure(request, action)
    for referral in referrals:
        if action in AUTHORIZING and requester_notice is not None:
            notify_referrer(plan=plan, referral=referral, event=NoticeEvent.AUTHORIZED, told=requester_notice)
        elif closure is not None:
            reason, detail = closure
            referral_close_by_decision(
                plan=plan, actor=loop, referral=referral, reason=reason, detail=detail, told=requester_notice
            )
