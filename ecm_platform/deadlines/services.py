"""Opening, moving and meeting deadlines, and the one monitor (ARCHITECTURE, Deadlines).

The services that own a clock call these inside their own transaction, after their own access
check: a deadline is a fact about the write that made it, not an action of its own.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from ecm_platform import clocks
from ecm_platform.deadlines.models import AT_RISK_WINDOW, LIVE_STATES, Deadline, DeadlineKind, DeadlineState
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, holders
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.ownership import require_same_plan


def is_at_risk(due_at: datetime, now: datetime) -> bool:
    """Less than a day left (DOMAIN 5.1): the one "at risk" every page and the monitor use."""
    return now < due_at <= now + AT_RISK_WINDOW


def _of(plan: HealthPlan, target: Model):
    require_same_plan(plan, target)
    return Deadline.objects.filter(
        plan=plan, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


def deadline_open(
    *,
    plan: HealthPlan,
    kind: DeadlineKind,
    target: Model,
    due_at: datetime,
    owner: Capability,
    label: str,
    link: str = "",
    member=None,
    organization=None,
) -> Deadline:
    """Start `kind`'s clock on `target`, or move the one running (an extension, a restored due
    date): a moved clock is open again, so the monitor tells its owner anew when it nears.
    `organization`: the provider organization whose staff owe it (else the plan's staff)."""
    live = _of(plan, target).filter(kind=kind, state__in=LIVE_STATES).select_for_update().first()
    if live is None:
        deadline = deadline_new(
            plan=plan, kind=kind, target=target, due_at=due_at, owner=owner, label=label, link=link, member=member,
            organization=organization,
        )  # fmt: skip
        deadline.save()
        return deadline
    live.due_at, live.label, live.link, live.owner = due_at, label[:300], link, owner
    live.organization = organization
    live.state = DeadlineState.OPEN
    live.save(update_fields=["due_at", "label", "link", "owner", "organization", "state"])
    return live


def deadline_new(
    *, plan: HealthPlan, kind: DeadlineKind, target: Model, due_at: datetime, owner: Capability, label: str,
    link: str = "", member=None, organization=None,
) -> Deadline:  # fmt: skip
    """`deadline_open`'s new row, not saved yet, for a target that has no clock of `kind` running
    (one just created): set-based imports write many with one bulk_create. `member` and
    `organization` may be given as ids (no row fetched per clock)."""
    return Deadline(
        plan=plan, kind=kind, target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        member_id=getattr(member, "pk", member), organization_id=getattr(organization, "pk", organization),
        label=label[:300], link=link, owner=owner, due_at=due_at, opened_at=clocks.now(),
    )  # fmt: skip


def _close(plan: HealthPlan, target: Model, kinds, state: DeadlineState, at: datetime) -> int:
    live = _of(plan, target).filter(state__in=LIVE_STATES)
    if kinds is not None:
        live = live.filter(kind__in=kinds)
    fields = {"state": state, "closed_at": at}
    if state == DeadlineState.MET:
        fields["met_at"] = at
    return live.update(**fields)


def deadline_meet(*, plan: HealthPlan, kind: DeadlineKind, target: Model, at: datetime | None = None) -> int:
    """The thing due was done (`at`, default now); a clock that is not running is left alone."""
    return _close(plan, target, [kind], DeadlineState.MET, at or clocks.now())


def deadline_cancel(*, plan: HealthPlan, target: Model, kinds: list[DeadlineKind] | None = None) -> int:
    """The clocks of `target` (all, or `kinds`) no longer run: what they waited for will not be due
    (a withdrawn request, a member who left the plan)."""
    return _close(plan, target, kinds, DeadlineState.CANCELLED, clocks.now())


def _owners(plan: HealthPlan, deadline: Deadline) -> list:
    """Who holds the owner capability: the plan's staff, or, for a clock a provider organization
    owes, that organization's active staff (through the user's provider membership: the core does
    not import the providers app)."""
    roles = holders(Capability(deadline.owner))
    if deadline.organization_id is not None:
        return list(
            get_user_model().objects.filter(
                is_active=True, provider_membership__organization_id=deadline.organization_id,
                provider_membership__is_active=True, provider_membership__role__in=roles,
            )
        )  # fmt: skip
    return [
        membership.user
        for membership in Membership.objects.filter(plan=plan, role__in=roles, is_active=True).select_related("user")
    ]


def _notify_owner(plan: HealthPlan, deadline: Deadline, wording: str) -> int:
    recipients = _owners(plan, deadline)
    due = f"{deadline.due_at.astimezone(clocks.LOCAL_ZONE):%Y-%m-%d %H:%M %Z}"
    for user in recipients:
        notification_send(
            plan=plan, recipient=user, text=f"{deadline.label} {wording}: due {due}.",
            link=deadline.link or "/deadlines/", email=True,
        )  # fmt: skip
    return len(recipients)


def deadline_monitor(*, plan: HealthPlan) -> dict:
    """Move the plan's running clocks to at risk or overdue and tell their owners, once per state:
    each row is claimed by a conditional update, so a rerun, or a second worker at the same time,
    sends nothing twice. The product never acts on a clock by itself (DOMAIN 5.1)."""
    now = clocks.now()
    live = Deadline.objects.filter(plan=plan)
    stages = [
        (DeadlineState.OVERDUE, live.filter(state__in=[DeadlineState.OPEN, DeadlineState.AT_RISK], due_at__lte=now),
         "is overdue"),
        (DeadlineState.AT_RISK, live.filter(state=DeadlineState.OPEN, due_at__gt=now, due_at__lte=now + AT_RISK_WINDOW),
         "is due soon"),
    ]  # fmt: skip
    counts = {"overdue": 0, "at_risk": 0, "notifications": 0}
    for state, candidates, wording in stages:
        for deadline in candidates.order_by("due_at", "pk"):
            with transaction.atomic():
                claimed = Deadline.objects.filter(pk=deadline.pk, state=deadline.state).update(state=state)
                if not claimed:
                    continue
                counts[state.value] += 1
                counts["notifications"] += _notify_owner(plan, deadline, wording)
    return counts
