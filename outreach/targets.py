"""Who is targeted for outreach (DOMAIN 8), kept in step set-based by a job every 10 minutes.

- Approved and assigned: an ECM request APPROVED (services not started) whose member has a current
  assignment: the ECM Provider reaches out, from the later of the approval day and the assignment's
  start.
- Identified by the plan: enrolled today, an open POF determination and no live request (presumptive and
  transition members have live requests and are not targeted), unless an engagement of the member
  was closed out or enrolled since their latest open determination began (a close-out stays closed).

An open engagement no longer targeted ends: ENROLLED when its request's services started (on the
request page), else ENDED with why. A reassignment ends the old provider's and opens the new one's.
Each run reads the targets and the open engagements in a few queries and writes with UPDATE and
bulk INSERT, a chunk at a time; a rerun with nothing changed writes nothing.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max

from authorizations.models import LIVE_STATUSES, AuthorizationRequest, RequestSource, Status
from benefits.models import ECM_CODE
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_event
from ecm_platform.deadlines.models import LIVE_STATES, Deadline, DeadlineKind, DeadlineState
from ecm_platform.deadlines.services import deadline_new
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from eligibility.selectors import determination_list
from members.models import EnrollmentSpan, Member
from members.selectors import active_on
from outreach.attempts import record_capability
from outreach.closeout import plan_link, provider_link
from outreach.models import Engagement, EngagementState, TargetKind
from outreach.selectors import outreach_settings_of
from providers.models import Assignment

BATCH = 2000
SYNC_NAME = "outreach-targets"

ENDED_WHY = {
    Status.WITHDRAWN: "The request was withdrawn.",
    Status.DENIED: "The request was denied.",
    Status.ENDED: "The member left the plan.",
    Status.DISCONTINUED: "ECM was discontinued.",
}


def _assigned_targets(plan: HealthPlan) -> dict[int, tuple]:
    """member -> (kind, organization, assignment, request, targeted_on)."""
    # Presumptive and transition members are in services already (DOMAIN 8): a close-out would
    # withdraw services in place without a notice (5.3).
    approved = AuthorizationRequest.objects.filter(plan=plan, status=Status.APPROVED, service__code=ECM_CODE).exclude(
        source__in=[RequestSource.PRESUMPTIVE, RequestSource.TRANSITION]
    )
    requests = {member_id: (pk, decided_at) for member_id, pk, decided_at in approved.values_list(
        "member_id", "pk", "decided_at")}  # fmt: skip
    current = Assignment.objects.filter(plan=plan, ended_on__isnull=True, member_id__in=approved.values("member_id"))
    targets = {}
    for member_id, assignment_id, organization_id, started_on in current.values_list(
        "member_id", "pk", "organization_id", "started_on"
    ):
        request_id, decided_at = requests[member_id]
        approved_on = clocks.local_date(decided_at) if decided_at else started_on
        targets[member_id] = (
            TargetKind.ASSIGNED,
            organization_id,
            assignment_id,
            request_id,
            max(approved_on, started_on),
        )
    return targets


def _identified_targets(plan: HealthPlan, today) -> dict[int, tuple]:
    open_determinations = determination_list(plan=plan).filter(active_on(today))
    latest_start = dict(
        open_determinations.values("member_id").annotate(latest=Max("start_date")).values_list("member_id", "latest")
    )
    live = set(
        AuthorizationRequest.objects.filter(plan=plan, status__in=LIVE_STATUSES, service__code=ECM_CODE).values_list(
            "member_id", flat=True
        )
    )
    enrolled = set(
        EnrollmentSpan.objects.filter(
            active_on(today), plan=plan, member_id__in=open_determinations.values("member_id")
        ).values_list("member_id", flat=True)
    )
    last_closed = dict(
        Engagement.objects.filter(
            plan=plan,
            state__in=[EngagementState.ENROLLED, EngagementState.DECLINED, EngagementState.UNREACHABLE],
            member_id__in=open_determinations.values("member_id"),
        )
        .values("member_id")
        .annotate(last=Max("closed_at"))
        .values_list("member_id", "last")
    )
    targets = {}
    for member_id, latest in latest_start.items():
        closed = last_closed.get(member_id)
        if member_id in live or member_id not in enrolled or (closed and clocks.local_date(closed) >= latest):
            continue
        targets[member_id] = (TargetKind.IDENTIFIED, None, None, None, min(latest, today))
    return targets


def _why_ended(engagement: tuple, target: tuple | None, statuses: dict, live: set, left: set) -> tuple[str, str]:
    """(state, close note) for an open engagement that is no longer targeted as it was."""
    _, member_id, kind, _, _, request_id = engagement
    if kind == TargetKind.ASSIGNED:
        status = statuses.get(request_id)
        if status == Status.ACTIVE:
            return EngagementState.ENROLLED, "Services started on the request."
        if status in ENDED_WHY:
            return EngagementState.ENDED, ENDED_WHY[status]
        if target is not None and target[0] == TargetKind.ASSIGNED:
            return EngagementState.ENDED, "The member was assigned to another ECM Provider."
        return EngagementState.ENDED, "The member no longer has this ECM Provider."
    if member_id in live:
        return EngagementState.ENDED, "A request was submitted for the member."
    if member_id in left:
        return EngagementState.ENDED, "The member is no longer enrolled in the plan."
    return EngagementState.ENDED, "The member's Population of Focus determination closed."


def _end(plan: HealthPlan, actor, ending: dict[int, tuple[str, str]]) -> dict[str, int]:
    """Close the engagements `ending` (id -> (state, note)): one UPDATE per outcome."""
    now, by_outcome, counts = clocks.now(), defaultdict(list), defaultdict(int)
    for engagement_id, outcome in ending.items():
        by_outcome[outcome].append(engagement_id)
    for (state, note), ids in by_outcome.items():
        for first in range(0, len(ids), BATCH):
            # Only the rows still open once locked: one a coordinator closed meanwhile is theirs.
            still_open = Engagement.objects.select_for_update().filter(
                plan=plan, pk__in=ids[first : first + BATCH], state=EngagementState.OPEN
            )
            chunk = list(still_open.values_list("pk", flat=True))
            Engagement.objects.filter(plan=plan, pk__in=chunk).update(state=state, closed_at=now, close_note=note)
            Deadline.objects.filter(
                plan=plan, kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT,
                target_type=ContentType.objects.get_for_model(Engagement), target_id__in=chunk, state__in=LIVE_STATES,
            ).update(state=DeadlineState.CANCELLED, closed_at=now)  # fmt: skip
            AuditEvent.objects.bulk_create(
                [
                    audit_event(
                        code=f"outreach.engagement.{state}",
                        plan=plan,
                        actor=actor,
                        target=Engagement(pk=engagement_id),
                        payload={"by": SYNC_NAME, "note": note},
                    )
                    for engagement_id in chunk
                ]
            )
            counts[state] += len(chunk)
    return counts


def _first_attempt_clock(plan: HealthPlan, engagement: Engagement, member: Member) -> Deadline:
    provider = engagement.kind == TargetKind.ASSIGNED
    return deadline_new(
        plan=plan,
        kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT,
        target=engagement,
        member=member.pk,
        due_at=engagement.first_attempt_due,
        owner=record_capability(engagement),
        label=f"First outreach attempt to {member.full_name}",
        organization=engagement.organization_id,
        link=provider_link(engagement) if provider else plan_link(engagement),
    )


def _open(plan: HealthPlan, actor, targets: dict[int, tuple], days: int) -> int:
    """Open an engagement, with its first-attempt clock, for each member of `targets`."""
    now, member_ids = clocks.now(), list(targets)
    with clocks.calendars_held():
        for first in range(0, len(member_ids), BATCH):
            members = Member.objects.filter(plan=plan, pk__in=member_ids[first : first + BATCH]).only(
                "pk", "county_id", "first_name", "last_name"
            )
            members = {member.pk: member for member in members}
            engagements = Engagement.objects.bulk_create(
                [
                    Engagement(
                        plan=plan,
                        member=member,
                        kind=kind,
                        organization_id=organization_id,
                        assignment_id=assignment_id,
                        request_id=request_id,
                        county_id=member.county_id,
                        targeted_on=targeted_on,
                        created_at=now,
                        first_attempt_due=clocks.business_days_after(plan=plan, start=targeted_on, days=days),
                    )
                    for member in members.values()
                    for kind, organization_id, assignment_id, request_id, targeted_on in [targets[member.pk]]
                ]
            )
            Deadline.objects.bulk_create(
                [_first_attempt_clock(plan, engagement, members[engagement.member_id]) for engagement in engagements]
            )
            AuditEvent.objects.bulk_create(
                [
                    audit_event(
                        code="outreach.engagement.opened",
                        plan=plan,
                        actor=actor,
                        target=engagement,
                        payload={
                            "member": engagement.member_id,
                            "kind": engagement.kind,
                            "organization": engagement.organization_id,
                            "request": engagement.request_id,
                        },
                    )
                    for engagement in engagements
                ]
            )
    return len(member_ids)


@transaction.atomic
def targets_sync(*, plan: HealthPlan) -> dict:
    """Open engagements for the members newly targeted, end the ones no longer targeted; returns
    counts. Runs one at a time per plan (the plan's row is locked for the run)."""
    actor = Principal.system(SYNC_NAME, Capability.OUTREACH_TARGETS_SYNC, plan=plan)
    require(actor, Capability.OUTREACH_TARGETS_SYNC, plan=plan)
    HealthPlan.objects.select_for_update().filter(pk=plan.pk).first()
    today = clocks.local_date(clocks.now())
    targets = _identified_targets(plan, today) | _assigned_targets(plan)
    open_rows = list(
        Engagement.objects.filter(plan=plan, state=EngagementState.OPEN).values_list(
            "pk", "member_id", "kind", "organization_id", "assignment_id", "request_id"
        )
    )
    stale = [row for row in open_rows if (target := targets.get(row[1])) is None or target[:4] != row[2:]]
    stale_members = [row[1] for row in stale]
    statuses = dict(
        AuthorizationRequest.objects.filter(pk__in=[row[5] for row in stale if row[5]]).values_list("pk", "status")
    )
    live = set(
        AuthorizationRequest.objects.filter(
            plan=plan, status__in=LIVE_STATUSES, member_id__in=stale_members
        ).values_list("member_id", flat=True)
    )
    left = set(stale_members) - set(
        EnrollmentSpan.objects.filter(active_on(today), plan=plan, member_id__in=stale_members).values_list(
            "member_id", flat=True
        )
    )
    ended = _end(plan, actor, {row[0]: _why_ended(row, targets.get(row[1]), statuses, live, left) for row in stale})
    kept = {row[1] for row in open_rows} - {row[1] for row in stale}
    new = {member_id: target for member_id, target in targets.items() if member_id not in kept}
    opened = _open(plan, actor, new, outreach_settings_of(plan=plan).first_attempt_business_days)
    return {
        "opened": opened,
        "enrolled": ended.get(EngagementState.ENROLLED, 0),
        "ended": ended.get(EngagementState.ENDED, 0),
        "open": len(kept) + opened,
    }
