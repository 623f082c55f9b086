"""Recording audit events and PHI reads: explicit calls, inside the caller's transaction."""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from ecm_platform import clocks
from ecm_platform.audit import partitions
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiAccessMember, PhiPurpose
from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.access import Capability, Principal, actor_label, actor_user
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.scoping import across_plans


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
    event = audit_event(code=code, plan=plan, actor=actor, target=target, payload=payload)
    event.save()
    return event


def audit_event(
    *,
    code: str,
    plan: HealthPlan,
    actor: Principal | AbstractBaseUser | None,
    target: models.Model | None = None,
    payload: dict | None = None,
) -> AuditEvent:
    """`audit_record`'s row, not saved yet: set-based imports write many with one bulk_create."""
    return AuditEvent(
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
    """Record one read: of one member (`member_id`, labelled by its CIN), or of something that names
    no member, such as an export of `row_count` rows (`member_label` says what it was)."""
    named = member_id is not None
    return PhiAccess.objects.create(
        plan=plan,
        user=user,
        member_ids=[member_id] if named else [],
        member_labels=[member_label] if named else [],
        label="" if named else member_label,
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

    One row per read event, naming every distinct member it showed in the order given (their ids
    and CINs) and their number: a member page records its member, a list (a page of a worklist, an
    API list page) every member it shows, so "who saw member X" includes the lists X appeared on.
    A page of 50 is one row, written in the caller's transaction, so the read and its record
    commit or roll back together.

    An empty list (a search that found nobody) still records the read itself: a row without a
    member, labelled "list", with row_count 0. A search for a CIN that matches no member tells the
    user something about that person too, and the log should show that the search happened.

    Each plan's members are recorded in that plan: a provider principal's list spans the plans
    contracting with its organization, so it is one row per plan it showed members of (one
    INSERT), and its empty list is recorded in each of its plans.

    It is also the last check before member data leaves: a principal that holds no member read, or
    a member of a plan the principal does not act in, is refused (403) and nothing is recorded.
    """
    principal = principal or Principal.of_membership(membership)
    if not any(principal.may(capability) for capability in MEMBER_READS):
        raise ActionNotPermitted("Your role may not read member data.")
    purpose, at = PhiPurpose(principal.phi_purpose), clocks.now()

    def access(plan_id, shown: list, **fields) -> PhiAccess:
        return PhiAccess(
            plan_id=plan_id,
            user=principal.user,
            member_ids=[member.pk for member in shown],
            member_labels=[member.cin for member in shown],
            row_count=len(shown),
            purpose=purpose,
            path=path[:500],
            at=at,
            **fields,
        )

    by_plan: dict[int, dict] = {}
    for member in members:
        by_plan.setdefault(member.plan_id, {}).setdefault(member.pk, member)
    if principal.plan_ids is not None and not by_plan.keys() <= set(principal.plan_ids):
        raise ActionNotPermitted("A member shown belongs to a plan you do not work for.")
    rows = [access(plan_id, list(shown.values())) for plan_id, shown in by_plan.items()]
    empty = [access(plan_id, [], label=LIST_LABEL) for plan_id in sorted(principal.plan_ids)]
    rows = rows or empty
    if len(rows) == 1:  # the usual read: one INSERT, where bulk_create adds its own BEGIN and COMMIT
        rows[0].save(force_insert=True)
    else:
        PhiAccess.objects.bulk_create(rows)


def phi_access_partitions_ensure() -> partitions.Ensured:
    """The PHI access log's month partitions from this month to `MONTHS_AHEAD` on (PostgreSQL)."""
    return partitions.partitions_ensure([PhiAccess, PhiAccessMember])


def phi_access_retention_apply(*, dry_run: bool, today: date | None = None) -> list[partitions.Expired]:
    """Drop the PHI access log's months older than six years (partitions.py): each whole partition
    is detached and dropped, after an audit event in every plan that had rows in it, all in one
    transaction. With `dry_run`, only say which. An operator's command: it crosses plans."""
    with across_plans(reason="the PHI access log's retention spans every plan"), transaction.atomic():
        expired = partitions.partitions_expired(today=today)
        if dry_run:
            return expired
        plans = HealthPlan.objects.in_bulk({plan_id for month in expired for plan_id in month.rows_by_plan})
        for month in expired:
            for plan_id, rows in month.rows_by_plan.items():
                audit_record(
                    code="audit.phi_access.retention_dropped",
                    plan=plans[plan_id],
                    actor=None,
                    payload={
                        "partition": month.partition,
                        "month": month.month.isoformat(),
                        "rows": rows,
                        "retention_years": partitions.RETENTION_YEARS,
                    },
                )
            partitions.month_drop(month.month)
    return expired
