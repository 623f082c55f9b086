"""What the authorization use cases share: telling the reviewers."""

from authorizations.models import AuthorizationRequest
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, holders
from ecm_platform.tenancy.models import HealthPlan, Membership


def _notify_reviewers(*, plan: HealthPlan, text: str, request: AuthorizationRequest) -> int:
    reviewers = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.AUTHORIZATIONS_APPROVE), is_active=True
    ).select_related("user")
    for membership in reviewers:
        notification_send(
            plan=plan, recipient=membership.user, text=text, link=f"/authorizations/{request.pk}/", email=True
        )
    return len(reviewers)
