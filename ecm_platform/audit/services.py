"""Recording audit events and PHI reads: explicit calls, inside the caller's transaction."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiPurpose
from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.access import Capability, Principal, actor_label, actor_user
from ecm_platform.tenancy.models import HealthPlan, Membership


def audit_record(
    *,
    code: str,
    plan: HealthPlan,
    actor: Principal | AbstractBaseUser | None,
    target: models.Model | None = None,
    payload: dict | None = None,
) -> AuditEvent:
    """Record that `actor` (a principal, a user, or None for the system) did `code` to `target` in
    `plan`."""
    return AuditEvent.objects.create(
        plan=plan,
        code=code,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
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


LIST_LABEL = "list"
MEMBER_READS = (Capability.MEMBERS_READ, Capability.ASSIGNED_MEMBERS_READ)


def phi_read_record(
    *, path: str, members: Iterable, membership: Membership | None = None, principal: Principal | None = None
) -> None:
    """Record a read of member-level data by the principal (plan staff pass their membership), for
    its role's purpose.

    One row per distinct member read, in the order given, all with the same user, plan, purpose,
    path and time: a member page records its member, a list (a page of a worklist, an API list
    page) every member it shows, so "who saw member X" includes the lists X appeared on. The rows
    go in one INSERT whatever their number, so a list's query count does not grow with its rows
    (SQLite caps the parameters of a statement: there a batch above ~120 rows is split, still a
    fixed number per page).

    An empty list (a search that found nobody) still records the read itself: one row without a
    member, labelled "list", with row_count 0. A search for a CIN that matches no member tells the
    user something about that person too, and the log should show that the search happened.

    Each row is in its member's plan: a provider principal's list spans the plans contracting with
    its organization, and its empty list is recorded in each of them.

    It is also the last check before member data leaves: a principal that holds no member read, or
    a member of a plan the principal does not act in, is refused (403) and nothing is recorded.
    """
    principal = principal or Principal.of_membership(membership)
    if not any(principal.may(capability) for capability in MEMBER_READS):
        raise ActionNotPermitted("Your role may not read member data.")
    purpose, at = PhiPurpose(principal.phi_purpose), clocks.now()

    def access(plan_id, **fields) -> PhiAccess:
        return PhiAccess(plan_id=plan_id, user=principal.user, purpose=purpose, path=path[:500], at=at, **fields)

    distinct = {member.pk: member for member in members}
    if principal.plan_ids is not None and any(member.plan_id not in principal.plan_ids for member in distinct.values()):
        raise ActionNotPermitted("A member shown belongs to a plan you do not work for.")
    rows = [access(member.plan_id, member_id=member.pk, member_label=member.cin) for member in distinct.values()]
    empty = [access(plan_id, member_label=LIST_LABEL, row_count=0) for plan_id in sorted(principal.plan_ids)]
    PhiAccess.objects.bulk_create(rows or empty)
