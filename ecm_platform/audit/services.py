"""Recording audit events and PHI reads: explicit calls, inside the caller's transaction."""

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


def phi_read_record(*, membership: Membership, path: str, members=(), row_count: int | None = None) -> None:
    """Record a read of member-level data by whoever the membership is, for its role's purpose:
    one row per member read, or one row for a list of `row_count` members."""
    purpose = PURPOSE_BY_ROLE[membership.role]
    if row_count is not None:
        phi_access_record(
            plan=membership.plan,
            user=membership.user,
            purpose=purpose,
            member_label="list",
            path=path,
            row_count=row_count,
        )
        return
    PhiAccess.objects.bulk_create(
        PhiAccess(
            plan=membership.plan,
            user=membership.user,
            member_id=member.pk,
            member_label=member.cin,
            purpose=purpose,
            path=path[:500],
            at=clocks.now(),
        )
        for member in members
    )
