"""How outreach ends by its own hand (DOMAIN 8): the member enrolls, declines, or cannot be reached
after the plan's attempt policy; a close-out is followed by a referral to other programs.

The ECM Provider's staff close their organization's engagements (PROVIDER_OUTREACH_CLOSE), the
plan's coordinators the members the plan identified (OUTREACH_CLOSE). What follows on the request
is the authorizations app's own action, taken by a system principal holding only the one capability
it needs when the actor's role does not hold it (provider staff start no services themselves):
- enrolled, approved and assigned member: the request's start-services transition (DOMAIN 5.2;
  refused without a Lead Care Manager);
- enrolled, identified member: a request is submitted, source plan identification, with its clock;
- declined or unable to reach, approved member: the request is withdrawn with that reason, no
  Notice of Action (DOMAIN 5.3).
A close-out tells the plan's coordinators and opens the other-programs referral clock.
"""

from django.db import transaction

from authorizations.models import RequestSource, WithdrawalReason
from authorizations.services import request_start_services, request_submit, request_withdraw
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_cancel, deadline_meet, deadline_open
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, Principal, actor_user, holders, principal_for, require
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.ownership import require_same_plan
from eligibility.selectors import determination_list
from members.selectors import active_on
from outreach.attempts import require_either
from outreach.models import CLOSE_OUT_STATES, Engagement, EngagementState, TargetKind
from outreach.selectors import engagement_policy_status, outreach_settings_of


def close_capability(engagement: Engagement) -> Capability:
    if engagement.kind == TargetKind.ASSIGNED:
        return Capability.PROVIDER_OUTREACH_CLOSE
    return Capability.OUTREACH_CLOSE


def plan_link(engagement: Engagement) -> str:
    return f"/outreach/engagements/{engagement.pk}/"


def provider_link(engagement: Engagement) -> str:
    return f"/provider/outreach/{engagement.pk}/"


def _as(actor, plan: HealthPlan, name: str, capability: Capability):
    """The actor when it holds `capability`, else a system principal holding only that one: a step
    the close-out entails which the actor's role may not take on its own."""
    principal = principal_for(actor, plan)
    if principal is not None and principal.may(capability, plan=plan):
        return actor
    return Principal.system(name, capability, plan=plan)


def _open_locked(*, plan: HealthPlan, actor, engagement: Engagement) -> Engagement:
    require_either(actor, plan, Capability.OUTREACH_CLOSE, Capability.PROVIDER_OUTREACH_CLOSE)
    require_same_plan(plan, engagement, field="engagement")
    require(actor, close_capability(engagement), plan=plan, organization=engagement.organization_id)
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("request", "member")
        .get(plan=plan, pk=engagement.pk)
    )
    if not engagement.is_open:
        raise ConflictError(
            f"This outreach is already closed ({engagement.get_state_display().lower()}).", code="engagement_closed"
        )
    return engagement


def _close(*, plan: HealthPlan, actor, engagement: Engagement, state: EngagementState, note: str) -> Engagement:
    engagement.state, engagement.closed_at = state, clocks.now()
    engagement.closed_by, engagement.close_note = actor_user(actor), note.strip()[:2000]
    engagement.save(update_fields=["state", "closed_at", "closed_by", "close_note", "request"])
    deadline_cancel(plan=plan, target=engagement, kinds=[DeadlineKind.OUTREACH_FIRST_ATTEMPT])
    audit_record(
        code=f"outreach.engagement.{state}", plan=plan, actor=actor, target=engagement,
        payload={"member": engagement.member_id, "kind": engagement.kind, "request": engagement.request_id,
                 "note": engagement.close_note},
    )  # fmt: skip
    return engagement


@transaction.atomic
def engagement_enroll(*, plan: HealthPlan, actor, engagement: Engagement, note: str = "") -> Engagement:
    """The member agreed (no recorded consent needed, FAQ 9)."""
    engagement = _open_locked(plan=plan, actor=actor, engagement=engagement)
    if engagement.kind == TargetKind.ASSIGNED:
        starter = _as(actor, plan, "outreach-enrollment", Capability.AUTHORIZATIONS_START_SERVICES)
        request_start_services(plan=plan, actor=starter, request=engagement.request)
    else:
        pofs = [determination.pof for determination in
                determination_list(plan=plan).filter(active_on(clocks.local_date(clocks.now())), member=engagement.member)
                .select_related("pof")]  # fmt: skip
        submitter = _as(actor, plan, "outreach-enrollment", Capability.AUTHORIZATIONS_SUBMIT)
        engagement.request = request_submit(
            plan=plan, actor=submitter, member=engagement.member, source=RequestSource.MCP_IDENTIFICATION,
            notes=note.strip(), pofs=pofs,
        )  # fmt: skip
    return _close(plan=plan, actor=actor, engagement=engagement, state=EngagementState.ENROLLED, note=note)


