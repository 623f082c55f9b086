"""What the authorization use cases share: telling the reviewers, and giving a member a provider."""

from datetime import date

from authorizations.models import AuthorizationRequest
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, Principal, holders, principal_for
from ecm_platform.tenancy.models import HealthPlan, Membership
from providers.models import Assignment, ProviderOrganization
from providers.services import assignment_request


def _notify_reviewers(*, plan: HealthPlan, text: str, request: AuthorizationRequest) -> int:
    reviewers = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.AUTHORIZATIONS_APPROVE), is_active=True
    ).select_related("user")
    for membership in reviewers:
        notification_send(
            plan=plan, recipient=membership.user, text=text, link=f"/authorizations/{request.pk}/", email=True
        )
    return len(reviewers)


def _acting_as(actor, plan: HealthPlan, name: str, capability: Capability):
    """The actor, when it holds `capability`; else a system principal holding only it. For a step
    the action entails (a presumptive start assigns its provider, a withdrawal ends the assignment),
    which the actor's role may not take on its own."""
    principal = principal_for(actor, plan)
    if principal is not None and principal.may(capability, plan=plan):
        return actor
    return Principal.system(name, capability, plan=plan)


def _assign(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    on: date,
    organization: ProviderOrganization | None = None,
    preferred_organization: ProviderOrganization | None = None,
    reason: str = "",
    services_running: bool = False,
) -> Assignment | None:
    """The member's ECM Provider on every path into services (DOMAIN 5.2, 7): the current one, the
    provider the path names, or one by the DOMAIN 7 order; None puts the member on the
    awaiting-assignment worklist (the approval stands: the decision clock is the law)."""
    return assignment_request(
        plan=plan,
        actor=_acting_as(actor, plan, "assignment", Capability.ASSIGNMENTS_CREATE),
        member=request.member,
        authorized_on=on,
        organization=organization,
        preferred_organization=preferred_organization,
        reason=reason,
        services_running=services_running,
    )
