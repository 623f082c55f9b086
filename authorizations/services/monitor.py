"""The decision-clock monitor (DOMAIN 5.1)."""

from django.db import transaction

from authorizations import rules
from authorizations.models import (
    OPEN_STATUSES,
    AuthorizationRequest,
    ClockCheckRun,
)
from authorizations.services.common import _notify_reviewers
from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan


def clock_check(*, plan: HealthPlan) -> ClockCheckRun:
    """Flag open requests that are at risk (< 24 h left) or overdue and tell the reviewers, once
    each: a request is claimed by a conditional update, so a rerun or a second worker at the same
    time sends nothing twice. The product never decides by itself."""
    now = clocks.now()
    run = ClockCheckRun.objects.create(plan=plan, started_at=now)
    open_requests = AuthorizationRequest.objects.filter(plan=plan, status__in=OPEN_STATUSES, due_at__isnull=False)
    stages = [
        ("overdue_notified_at", open_requests.filter(due_at__lte=now), "is overdue"),
        ("at_risk_notified_at", open_requests.filter(due_at__gt=now, due_at__lte=now + rules.AT_RISK_WINDOW), "is due"),
    ]
    counts = {}
    for stamp, candidates, wording in stages:
        flagged = 0
        for request in candidates.filter(**{f"{stamp}__isnull": True}).select_related("member"):
            with transaction.atomic():
                claimed = AuthorizationRequest.objects.filter(pk=request.pk, **{f"{stamp}__isnull": True}).update(
                    **{stamp: now}
                )
                if not claimed:
                    continue
                flagged += 1
                due = f"{request.due_at.astimezone(clocks.LOCAL_ZONE):%Y-%m-%d %H:%M %Z}"
                run.notifications_sent += _notify_reviewers(
                    plan=plan,
                    text=f"Decision for {request.member.full_name} (request {request.pk}) {wording}: due {due}.",
                    request=request,
                )
        counts[stamp] = flagged
    run.overdue_flagged = counts["overdue_notified_at"]
    run.at_risk_flagged = counts["at_risk_notified_at"]
    run.finished_at = clocks.now()
    run.save(update_fields=["overdue_flagged", "at_risk_flagged", "notifications_sent", "finished_at"])
    return run
