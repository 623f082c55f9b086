"""The plan settings the authorizations app reads (DOMAIN 5.1, 5.3): the presumptive period, and
the hold a letter waits in while the plan has no contact (the contact itself is the plan's, in
tenancy; setting it releases the held letters: `letter_contact`)."""

from django.db import transaction
from django.urls import reverse

from authorizations.models import AuthorizationSettings, Notice
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_open
from ecm_platform.errors import DomainError
from ecm_platform.notifications.services import notification_send
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, holders, require
from ecm_platform.tenancy.models import HealthPlan, Membership

PRESUMPTIVE_PERIOD_MAX_DAYS = 365
LETTER_DUE_BUSINESS_DAYS = 2


def authorization_settings(*, plan: HealthPlan) -> AuthorizationSettings:
    """The plan's authorization settings; an unsaved row with the defaults when it has none."""
    return AuthorizationSettings.objects.filter(plan=plan).first() or AuthorizationSettings(plan=plan)


@transaction.atomic
def authorization_settings_update(*, plan: HealthPlan, actor, presumptive_period_days: int) -> AuthorizationSettings:
    """How long a presumptive authorization lasts until the plan decides (DOMAIN 5.1)."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    if not 1 <= presumptive_period_days <= PRESUMPTIVE_PERIOD_MAX_DAYS:
        raise DomainError(
            f"A presumptive period lasts from 1 to {PRESUMPTIVE_PERIOD_MAX_DAYS} days.",
            field="presumptive_period_days",
        )
    settings, _ = AuthorizationSettings.objects.update_or_create(
        plan=plan, defaults={"presumptive_period_days": presumptive_period_days}
    )
    audit_record(
        code="authorizations.settings.updated",
        plan=plan,
        actor=actor,
        target=settings,
        payload={"presumptive_period_days": presumptive_period_days},
    )
    return settings


def notice_hold(*, plan: HealthPlan, notice: Notice) -> int:
    """A notice was issued while the plan has no contact: the decision stands, the letter waits,
    and the plan administrators are told what to set, with a clock on them (DOMAIN 5.3). Returns
    how many were told."""
    audit_record(
        code="authorizations.notice.held",
        plan=plan,
        actor=None,
        target=notice,
        payload={"request": notice.request_id, "reason": "plan_contact_missing"},
    )
    administrators = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.PLAN_SETTINGS_MANAGE), is_active=True
    ).select_related("user")
    for membership in administrators:
        notification_send(
            plan=plan,
            recipient=membership.user,
            text=f"Notice of Action {notice.pk} is held: set the plan's member services phone and appeals "
            "address so that its letter can be sent.",
            link=reverse("settings-letters"),
            email=True,
        )
    # The letter is late once the member should have it: a decision is told in writing within two
    # business days (H&S Code 1367.01(h)(3)); met when the contact is set and the letter released.
    deadline_open(
        plan=plan,
        kind=DeadlineKind.LETTER_CONTACT,
        target=notice,
        due_at=clocks.business_days_after(plan=plan, start=notice.issued_at, days=LETTER_DUE_BUSINESS_DAYS),
        owner=Capability.PLAN_SETTINGS_MANAGE,
        label=f"Letter to {notice.member.full_name} held: set the plan's member services phone and appeals address",
        link=reverse("settings-letters"),
        member=notice.member,
    )
    # A contact set while this decision was in flight released nothing it could not see yet:
    # look again once the decision has committed.
    enqueue_on_commit("authorizations.tasks.held_notices_release_task", plan_id=plan.pk)
    return len(administrators)
