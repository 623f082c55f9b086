"""The closed loop's notices (DOMAIN 9): the member told the provider's name and contact, the
referring entity told of the assignment, of a non-authorization with its reason and of the closure,
electronically only — in-app for a plan user or a provider organization with portal logins, email
to a validated address otherwise (fax does not count).

Each notice is one row per event and recipient (a unique constraint: recorded twice, sent once).
When the event is a decision the request's DOMAIN 5.3 requester notice already tells the same
recipient, the row links that notice and sends nothing: one notice per event, whichever rule owes it.
Emails go out after the commit, through the outbox (ecm_platform.tasking), and are claimed before
they are sent so a retried task never sends twice.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from authorizations.models import RequesterChannel, RequesterNotice
from community_supports.referral_models import (
    NoticeChannel,
    NoticeEvent,
    NoticeRecipient,
    Referral,
    ReferralNotice,
    ReferrerKind,
)
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.notifications.services import notification_send, works_for
from ecm_platform.tasking import enqueue_on_commit
from ecm_platform.tenancy.access import Capability, holders
from ecm_platform.tenancy.models import HealthPlan
from providers.models import ProviderMembership

EMAIL_TASK = "community_supports.tasks.referral_notice_email_task"


def portal_users(plan: HealthPlan, *, user=None, organization_id: int | None = None) -> list:
    """The referring entity's portal logins working for the plan today: the plan user who referred,
    or the referring organization's active staff who read referrals."""
    if user is not None:
        users = [user]
    elif organization_id is not None:
        logins = ProviderMembership.objects.filter(
            organization_id=organization_id,
            role__in=holders(Capability.REFERRALS_READ),
            is_active=True,
            user__is_active=True,
        ).select_related("user")
        users = [login.user for login in logins]
    else:
        users = []
    return [user for user in users if works_for(plan=plan, user=user)]


def referrer_logins(plan: HealthPlan, referral: Referral) -> list:
    if referral.referrer_kind == ReferrerKind.PLAN:
        return portal_users(plan, user=referral.referrer_user)
    return portal_users(plan, organization_id=referral.referrer_organization_id)


def _same_recipient(told: RequesterNotice, referral: Referral) -> bool:
    """Whether the 5.3 requester notice reached the referring entity itself."""
    if told.channel == RequesterChannel.IN_APP:
        return told.organization_id is not None and told.organization_id == referral.referrer_organization_id
    return bool(referral.referrer_email) and told.email.lower() == referral.referrer_email.lower()


def notice_content(referral: Referral, event: NoticeEvent, **facts) -> dict:
    """The facts a notice states, frozen with it: the words are the template's."""
    return {
        "referral": referral.pk,
        "member_name": referral.member.full_name,
        "service_name": referral.service.name,
        "provider_name": referral.organization.name,
        "provider_contact": referral.provider_contact,
        "referrer_name": referral.referrer_name,
        "closure_reason": referral.get_closure_reason_display() if referral.closure_reason else "",
        "closure_detail": referral.closure_detail,
        **facts,
    }


def notice_text(notice: ReferralNotice) -> str:
    return render_to_string(
        "community_supports/referral_notice.txt",
        {"event": notice.event, "recipient": notice.recipient, "content": notice.content},
    )


def _record(plan, referral, event, recipient, label, channel, *, email="", told=None, content) -> ReferralNotice | None:
    """The notice row, once: None when this event's notice to this recipient exists already."""
    now = clocks.now()
    sent_at = now if channel == NoticeChannel.IN_APP else told.sent_at if told is not None else None
    notice, created = ReferralNotice.objects.get_or_create(
        referral=referral,
        event=event,
        recipient=recipient,
        defaults={
            "plan": plan, "recipient_label": label[:200], "channel": channel, "email": email,
            "requester_notice": told, "content": content, "created_at": now, "sent_at": sent_at,
        },
    )  # fmt: skip
    if not created:
        return None
    audit_record(
        code="community_supports.referral_notice.recorded",
        plan=plan, actor=None, target=notice,
        payload={"referral": referral.pk, "event": event, "recipient": recipient, "channel": channel,
                 "requester_notice": told.pk if told is not None else None},
    )  # fmt: skip
    return notice


def _send(plan: HealthPlan, notice: ReferralNotice, users: list, link: str) -> None:
    if notice.channel == NoticeChannel.IN_APP:
        for user in users:
            notification_send(plan=plan, recipient=user, text=notice_text(notice).strip()[:500], link=link, email=True)
    elif notice.channel == NoticeChannel.EMAIL:
        enqueue_on_commit(EMAIL_TASK, plan_id=plan.pk, notice_id=notice.pk)


def notify_referrer(
    *, plan: HealthPlan, referral: Referral, event: NoticeEvent, told: RequesterNotice | None = None, **facts
) -> ReferralNotice | None:
    """Tell the referring entity of `event`, once. `told`: the decision's 5.3 requester notice,
    which is this notice when it reached the same recipient (then nothing more is sent)."""
    content = notice_content(referral, event, **facts)
    if told is not None and _same_recipient(told, referral):
        channel = NoticeChannel.IN_APP if told.channel == RequesterChannel.IN_APP else NoticeChannel.EMAIL
        return _record(
            plan, referral, event, NoticeRecipient.REFERRER, referral.referrer_name, channel,
            email=told.email, told=told, content=content,
        )  # fmt: skip
    if event == NoticeEvent.AUTHORIZED:
        return None  # owed only as the 5.3 decision notice, which did not reach this entity
    users = referrer_logins(plan, referral)
    if users:
        channel, email = NoticeChannel.IN_APP, ""
    elif referral.referrer_email:
        channel, email = NoticeChannel.EMAIL, referral.referrer_email
    else:
        channel, email = NoticeChannel.NONE, ""
    notice = _record(
        plan, referral, event, NoticeRecipient.REFERRER, referral.referrer_name, channel, email=email, content=content
    )
    if notice is not None:
        link = reverse("referral-detail", args=[referral.pk]) if referral.referrer_kind == ReferrerKind.PLAN else ""
        _send(plan, notice, users, link)
    return notice


def notify_member(*, plan: HealthPlan, referral: Referral, event: NoticeEvent) -> ReferralNotice | None:
    """Tell the member, by email (members have no portal logins): the provider's name and contact."""
    member = referral.member
    channel = NoticeChannel.EMAIL if member.email else NoticeChannel.NONE
    notice = _record(
        plan, referral, event, NoticeRecipient.MEMBER, member.full_name, channel, email=member.email,
        content=notice_content(referral, event),
    )  # fmt: skip
    if notice is not None:
        _send(plan, notice, [], "")
    return notice


@transaction.atomic
def referral_notice_email(*, plan: HealthPlan, notice_id: int) -> bool:
    """Email one notice; a vanished or already-sent one is a no-op (safe to retry). The send is
    claimed first by a conditional update; a mail server that fails rolls the claim back."""
    if not ReferralNotice.objects.filter(
        plan=plan, pk=notice_id, channel=NoticeChannel.EMAIL, requester_notice__isnull=True, sent_at__isnull=True
    ).update(sent_at=clocks.now()):
        return False
    notice = ReferralNotice.objects.get(plan=plan, pk=notice_id)
    send_mail(
        subject=f"[{plan.name}] Referral {notice.referral_id}: {notice.get_event_display().lower()}",
        message=notice_text(notice),
        from_email=None,
        recipient_list=[notice.email],
    )
    return True