def _close_out(*, plan: HealthPlan, actor, engagement: Engagement, state: EngagementState, note: str) -> Engagement:
    if engagement.kind == TargetKind.ASSIGNED:
        reason = (
            WithdrawalReason.MEMBER_DECLINED
            if state == EngagementState.DECLINED
            else WithdrawalReason.MEMBER_UNREACHABLE
        )
        withdrawer = _as(actor, plan, "outreach-close-out", Capability.AUTHORIZATIONS_WITHDRAW)
        request_withdraw(plan=plan, actor=withdrawer, request=engagement.request, reason=reason, note=note.strip())
    engagement = _close(plan=plan, actor=actor, engagement=engagement, state=state, note=note)
    settings = outreach_settings_of(plan=plan)
    label = (
        f"Refer {engagement.member.full_name} to the plan's other programs ({engagement.get_state_display().lower()})"
    )
    deadline_open(
        plan=plan, kind=DeadlineKind.OTHER_PROGRAMS_REFERRAL, target=engagement, member=engagement.member,
        due_at=clocks.business_days_after(plan=plan, start=clocks.now(), days=settings.referral_business_days),
        owner=Capability.OTHER_PROGRAMS_REFER, label=label, link=plan_link(engagement),
    )  # fmt: skip
    coordinators = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.OTHER_PROGRAMS_REFER), is_active=True
    ).select_related("user")
    for membership in coordinators:
        notification_send(
            plan=plan, recipient=membership.user, text=f"{label}.", link=plan_link(engagement), email=True
        )
    return engagement


@transaction.atomic
def engagement_decline(*, plan: HealthPlan, actor, engagement: Engagement, note: str = "") -> Engagement:
    """The member declined ECM: closed out, a live request withdrawn (no NOA), referred onward."""
    engagement = _open_locked(plan=plan, actor=actor, engagement=engagement)
    return _close_out(plan=plan, actor=actor, engagement=engagement, state=EngagementState.DECLINED, note=note)


@transaction.atomic
def engagement_unreachable(*, plan: HealthPlan, actor, engagement: Engagement, note: str = "") -> Engagement:
    """The member could not be reached: only once the plan's attempt policy is met."""
    engagement = _open_locked(plan=plan, actor=actor, engagement=engagement)
    status = engagement_policy_status(plan=plan, engagement=engagement)
    if not status.met:
        raise DomainError(status.explanation, field="engagement", code="attempt_policy_not_met")
    return _close_out(plan=plan, actor=actor, engagement=engagement, state=EngagementState.UNREACHABLE, note=note)


@transaction.atomic
def other_programs_referral_record(*, plan: HealthPlan, actor, engagement: Engagement, note: str) -> Engagement:
    """A closed-out member was referred to the plan's other programs (Policy Guide V.1.f)."""
    require(actor, Capability.OTHER_PROGRAMS_REFER, plan=plan)
    require_same_plan(plan, engagement, field="engagement")
    engagement = Engagement.objects.select_for_update().get(plan=plan, pk=engagement.pk)
    if engagement.state not in CLOSE_OUT_STATES:
        raise ConflictError(
            "Only a declined or unreachable member is referred to other programs.", code="not_closed_out"
        )
    if engagement.other_programs_referred_at is not None:
        raise ConflictError("The referral to other programs is already recorded.", code="already_referred")
    if not note.strip():
        raise DomainError("Say which programs the member was referred to.", field="note", code="required")
    engagement.other_programs_referred_at, engagement.other_programs_note = clocks.now(), note.strip()[:2000]
    engagement.save(update_fields=["other_programs_referred_at", "other_programs_note"])
    deadline_meet(plan=plan, kind=DeadlineKind.OTHER_PROGRAMS_REFERRAL, target=engagement)
    audit_record(
        code="outreach.engagement.other_programs_referred", plan=plan, actor=actor, target=engagement,
        payload={"member": engagement.member_id, "note": engagement.other_programs_note},
    )  # fmt: skip
    return engagement
