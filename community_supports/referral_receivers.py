"""A decision on a request reaches the referral around it (DOMAIN 9): authorizations sends
`request_decided` (it may not import the apps above it); this receiver calls this app's services
explicitly, in the decision's transaction, as the system principal of the loop.

- An approval (or an overturned denial) is told to the requester by its DOMAIN 5.3 notice: when
  that notice reached the referring entity, the referral records it as its own "authorized" notice.
- A denial closes the open referral "not authorized" with the denial's reason; the referring entity
  is told once: by the 5.3 denial notice when it reached them, else by the referral's own notice.
"""

from authorizations.models import DenialReason
from authorizations.rules import Action
from community_supports.referral_models import OPEN_REFERRAL_STATUSES, NoticeEvent, Referral
from community_supports.referral_notices import notify_referrer
from community_supports.referral_services import referral_close_not_authorized
from ecm_platform.tenancy.access import Capability, Principal

JOB_NAME = "closed-loop referrals"
AUTHORIZING = frozenset({Action.APPROVE, Action.OVERTURN, Action.REINSTATE})


def on_request_decided(sender, *, plan, request, action, requester_notice, **kwargs) -> None:
    referrals = list(
        Referral.objects.filter(plan=plan, request=request, status__in=OPEN_REFERRAL_STATUSES).select_related(
            "member", "service", "organization", "referrer_user"
        )
    )
    if not referrals:
        return
    loop = Principal.system(JOB_NAME, Capability.REFERRALS_MANAGE, plan=plan)
    for referral in referrals:
        if action in AUTHORIZING and requester_notice is not None:
            notify_referrer(plan=plan, referral=referral, event=NoticeEvent.AUTHORIZED, told=requester_notice)
        elif action == Action.DENY:
            reason = DenialReason(request.denial_reason).label if request.denial_reason else "Denied"
            detail = f"{reason}: {request.decision_explanation}" if request.decision_explanation else reason
            referral_close_not_authorized(
                plan=plan, actor=loop, referral=referral, detail=detail, told=requester_notice
            )
