"""Searching the audit trail and the PHI access log (plan administrators)."""

from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiAccessMember
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
    """The plan's read events, newest first, optionally of one user, naming one member (by id or
    CIN), in a date range. Each filter is served by an index (models.PhiAccess): the user's by
    (user, -id), the member's by PhiAccessMember's key (member_id, access_id, at), the plain and
    dated list by (plan, -id), the dates also pruning the month partitions on PostgreSQL."""
    accesses = PhiAccess.objects.filter(plan=plan).select_related("user")
    if username:
        user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        accesses = accesses.filter(user_id=user_id) if user_id else accesses.none()
    if member:
        member_id = int(member) if member.isdigit() else _member_of_cin(plan, member)
        accesses = accesses.filter(id__in=_access_ids_naming(member_id)) if member_id else accesses.none()
    return _in_date_range(accesses, first, last).order_by("-id")


def _access_ids_naming(member_id: int) -> QuerySet:
    return PhiAccessMember.objects.filter(member_id=member_id).values("access_id")


def phi_accesses_naming(member_id: int) -> QuerySet[PhiAccess]:
    """Every read event (in the scope's plans) that showed the member: "who saw member X"."""
    return PhiAccess.objects.filter(id__in=_access_ids_naming(member_id))


def _member_of_cin(plan: HealthPlan, cin: str) -> int | None:
    """The member's id in the plan (a CIN is unique in a plan). The members app sits above the core,
    so its model is reached through the app registry, not an import."""
    member_model = apps.get_model("members", "Member")
    return member_model.objects.filter(plan=plan, cin=cin.strip().upper()).values_list("pk", flat=True).first()
