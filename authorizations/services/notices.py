"""The member's letters (DOMAIN 5.3): Notices of Action and approval letters, issued with their
codes and facts frozen and rendered after commit; and the decision told to the requester."""

import hashlib
from datetime import date

from authorizations import letters, rules
from authorizations.models import AuthorizationRequest, Notice, NoticeType
from authorizations.services.requester_notices import requester_notice_record
from authorizations.services.settings import notice_hold
from authorizations.signals import request_decided
from benefits.models import CatalogueService
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_event
from ecm_platform.errors import ConflictError
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan


def _notice_if_needed(*, plan, actor, request: AuthorizationRequest, action: rules.Action) -> Notice | None:
    """The letter a decision sends the member, and the requester told of it (DOMAIN 5.3). Called
    by every decision's service after its own access check and transition, in its transaction;
    then `request_decided` tells the apps above (a referral around the request, DOMAIN 9)."""
    notice_type = rules.notice_type_for(
        action,
        requested_by_member_or_provider=request.was_requested_by_member_or_provider,
        decision=request.decision,
    )
    notice = told = None
    if notice_type is not None:
        occasion = rules.LETTER_OCCASIONS.get(action, "")
        notice = _issue(plan=plan, actor=actor, request=request, notice_type=notice_type, occasion=occasion)
        told = requester_notice_record(plan=plan, notice=notice, action=action)
    request_decided.send(sender=AuthorizationRequest, plan=plan, request=request, action=action, requester_notice=told)
    return notice


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


# The plan's own reason to end a Community Support, which no catalogue service lists: it stops
# offering the service in the member's county (an election removal, DOMAIN 9).
SERVICE_NO_LONGER_OFFERED = {
    "code": "service-no-longer-offered",
    "en": "The plan no longer offers this service in your county",
    "es": "El plan ya no ofrece este servicio en su condado",
}


def discontinuation_criterion_of(service: CatalogueService, code: str) -> dict | None:
    """The criterion `code` of a Community Support, {"code", "en", "es"}: one of the service's own
    (FAQ 39) or the plan's removal of the service; None for an unknown code."""
    if code == SERVICE_NO_LONGER_OFFERED["code"]:
        return SERVICE_NO_LONGER_OFFERED
    return next((item for item in service.discontinuation_criteria if item.get("code") == code), None)


def _criterion_content(request: AuthorizationRequest, notice_type: NoticeType) -> dict:
    """The criterion a Community Support's discontinuation applied, in both languages."""
    criterion = None
    if notice_type == NoticeType.DISCONTINUATION and request.discontinuation_criterion:
        criterion = discontinuation_criterion_of(request.service, request.discontinuation_criterion)
    criterion = criterion or {"code": "", "en": "", "es": ""}
    return {
        "discontinuation_criterion": criterion["code"],
        "discontinuation_criterion_en": criterion["en"],
        "discontinuation_criterion_es": criterion["es"],
    }


