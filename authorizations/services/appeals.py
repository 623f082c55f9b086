"""Appeals and grievances (DOMAIN 5.4), on their acknowledgement and resolution clocks."""

from datetime import datetime

from django.db import transaction

from authorizations import rules
from authorizations.models import (
    Appeal,
    AppealOutcome,
    AuthorizationRequest,
    Grievance,
    GrievanceOutcome,
    Notice,
    NoticeType,
)
from authorizations.services import deadlines
from authorizations.services.appeal_outcomes import _appeal_outcome_apply, _check_outcome
from authorizations.services.common import _notify_reviewers
from authorizations.services.discontinuation import _discontinuation_held
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from members.models import Member


def _resolution_due(received_at: datetime, is_expedited: bool) -> datetime:
    if is_expedited:
        return clocks.expedited_due(received_at, rules.EXPEDITED_RESOLUTION_HOURS)
    return clocks.calendar_days_deadline(received_at, rules.RESOLUTION_DAYS)


@transaction.atomic
def appeal_file(
    *,
    plan: HealthPlan,
    actor,
    notice: Notice,
    reason: str,
    received_at: datetime | None = None,
    is_expedited: bool = False,
) -> Appeal:
    """The member appeals a notice within 60 days; a timely appeal of a discontinuation keeps
    services going until it is decided: the discontinuation waits (aid paid pending, DOMAIN 5.2,
    5.3)."""
    require(actor, Capability.APPEALS_RECORD, plan=plan)
    require_same_plan(plan, notice)
    if notice.appeal_by is None:
        raise DomainError(
            "An approval letter is not a Notice of Action: it has nothing to appeal.",
            field="notice",
            code="not_appealable",
        )
    if not reason.strip():
        raise DomainError("Record what the member disagrees with.", field="reason")
    received_at = received_at or clocks.now()
    if received_at > clocks.now():
        raise DomainError("An appeal cannot be received in the future.", field="received_at")
    filed_on = clocks.local_date(received_at)
    if not rules.appeal_is_timely(notice.notice_date, filed_on):
        raise DomainError(
            f"An appeal of this notice had to be filed between {notice.notice_date:%Y-%m-%d} and "
            f"{notice.appeal_by:%Y-%m-%d}.",
            field="received_at",
            code="appeal_late",
        )
    rights = rules.member_rights(
        NoticeType(notice.notice_type), notice.notice_date, notice.effective_on,
        withdrawn=bool(notice.content.get("withdrawal_reason")),
    )  # fmt: skip
    appeal = Appeal.objects.create(
        plan=plan,
        notice=notice,
        request=notice.request,
        member=notice.member,
        received_at=received_at,
        is_expedited=is_expedited,
        reason=reason.strip(),
        continues_services=rules.appeal_continues_services(rights, filed_on),
        acknowledgement_due=clocks.calendar_days_deadline(received_at, rules.ACKNOWLEDGEMENT_DAYS),
        resolution_due=_resolution_due(received_at, is_expedited),
        created_by=actor_user(actor),
    )
    audit_record(
        code="authorizations.appeal.filed",
        plan=plan,
        actor=actor,
        target=appeal,
        payload={"notice": notice.pk, "expedited": is_expedited, "continues_services": appeal.continues_services},
    )
    deadlines.case_clocks_run(plan=plan, case=appeal)
    if appeal.continues_services:
        _discontinuation_held(plan=plan, actor=actor, appeal=appeal)
    _notify_reviewers(plan=plan, text=f"Appeal filed by {notice.member.full_name}.", request=notice.request)
    return appeal


def _acknowledge(*, plan, actor, record, code: str):
    require(actor, Capability.APPEALS_ACKNOWLEDGE, plan=plan)
    require_same_plan(plan, record)
    if record.acknowledged_at is not None:
        raise ConflictError("It was acknowledged already.", code="already_acknowledged")
    record.acknowledged_at = clocks.now()
    record.save(update_fields=["acknowledged_at"])
    audit_record(code=code, plan=plan, actor=actor, target=record)
    deadlines.case_acknowledged(plan=plan, case=record)
    return record


@transaction.atomic
def appeal_acknowledge(*, plan: HealthPlan, actor, appeal: Appeal) -> Appeal:
    return _acknowledge(plan=plan, actor=actor, record=appeal, code="authorizations.appeal.acknowledged")


