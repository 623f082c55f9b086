"""The contact the letters print (DOMAIN 5.3), set by the plan administrator, and the letters
that waited for it.

A notice issued while the plan had no contact keeps its decision and its dates; its content has
empty `plan_phone` and `plan_address` and it is not rendered (`Notice.held_since`); its
DeadlineKind.LETTER_CONTACT clock runs on the plan administrator meanwhile. Setting the
contact writes it into each held notice's content, once (`released_at`, a conditional update, so
two releases at once write it once), meets the clock, and renders the letter after the commit. A notice's content
therefore always holds what its letter prints: the contact in force when the letter was released.
"""

from django.db import transaction

from authorizations.models import Notice
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_meet
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.services import plan_contact_set


@transaction.atomic
def letter_contact_set(*, plan: HealthPlan, actor, member_services_phone: str, appeals_address: str) -> HealthPlan:
    """Set the plan's contact (checked and audited by tenancy) and release the letters held for it."""
    plan = plan_contact_set(
        plan=plan, actor=actor, member_services_phone=member_services_phone, appeals_address=appeals_address
    )
    held_notices_release(plan=plan, actor=releaser(plan))
    return plan


def releaser(plan: HealthPlan) -> Principal:
    """The job that releases held letters (after a contact is set, or after a held decision
    commits): it may do that and nothing else."""
    return Principal.system("held letters", Capability.NOTICES_RELEASE, plan=plan)


@transaction.atomic
def held_notices_release(*, plan: HealthPlan, actor) -> list[int]:
    """Write the plan's contact into every held notice and render their letters once committed.
    Returns the ids of the notices released now."""
    require(actor, Capability.NOTICES_RELEASE, plan=plan)
    if not plan.has_letter_contact:
        return []
    now = clocks.now()
    released = []
    held = Notice.objects.filter(plan=plan, held_since__isnull=False, released_at__isnull=True, pdf__isnull=True)
    for notice in held.order_by("pk"):
        content = {**notice.content, "plan_phone": plan.member_services_phone, "plan_address": plan.appeals_address}
        # The one write to a held notice's content (see Notice): claimed by whoever releases first.
        if not Notice.objects.filter(pk=notice.pk, released_at__isnull=True).update(content=content, released_at=now):
            continue
        audit_record(
            code="authorizations.notice.released",
            plan=plan,
            actor=actor,
            target=notice,
            payload={"plan_phone": content["plan_phone"], "plan_address": content["plan_address"]},
        )
        deadline_meet(plan=plan, kind=DeadlineKind.LETTER_CONTACT, target=notice, at=now)
        released.append(notice.pk)
        enqueue_on_commit("authorizations.tasks.notice_render_task", plan_id=plan.pk, notice_id=notice.pk)
    return released
