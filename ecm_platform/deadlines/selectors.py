from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from ecm_platform.deadlines.models import AT_RISK_WINDOW, LIVE_STATES, Deadline, DeadlineState
from ecm_platform.deadlines.services import is_at_risk
from ecm_platform.tenancy.models import HealthPlan


def deadline_list(*, plan: HealthPlan, states=LIVE_STATES) -> QuerySet[Deadline]:
    return Deadline.objects.filter(plan=plan, state__in=states).select_related("member")


def deadlines_owned_by(*, plan: HealthPlan, principal, states=LIVE_STATES) -> QuerySet[Deadline]:
    """The clocks this principal's role must act on: the "deadlines" page of each role."""
    return deadline_list(plan=plan, states=states).filter(owner__in=[str(c) for c in principal.capabilities])


def deadlines_of_member(*, plan: HealthPlan, member, states=LIVE_STATES) -> QuerySet[Deadline]:
    return deadline_list(plan=plan, states=states).filter(member=member)


def deadlines_of(*, plan: HealthPlan, target: Model, states=LIVE_STATES) -> QuerySet[Deadline]:
    return deadline_list(plan=plan, states=states).filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


def live_state(due_at: datetime, now: datetime) -> DeadlineState:
    """Where a running clock stands at `now`: what pages and the API show, without waiting for the
    monitor's next run (which records the same states for its notifications)."""
    if due_at <= now:
        return DeadlineState.OVERDUE
    return DeadlineState.AT_RISK if is_at_risk(due_at, now) else DeadlineState.OPEN


def with_live_states(rows, now: datetime) -> list[Deadline]:
    """The deadlines, each with its `live_state` at `now` (for its badge or its API state)."""
    rows = list(rows)
    for row in rows:
        row.live_state = live_state(row.due_at, now)
    return rows


def deadlines_in_state(rows: QuerySet[Deadline], *, state: str, now: datetime) -> QuerySet[Deadline]:
    """`rows` whose `live_state` at `now` is `state` (overdue, at risk or open), as one indexed query."""
    soon = now + AT_RISK_WINDOW
    return {
        DeadlineState.OVERDUE: rows.filter(due_at__lte=now),
        DeadlineState.AT_RISK: rows.filter(due_at__gt=now, due_at__lte=soon),
        DeadlineState.OPEN: rows.filter(due_at__gt=soon),
    }[DeadlineState(state)]


def deadlines_needing_action(*, plan: HealthPlan, principal, now: datetime) -> QuerySet[Deadline]:
    """The principal's clocks at risk or overdue: counted beside "Deadlines"."""
    return deadlines_owned_by(plan=plan, principal=principal).filter(due_at__lte=now + AT_RISK_WINDOW)
