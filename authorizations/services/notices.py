"""Notices of Action (DOMAIN 5.3): issued with their facts frozen, rendered after commit."""

import hashlib
from datetime import date

from authorizations import letters, rules
from authorizations.models import (
    AuthorizationRequest,
    DenialReason,
    DiscontinuationReason,
    Notice,
    NoticeType,
)
from authorizations.services.settings import notice_hold
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from providers.models import Service


def _notice_if_needed(*, plan, actor, request: AuthorizationRequest, action: rules.Action) -> Notice | None:
    notice_type = rules.notice_type_for(
        action,
        requested_by_member_or_provider=request.was_requested_by_member_or_provider,
        decision=request.decision,
    )
    if notice_type is None:
        return None
    return notice_issue(plan=plan, actor=actor, request=request, notice_type=notice_type)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def notice_content(*, plan: HealthPlan, request: AuthorizationRequest, notice_type: NoticeType, notice_date: date):
    """Every fact the letter states, as plain data (stored with the notice, so it never changes)."""
    member = request.member
    effective_on = request.discontinuation_effective_on or notice_date
    rights = rules.member_rights(notice_type, notice_date, effective_on)
    decision = {
        NoticeType.DENIAL: "Your request for Enhanced Care Management is denied.",
        NoticeType.DELAY: "We need more time to decide on your request for Enhanced Care Management.",
        NoticeType.MODIFICATION: "Your request for Enhanced Care Management is approved with a change.",
        NoticeType.DISCONTINUATION: "Your Enhanced Care Management services will end.",
    }[notice_type]
    reason = request.decision_explanation
    if notice_type == NoticeType.DELAY:
        reason = request.extension_reason
    criteria = []
    if request.denial_reason:
        criteria.append(DenialReason(request.denial_reason).label)
    if request.discontinuation_reason:
        criteria.append(DiscontinuationReason(request.discontinuation_reason).label)
    return {
        "notice_type": notice_type.value,
        "plan_name": plan.name,
        # Empty while the plan has no contact: the letter is held until it is set (letter_contact).
        "plan_phone": plan.member_services_phone,
        "plan_address": plan.appeals_address,
        "member_name": member.full_name,
        "member_cin": member.cin,
        "member_address": ", ".join(p for p in [member.address_line, member.city, member.zip_code] if p),
        "notice_date": _date(notice_date),
        "effective_on": _date(effective_on),
        "service": Service(request.service).label,
        "request_id": request.pk,
        "received_on": _date(clocks.local_date(request.received_at)),
        "decision": decision,
        "reason": reason,
        "criteria": criteria,
        "modification": request.modification,
        "new_due": _date(clocks.local_date(request.due_at)) if notice_type == NoticeType.DELAY else "",
        "alternative_services": request.alternative_services,
        "appeal_by": _date(rights.appeal_by),
        "state_hearing_days": rights.state_hearing_days,
        "continue_services_by": _date(rights.continue_services_by),
    }


def notice_issue(*, plan: HealthPlan, actor, request: AuthorizationRequest, notice_type: NoticeType) -> Notice:
    """Issue a Notice of Action: its content is fixed now and never changes. The letter is rendered
    once the decision has committed (a slow or failing renderer never holds up a decision); while
    the plan has no contact it is held instead, and released when the contact is set (DOMAIN 5.3)."""
    require(actor, Capability.NOTICES_ISSUE, plan=plan)
    require_same_plan(plan, request)
    now = clocks.now()
    notice_date = clocks.local_date(now)
    plan.refresh_from_db(fields=["member_services_phone", "appeals_address"])  # the contact as it is now
    content = notice_content(plan=plan, request=request, notice_type=notice_type, notice_date=notice_date)
    notice = Notice.objects.create(
        plan=plan,
        request=request,
        member=request.member,
        notice_type=notice_type,
        language=letters.letter_language(request.member.preferred_language),
        notice_date=notice_date,
        effective_on=date.fromisoformat(content["effective_on"]),
        appeal_by=date.fromisoformat(content["appeal_by"]),
        content=content,
        issued_by=actor_user(actor),
        issued_at=now,
        held_since=None if plan.has_letter_contact else now,
    )
    audit_record(
        code="authorizations.notice.issued",
        plan=plan,
        actor=actor,
        target=notice,
        payload={"request": request.pk, "type": notice_type, "language": notice.language},
    )
    if notice.is_held:
        notice_hold(plan=plan, notice=notice)
    else:
        enqueue_on_commit("authorizations.tasks.notice_render_task", plan_id=plan.pk, notice_id=notice.pk)
    return notice


def notice_pdf(*, plan: HealthPlan, notice: Notice) -> bytes:
    """The notice's PDF letter, rendered from its frozen content the first time it is asked for
    and stored: whoever renders first wins and every later reader gets those same bytes."""
    require_same_plan(plan, notice)
    if notice.is_held:
        raise ConflictError(
            "The letter is held until the plan administrator sets the plan's member services phone and "
            "appeals address.",
            code="letter_held",
        )
    if notice.pdf is None:
        pdf = letters.render_letter_pdf(notice.content, notice.language)
        Notice.objects.filter(pk=notice.pk, pdf__isnull=True).update(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())
        notice.pdf, notice.sha256 = Notice.objects.filter(pk=notice.pk).values_list("pdf", "sha256").get()
    return bytes(notice.pdf)
