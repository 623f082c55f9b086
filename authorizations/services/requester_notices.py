"""Every decision told to the provider or entity that asked for it, once and electronically
(DOMAIN 5.3): in the provider portal when the requester organization has portal logins, by email
to the request's validated contact otherwise. Fax does not count, and free text is no address."""

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string

from authorizations import rules
from authorizations.models import (
    DenialReason,
    DiscontinuationReason,
    Notice,
    RequesterChannel,
    RequesterNotice,
    WithdrawalReason,
)
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.models import HealthPlan
from providers.models import ProviderMembership

# The decisions that did not authorize what was asked: the requester is told why.
NOT_AUTHORIZED = frozenset({"denial", "deferral", "modification", "discontinuation"})


def requester_contact_clean(value: str) -> str:
    """The requester's contact as a request stores it: an email address or nothing (a provider's
    portal logins are its organization's), never free text (DOMAIN 5.3)."""
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as error:
            raise DomainError(
                "The requester's contact must be an email address; a provider with portal logins needs none.",
                field="requester_contact",
                code="invalid_email",
            ) from error
    return value


def requester_notice_record(*, plan: HealthPlan, notice: Notice, action: rules.Action) -> RequesterNotice | None:
    """Tell the requester of the decision `notice` tells the member, once (one row per notice).
    Runs inside the decision's transaction; the email goes out after it commits. None when the
    request has no requester to tell, or no electronic way to reach them (recorded in the audit)."""
    request = notice.request
    decision = rules.requester_decision(action, source=request.source, decision=request.decision)
    if decision is None:
        return None
    now = clocks.now()
    organization = request.requester_organization
    has_portal = (
        organization is not None
        and ProviderMembership.objects.filter(organization=organization, is_active=True).exists()
    )
    if has_portal:
        channel, email, sent_at = RequesterChannel.IN_APP, "", now
    elif request.requester_contact:
        channel, email, sent_at = RequesterChannel.EMAIL, request.requester_contact, None
    else:
        audit_record(
            code="authorizations.requester_notice.unreachable",
            plan=plan, actor=None, target=request, payload={"notice": notice.pk, "decision": decision},
        )  # fmt: skip
        return None
    told, created = RequesterNotice.objects.get_or_create(
        notice=notice,
        defaults={
            "plan": plan, "request": request, "decision": decision, "channel": channel,
            "organization": organization, "email": email, "created_at": now, "sent_at": sent_at,
        },
    )  # fmt: skip
    if created:
        audit_record(
            code="authorizations.requester_notice.recorded",
            plan=plan, actor=None, target=told, payload={"decision": decision, "channel": channel},
        )  # fmt: skip
        if channel == RequesterChannel.EMAIL:
            enqueue_on_commit("authorizations.tasks.requester_notice_email_task", plan_id=plan.pk, told_id=told.pk)
    return told


# What the letters of old content, which carry no name, called their service.
OLD_SERVICE_NAMES = {"ecm": "Enhanced Care Management", "community_supports": "Community Supports"}


def requester_notice_service(content: dict) -> str:
    """The service decided on, named as the member's notice froze it (DOMAIN 5.3)."""
    return content.get("service_name") or OLD_SERVICE_NAMES.get(content["service"], content["service"])


def requester_notice_reasons(told: RequesterNotice) -> list[str]:
    """The labels of the reason codes the decision gave (the plan's words for providers), and a
    Community Support's discontinuation criterion as the notice froze it (FAQ 39)."""
    content = told.notice.content
    reasons = [
        choices(content[key]).label
        for key, choices in (
            ("denial_reason", DenialReason),
            ("discontinuation_reason", DiscontinuationReason),
            ("withdrawal_reason", WithdrawalReason),
        )
        if content.get(key)
    ]
    if content.get("discontinuation_criterion"):
        reasons.append(content["discontinuation_criterion_en"])
    return reasons


def requester_notice_text(told: RequesterNotice) -> str:
    """What the requester reads: the decision and, when not authorized, the reason code's label and
    the reviewer's explanation as written; from the member's notice, frozen at the decision."""
    return render_to_string(
        "authorizations/letters/requester_notice.txt",
        {
            "told": told,
            "content": told.notice.content,
            "service": requester_notice_service(told.notice.content),
            "reasons": requester_notice_reasons(told),
            "not_authorized": told.decision in NOT_AUTHORIZED,
        },
    )


@transaction.atomic
def requester_notice_email(*, plan: HealthPlan, told_id: int) -> bool:
    """Email one requester notice; a vanished or already-sent one is a no-op (safe to retry). The
    send is claimed first by a conditional update (a second worker waits for it, then finds it
    sent); a mail server that fails rolls the claim back for the retry."""
    if not RequesterNotice.objects.filter(
        plan=plan, pk=told_id, channel=RequesterChannel.EMAIL, sent_at__isnull=True
    ).update(sent_at=clocks.now()):
        return False
    told = RequesterNotice.objects.select_related("notice").get(plan=plan, pk=told_id)
    send_mail(
        subject=(
            f"[{plan.name}] Decision on request {told.request_id}: {told.decision} "
            f"({requester_notice_service(told.notice.content)})"
        ),
        message=requester_notice_text(told),
        from_email=None,
        recipient_list=[told.email],
    )
    return True