@transaction.atomic
def appeal_resolve(
    *, plan: HealthPlan, actor, appeal: Appeal, outcome: AppealOutcome, summary: str, modification: str = ""
) -> Appeal:
    """A reviewer decides the appeal, and the request follows (appeal_outcomes; DOMAIN 5.2, 5.4): a
    partial overturn of a denial or a modification says what is approved (`modification`)."""
    require(actor, Capability.APPEALS_RESOLVE, plan=plan)
    require_same_plan(plan, appeal)
    if appeal.resolved_at is not None:
        raise ConflictError("The appeal is resolved already.", code="already_resolved")
    if outcome not in AppealOutcome.values:
        raise DomainError("Choose the outcome.", field="outcome")
    if not summary.strip():
        raise DomainError("Summarize the resolution.", field="summary")
    _check_outcome(notice_type=appeal.notice.notice_type, outcome=outcome, modification=modification)
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.resolved_at is not None:
        raise ConflictError("The appeal is resolved already.", code="already_resolved")
    appeal.resolved_at, appeal.resolved_by = clocks.now(), actor_user(actor)
    appeal.outcome, appeal.resolution_summary = outcome, summary.strip()
    appeal.save(update_fields=["resolved_at", "resolved_by", "outcome", "resolution_summary"])
    audit_record(
        code="authorizations.appeal.resolved", plan=plan, actor=actor, target=appeal, payload={"outcome": outcome}
    )
    deadlines.case_resolved(plan=plan, case=appeal)
    _appeal_outcome_apply(plan=plan, actor=actor, appeal=appeal, modification=modification)
    return appeal


@transaction.atomic
def grievance_file(
    *,
    plan: HealthPlan,
    actor,
    member: Member,
    description: str,
    received_at: datetime | None = None,
    is_urgent: bool = False,
    request: AuthorizationRequest | None = None,
) -> Grievance:
    require(actor, Capability.APPEALS_RECORD, plan=plan)
    require_same_plan(plan, member, field="member")
    if request is not None and (request.plan_id != plan.pk or request.member_id != member.pk):
        raise DomainError("The request is not this member's.", field="request")
    if not description.strip():
        raise DomainError("Describe the grievance.", field="description")
    received_at = received_at or clocks.now()
    if received_at > clocks.now():
        raise DomainError("A grievance cannot be received in the future.", field="received_at")
    grievance = Grievance.objects.create(
        plan=plan,
        member=member,
        request=request,
        received_at=received_at,
        is_urgent=is_urgent,
        description=description.strip(),
        acknowledgement_due=clocks.calendar_days_deadline(received_at, rules.ACKNOWLEDGEMENT_DAYS),
        resolution_due=_resolution_due(received_at, is_urgent),
        created_by=actor_user(actor),
    )
    audit_record(
        code="authorizations.grievance.filed", plan=plan, actor=actor, target=grievance,
        payload={"member": member.pk, "urgent": is_urgent},
    )  # fmt: skip
    deadlines.case_clocks_run(plan=plan, case=grievance)
    return grievance


@transaction.atomic
def grievance_acknowledge(*, plan: HealthPlan, actor, grievance: Grievance) -> Grievance:
    return _acknowledge(plan=plan, actor=actor, record=grievance, code="authorizations.grievance.acknowledged")


@transaction.atomic
def grievance_resolve(
    *, plan: HealthPlan, actor, grievance: Grievance, outcome: GrievanceOutcome, summary: str
) -> Grievance:
    require(actor, Capability.GRIEVANCES_RESOLVE, plan=plan)
    require_same_plan(plan, grievance)
    if grievance.resolved_at is not None:
        raise ConflictError("The grievance is resolved already.", code="already_resolved")
    if outcome not in GrievanceOutcome.values:
        raise DomainError("Choose the outcome.", field="outcome")
    if not summary.strip():
        raise DomainError("Summarize the resolution.", field="summary")
    grievance.resolved_at, grievance.resolved_by = clocks.now(), actor_user(actor)
    grievance.outcome, grievance.resolution_summary = outcome, summary.strip()
    grievance.save(update_fields=["resolved_at", "resolved_by", "outcome", "resolution_summary"])
    audit_record(
        code="authorizations.grievance.resolved", plan=plan, actor=actor, target=grievance,
        payload={"outcome": outcome},
    )  # fmt: skip
    deadlines.case_resolved(plan=plan, case=grievance)
    return grievance
