"""The awaiting-assignment worklist: an authorized member no provider could take (DOMAIN 7)."""

from django.urls import reverse

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.selectors import deadlines_of_member
from ecm_platform.deadlines.services import deadline_meet
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, holders
from ecm_platform.tenancy.models import Membership
from providers.models import (
    Assignment,
    AwaitingAssignment,
)
from providers.services.follow_up import lead_care_manager_due


def _notify_assigners(*, plan, text: str) -> int:
    """Reviewers and coordinators (whoever may assign) hear of a member left without a provider."""
    memberships = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.ASSIGNMENTS_CREATE), is_active=True
    ).select_related("user")
    for membership in memberships:
        notification_send(plan=plan, recipient=membership.user, text=text, link=reverse("awaiting-list"))
    return len(memberships)


def _await_assignment(
    *, plan, actor, member, authorized_on, cause, detail, preferred_organization=None, services_running=False
) -> AwaitingAssignment:
    """Put the member on the awaiting-assignment worklist (once) and tell who may assign them; a
    member already waiting keeps their place and the latest reason no provider could take them.
    `services_running`: their services already run (reinstated, or their contract ended), so the
    assignment, once made, resumes them (DOMAIN 5.2)."""
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
            "services_running": services_running,
        },
    )
    if not created and (waiting.detail, waiting.services_running) != (detail[:300], services_running):
        waiting.detail, waiting.services_running = detail[:300], waiting.services_running or services_running
        waiting.save(update_fields=["detail", "services_running"])
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


def awaiting_resolve(*, plan, waiting: AwaitingAssignment, assignment: Assignment) -> None:
    """The member waited for `assignment`. Where services already ran, it owes a Lead Care Manager
    in 10 business days, and services resume with it: the clock of services due after a reversal
    on appeal is met (DOMAIN 5.2)."""
    waiting.resolved_at, waiting.assignment = clocks.now(), assignment
    waiting.save(update_fields=["resolved_at", "assignment"])
    if not waiting.services_running:
        return
    if assignment.lead_care_manager_id is None:
        lead_care_manager_due(plan=plan, assignment=assignment)
    reversal = deadlines_of_member(plan=plan, member=waiting.member).filter(kind=DeadlineKind.SERVICES_AFTER_REVERSAL)
    for deadline in reversal.select_related("target_type"):
        target = deadline.target_type.get_object_for_this_type(pk=deadline.target_id)
        deadline_meet(plan=plan, kind=DeadlineKind.SERVICES_AFTER_REVERSAL, target=target)
