"""The authorization rules of DOMAIN 5.3, 5.4 and 6 as pure functions (no database).

The decision clocks themselves (5.1) are in `ecm_platform/clocks.py`; this module says which
Notice of Action an action needs, what a notice must give the member, and the appeal and
grievance timeframes.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from authorizations.models import Decision, NoticeType, RequestSource

APPEAL_FILING_DAYS = 60  # DOMAIN 5.3: appeal to the plan within 60 calendar days of the notice
STATE_HEARING_DAYS = 120  # after the plan's appeal decision
AID_PAID_PENDING_DAYS = 10  # appeal within 10 days (or by the effective date) to keep services
DISCONTINUATION_NOTICE_DAYS = 10  # 42 CFR 431.211: notice at least 10 days before the effective date
ACKNOWLEDGEMENT_DAYS = 5  # DOMAIN 5.4: appeals and grievances
RESOLUTION_DAYS = 30
EXPEDITED_RESOLUTION_HOURS = 72
OVERTURNED_SERVICES_HOURS = 72  # 42 CFR 438.424: services within 72 hours of a reversal
TRANSITION_REASSESSMENT_MONTHS = 6  # DOMAIN 3.5


class Action(StrEnum):
    """The decisions a member or requester is told of (DOMAIN 5.3)."""

    EXTEND = "extend"
    APPROVE = "approve"
    DENY = "deny"
    WITHDRAW = "withdraw"
    STOP_PRESUMPTIVE = "stop_presumptive"  # presumptive services withdrawn at the member's request
    DISCONTINUE = "discontinue"  # decided (the notice goes out at the decision)
    OVERTURN = "overturn"  # an appeal overturned a denial (decision full or modified)
    REINSTATE = "reinstate"  # an appeal overturned a discontinuation that had taken effect
    TRANSITION = "transition"  # authorized from the Member Transition List
    END = "end"  # the member left the plan (DOMAIN 5.2): no letter, nobody to tell


def notice_type_for(action: Action, *, requested_by_member_or_provider: bool, decision: str = "") -> NoticeType | None:
    """Which letter an action sends the member, if any (DOMAIN 5.2, 5.3).

    A Notice of Action goes out when services in place are discontinued or stopped (every
    discontinuation, presumptive services stopped at the member's request), and when the member or
    a provider asked for the service and it is denied or deferred; a modified approval's letter is
    its modification notice. Every full approval (an overturn on appeal, a reinstatement and a
    Member Transition List authorization too) gets the standard approval letter, which is not a
    NOA. A withdrawal (declined or unreachable before services began) gets nothing.
    """
    if action in (Action.DISCONTINUE, Action.STOP_PRESUMPTIVE):
        return NoticeType.DISCONTINUATION
    if action in (Action.APPROVE, Action.OVERTURN):
        return NoticeType.MODIFICATION if decision == Decision.MODIFIED else NoticeType.APPROVAL
    if action in (Action.REINSTATE, Action.TRANSITION):
        return NoticeType.APPROVAL
    if not requested_by_member_or_provider:
        return None
    if action == Action.DENY:
        return NoticeType.DENIAL
    if action == Action.EXTEND:
        return NoticeType.DELAY
    return None


# What led to a decision, where its letter says so (codes the templates word; DOMAIN 5.2, 3.5).
LETTER_OCCASIONS = {Action.OVERTURN: "appeal", Action.REINSTATE: "reinstatement", Action.TRANSITION: "transition"}


# DOMAIN 5.3: the decisions the requesting provider or entity is told of, by what they decided.
REQUESTER_DECISIONS = {
    Action.EXTEND: "deferral",
    Action.DENY: "denial",
    Action.DISCONTINUE: "discontinuation",
    Action.STOP_PRESUMPTIVE: "discontinuation",
    Action.APPROVE: "approval",
    Action.OVERTURN: "approval",
    Action.REINSTATE: "approval",
}


# DOMAIN 5.3: the requesting provider or entity is told; a member is told by the letter, and the
# plan's own identification and a transition list have no requester.
REQUESTER_SOURCES = frozenset(
    {RequestSource.PROVIDER_REFERRAL, RequestSource.COMMUNITY_REFERRAL, RequestSource.PRESUMPTIVE}
)


def requester_decision(action: Action, *, source: str, decision: str = "") -> str | None:
    """What the requester is told was decided ("modification" for a modified approval), or None
    when there is no requester to tell or nothing to tell them (a withdrawal)."""
    if source not in REQUESTER_SOURCES:
        return None
    told = REQUESTER_DECISIONS.get(action)
    if told == "approval" and decision == Decision.MODIFIED:
        return "modification"
    return told


class NoticeDateError(ValueError):
    pass


def check_discontinuation_notice(notice_date: date, effective_on: date) -> None:
    """A discontinuation notice is dated at least 10 calendar days before it takes effect."""
    earliest = notice_date + timedelta(days=DISCONTINUATION_NOTICE_DAYS)
    if effective_on < earliest:
        raise NoticeDateError(
            f"A discontinuation takes effect at least {DISCONTINUATION_NOTICE_DAYS} calendar days after its "
            f"notice: on {earliest:%Y-%m-%d} at the earliest for a notice dated {notice_date:%Y-%m-%d}."
        )


@dataclass(frozen=True)
class MemberRights:
    """The deadlines a notice gives the member (DOMAIN 5.3)."""

    appeal_by: date
    state_hearing_days: int
    continue_services_by: date | None  # discontinuations only


def member_rights(
    notice_type: NoticeType, notice_date: date, effective_on: date, *, withdrawn: bool = False
) -> MemberRights | None:
    """None for the approval letter: it is not a Notice of Action and gives no appeal rights.
    Presumptive services `withdrawn` (stopped at the member's request, or a duplicate) end the day
    of their notice, with no advance notice due (42 CFR 431.213(b)), so nothing continues pending an
    appeal (DOMAIN 5.2)."""
    if notice_type == NoticeType.APPROVAL:
        return None
    continue_by = None
    if notice_type == NoticeType.DISCONTINUATION and not withdrawn:
        continue_by = max(notice_date + timedelta(days=AID_PAID_PENDING_DAYS), effective_on)
    return MemberRights(
        appeal_by=notice_date + timedelta(days=APPEAL_FILING_DAYS),
        state_hearing_days=STATE_HEARING_DAYS,
        continue_services_by=continue_by,
    )


def appeal_is_timely(notice_date: date, filed_on: date) -> bool:
    return notice_date <= filed_on <= notice_date + timedelta(days=APPEAL_FILING_DAYS)


def appeal_continues_services(rights: MemberRights, filed_on: date) -> bool:
    """Aid paid pending (42 CFR 438.420): a timely appeal of a discontinuation keeps services."""
    return rights is not None and rights.continue_services_by is not None and filed_on <= rights.continue_services_by
