"""Recording audit events and PHI reads: explicit calls, inside the caller's transaction."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiPurpose
from ecm_platform.tenancy.models import HealthPlan, Membership, Role

SYSTEM = "system"


def audit_record(
    *,
    code: str,
    plan: HealthPlan,
    actor: AbstractBaseUser | None,
    target: models.Model | None = None,
    payload: dict | None = None,
) -> AuditEvent:
    """Record that `actor` (None: the system) did `code` to `target` in `plan`."""
    return AuditEvent.objects.create(
        plan=plan,
        code=code,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor.get_username() if actor is not None and actor.is_authenticated else SYSTEM,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        payload=payload or {},
        at=clocks.now(),
    )


def phi_access_record(
    *,
    plan: HealthPlan,
    user: AbstractBaseUser,
    purpose: PhiPurpose,
    member_id: int | None = None,
    member_label: str = "",
    path: str = "",
    row_count: int = 1,
) -> PhiAccess:
    return PhiAccess.objects.create(
        plan=plan,
        user=user,
        member_id=member_id,
        member_label=member_label,
        purpose=purpose,
        path=path[:500],
        row_count=row_count,
        at=clocks.now(),
    )


PURPOSE_BY_ROLE = {
    Role.CARE_COORDINATOR: PhiPurpose.CARE_COORDINATION,
    Role.REVIEWER: PhiPurpose.UTILIZATION_REVIEW,
    Role.REPORTING_ANALYST: PhiPurpose.REPORTING,
    Role.PLAN_ADMINISTRATOR: PhiPurpose.CARE_COORDINATION,
    Role.INTEGRATOR: PhiPurpose.INTEGRATION,
}


LIST_LABEL = "list"


def phi_read_record(*, membership: Membership, path: str, members: Iterable) -> None:
    """Record a read of member-level data by whoever the membership is, for its role's purpose.

    One row per distinct member read, in the order given, all with the same user, plan, purpose,
    path and time: a member page records its member, a list (a page of a worklist, an API list
    page) every member it shows, so "who saw member X" includes the lists X appeared on. The rows
    go in one INSERT whatever their number, so a list's query count does not grow with its rows
    (SQLite caps the parameters of a statement: there a batch above ~120 rows is split, still a
    fixed number per page).

    An empty list (a search that found nobody) still records the read itself: one row without a
    member, labelled "list", with row_count 0. A search for a CIN that matches no member tells the
    user something about that person too, and the log should show that the search happened.
    """
    purpose, at = PURPOSE_BY_ROLE[membership.role], clocks.now()

    def access(**fields) -> PhiAccess:
        return PhiAccess(plan=membership.plan, user=membership.user, purpose=purpose, path=path[:500], at=at, **fields)

    distinct = {member.pk: member for member in members}
    rows = [access(member_id=member.pk, member_label=member.cin) for member in distinct.values()]
    PhiAccess.objects.bulk_create(rows or [access(member_label=LIST_LABEL, row_count=0)])