def notice_content(
    *, plan: HealthPlan, request: AuthorizationRequest, notice_type: NoticeType, notice_date: date, occasion: str = ""
):
    """Every fact the letter states, as codes and plain data (stored with the notice, so it never
    changes); the words around them are each language's template's (letters.CONTENT_KEYS).
    `occasion` says what led to the decision (rules.LETTER_OCCASIONS): an appeal, a transition.
    The service's name and a discontinuation's criterion are frozen in both languages as they read
    today, so that a later rename changes no letter (letters.SERVICE_NAME_KEYS)."""
    member, service = request.member, request.service
    effective_on = notice_date
    if notice_type == NoticeType.DISCONTINUATION:
        # Presumptive services stopped at the member's request end the day of the notice (DOMAIN 5.2).
        effective_on = request.discontinuation_effective_on or notice_date
    withdrawal_reason = request.withdrawal_reason if notice_type == NoticeType.DISCONTINUATION else ""
    rights = rules.member_rights(notice_type, notice_date, effective_on, withdrawn=bool(withdrawal_reason))
    is_delay, is_approval = notice_type == NoticeType.DELAY, notice_type == NoticeType.APPROVAL
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
        "service": service.code,
        # A service with no Spanish name yet is named as in English rather than not at all.
        "service_name": service.name,
        "service_name_es": service.name_es or service.name,
        "request_id": request.pk,
        "received_on": _date(clocks.local_date(request.received_at)),
        "occasion": occasion,
        "transition_program": request.transition_program,
        "denial_reason": request.denial_reason if notice_type == NoticeType.DENIAL else "",
        "discontinuation_reason": request.discontinuation_reason if notice_type == NoticeType.DISCONTINUATION else "",
        **_criterion_content(request, notice_type),
        "withdrawal_reason": withdrawal_reason,
        # The reviewer's own words, printed as written.
        "explanation": "" if is_approval else request.extension_reason if is_delay else request.decision_explanation,
        "modification": request.modification if notice_type == NoticeType.MODIFICATION else "",
        "new_due": _date(clocks.local_date(request.due_at)) if is_delay else "",
        "alternative_services": request.alternative_services if notice_type == NoticeType.DENIAL else "",
        "appeal_by": _date(rights.appeal_by) if rights else "",
        "state_hearing_days": rights.state_hearing_days if rights else None,
        "continue_services_by": _date(rights.continue_services_by) if rights else "",
    }


def notice_issue(*, plan: HealthPlan, actor, request: AuthorizationRequest, notice_type: NoticeType) -> Notice:
    """Issue a member's letter by hand (a reviewer's action); decisions issue theirs through
    `_notice_if_needed`, under the capability of the decision itself."""
    require(actor, Capability.NOTICES_ISSUE, plan=plan)
    return _issue(plan=plan, actor=actor, request=request, notice_type=notice_type)


def _issue(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, notice_type: NoticeType, occasion: str = ""
) -> Notice:
    """The letter's content is fixed now and never changes. It is rendered once the decision has
    committed (a slow or failing renderer never holds up a decision); while the plan has no
    contact it is held instead, and released when the contact is set (DOMAIN 5.3)."""
    require_same_plan(plan, request)
    plan.refresh_from_db(fields=["member_services_phone", "appeals_address"])  # the contact as it is now
    notice = _notice_new(plan=plan, actor=actor, request=request, notice_type=notice_type, occasion=occasion)
    notice.save()
    _notice_issued_event(plan=plan, actor=actor, notice=notice).save()
    if notice.is_held:
        notice_hold(plan=plan, notice=notice)
    else:
        enqueue_on_commit("authorizations.tasks.notice_render_task", plan_id=plan.pk, notice_id=notice.pk)
    return notice


def _notice_new(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, notice_type: NoticeType, occasion: str = ""
) -> Notice:
    """`_issue`'s row with its content frozen, not saved yet (a set-based import writes many at
    once); `plan` carries its contact as it is now."""
    now = clocks.now()
    notice_date = clocks.local_date(now)
    content = notice_content(
        plan=plan, request=request, notice_type=notice_type, notice_date=notice_date, occasion=occasion
    )
    return Notice(
        plan=plan,
        request=request,
        member=request.member,
        notice_type=notice_type,
        language=letters.letter_language(request.member.preferred_language),
        notice_date=notice_date,
        effective_on=date.fromisoformat(content["effective_on"]),
        appeal_by=date.fromisoformat(content["appeal_by"]) if content["appeal_by"] else None,
        content=content,
        issued_by=actor_user(actor),
        issued_at=now,
        held_since=None if plan.has_letter_contact else now,
    )


def _notice_issued_event(*, plan: HealthPlan, actor, notice: Notice) -> AuditEvent:
    return audit_event(
        code="authorizations.notice.issued",
        plan=plan,
        actor=actor,
        target=notice,
        payload={"request": notice.request_id, "type": notice.notice_type, "language": notice.language},
    )


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
