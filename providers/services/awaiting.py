"""The awaiting-assignment worklist: an authorized member no provider could take (DOMAIN 7)."""

from django.urls import reverse

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, holders
from ecm_platform.tenancy.models import Membership
from providers.models import (
    AwaitingAssignment,
)


def _notify_assigners(*, plan, text: str) -> int:
    """Reviewers and coordinators (whoever may assign) hear of a member left without a provider."""
    memberships = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.ASSIGNMENTS_CREATE), is_active=True
    ).select_related("user")
    for membership in memberships:
        notification_send(plan=plan, recipient=membership.user, text=text, link=reverse("awaiting-list"))
    return len(memberships)


def await_assignment(
    *, plan, actor, member, authorized_on, cause, detail, preferred_organization=None
) -> AwaitingAssignment:
    """Put the member on the awaiting-assignment worklist (once) and tell who may assign them; a
    member already waiting keeps their place and the latest reason no provider could take them."""
    waiting, created = AwaitingAssignment.objects.get_or_create(
        plan=plan,
        member=member,
        resolved_at__isnull=True,
        defaults={
            "authorized_on": authorized_on,
            "cause": cause,
            "detail": detail[:300],
            "preferred_organization": preferred_organization,
            "since": clocks.now(),
        },
    )
    if not created and waiting.detail != detail[:300]:
        waiting.detail = detail[:300]
        waiting.save(update_fields=["detail"])
    if created:
        _notify_assigners(
            plan=plan, text=f"{member.full_name} is authorized for ECM and awaits an ECM Provider: {detail}"
        )
        audit_record(
            code="providers.assignment.awaiting",
            plan=plan,
            actor=actor,
            target=waiting,
            payload={"member": member.pk, "cause": cause, "detail": detail},
        )
    return waiting
