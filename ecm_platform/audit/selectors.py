"""Searching the audit trail and the PHI access log (plan administrators)."""

from datetime import date, timedelta

from django.db.models import QuerySet

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess
from ecm_platform.tenancy.models import HealthPlan


def _in_date_range(rows: QuerySet, first: date | None, last: date | None) -> QuerySet:
    if first:
        rows = rows.filter(at__gte=clocks.start_of_day(first))
    if last:
        rows = rows.filter(at__lt=clocks.start_of_day(last + timedelta(days=1)))
    return rows


def audit_event_search(
    *,
    plan: HealthPlan,
    username: str = "",
    code: str = "",
    target_type: str = "",
    target_id: str = "",
    first: date | None = None,
    last: date | None = None,
) -> QuerySet[AuditEvent]:
    """`target_type` is a model label (`members.member`); `target_id` the object's primary key.
    Either narrows the search alone: an id without a type matches that id in every type."""
    events = AuditEvent.objects.filter(plan=plan)
    if username:
        events = events.filter(actor_label=username)
    if code:
        events = events.filter(code__startswith=code)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    return _in_date_range(events, first, last).order_by("-id")


def phi_access_search(
    *,
    plan: HealthPlan,
    username: str = "",
    member: str = "",
    first: date | None = None,
    last: date | None = None,
) -> QuerySet[PhiAccess]:
    accesses = PhiAccess.objects.filter(plan=plan).select_related("user")
    if username:
        accesses = accesses.filter(user__username=username)
    if member:
        accesses = (
            accesses.filter(member_id=int(member)) if member.isdigit() else accesses.filter(member_label__iexact=member)
        )
    return _in_date_range(accesses, first, last).order_by("-id")
