"""What a resolved appeal does to the request whose notice it appealed (DOMAIN 5.2, 5.4): an
overturned denial authorizes it, in full or modified; an overturned modification approves in full;
an overturned delay restores the original due date; an appeal of a discontinuation cancels it,
reinstates services, or lets it take effect when upheld."""

from authorizations import rules
from authorizations.models import (
    OPEN_STATUSES,
    Appeal,
    AppealOutcome,
    AuthorizationRequest,
    Decision,
    NoticeType,
    Status,
)
from authorizations.services import community_supports, deadlines
from authorizations.services.common import _assign
from authorizations.services.discontinuation import _discontinuation_after_upheld_appeal, _discontinuation_overturned
from authorizations.services.lifecycle import _transition
from authorizations.services.notices import _notice_if_needed
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan

# A partial overturn of these approves with a modification, which must say what is approved.
MODIFIABLE_NOTICES = (NoticeType.DENIAL, NoticeType.MODIFICATION)
# A modification is overturned only while its approval stands (not withdrawn, ended, discontinued).
GRANTED = (Status.APPROVED, Status.ACTIVE)


def _check_outcome(*, notice_type: str, outcome: str, modification: str) -> None:
    if outcome == AppealOutcome.PARTIALLY_OVERTURNED and notice_type in MODIFIABLE_NOTICES and not modification.strip():
        raise DomainError("Say what is approved after the partial overturn.", field="modification")


def _appeal_outcome_apply(*, plan: HealthPlan, actor, appeal: Appeal, modification: str = "") -> None:
    """Carry a resolved appeal's outcome to its request, where the request is still where the
    appealed notice left it (a request that moved on since is left alone)."""
    request = (
        AuthorizationRequest.objects.select_for_update().select_related("member").get(plan=plan, pk=appeal.request_id)
    )
    notice_type = appeal.notice.notice_type
    overturned = appeal.outcome in (AppealOutcome.OVERTURNED, AppealOutcome.PARTIALLY_OVERTURNED)
    decision = Decision.MODIFIED if appeal.outcome == AppealOutcome.PARTIALLY_OVERTURNED else Decision.FULL
    if notice_type == NoticeType.DISCONTINUATION:
        if overturned:
            _discontinuation_overturned(plan=plan, actor=actor, request=request, appeal=appeal)
        else:
            _discontinuation_after_upheld_appeal(plan=plan, request=request)
    elif not overturned:
        return
    elif notice_type == NoticeType.DENIAL and request.status == Status.DENIED:
        request_overturn(
            plan=plan, actor=actor, request=request, appeal=appeal, decision=decision, modification=modification
        )
    elif notice_type == NoticeType.MODIFICATION and request.decision == Decision.MODIFIED and request.status in GRANTED:
        _modification_overturned(
            plan=plan, actor=actor, request=request, appeal=appeal, decision=decision, modification=modification
        )
    elif notice_type == NoticeType.DELAY and request.status in OPEN_STATUSES:
        _delay_overturned(plan=plan, actor=actor, request=request, appeal=appeal)


def request_overturn(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    appeal: Appeal,
    decision: Decision = Decision.FULL,
    modification: str = "",
) -> AuthorizationRequest:
    """A denial overturned on appeal is authorized, not reviewed again: in full, or modified with
    its modification notice when partially overturned; services are due within 72 hours of the
    reversal (DOMAIN 5.2)."""
    now = clocks.now()
    request = _transition(
        request,
        "overturn",
        plan=plan,
        actor=actor,
        payload={"appeal": appeal.pk, "decision": decision},
        decided_at=now,
        decided_by=actor_user(actor),
        decision=decision,
        modification=modification.strip() if decision == Decision.MODIFIED else "",
        services_due_by=clocks.expedited_due(now, rules.OVERTURNED_SERVICES_HOURS),
    )
    deadlines.services_after_reversal_run(plan=plan, request=request, due_at=request.services_due_by)
    if request.service.is_ecm:
        _assign(plan=plan, actor=actor, request=request, on=clocks.local_date(now))
    else:  # a Community Support's own provider (DOMAIN 9), or none yet
        community_supports._place(plan=plan, actor=actor, request=request, on=clocks.local_date(now))
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.OVERTURN)
    return request


def _modification_overturned(*, plan, actor, request, appeal, decision: Decision, modification: str) -> None:
    """An overturned modification approves in full; a partial overturn approves another
    modification, with its notice (DOMAIN 5.2)."""
    require(actor, Capability.AUTHORIZATIONS_OVERTURN, plan=plan)
    request.decision = decision
    request.modification = modification.strip() if decision == Decision.MODIFIED else ""
    request.decided_at, request.decided_by, request.updated_at = clocks.now(), actor_user(actor), clocks.now()
    request.save(update_fields=["decision", "modification", "decided_at", "decided_by", "updated_at"])
    audit_record(
        code="authorizations.request.modification_overturned",
        plan=plan,
        actor=actor,
        target=request,
        payload={"appeal": appeal.pk, "decision": decision},
    )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.OVERTURN)


def _delay_overturned(*, plan, actor, request, appeal) -> None:
    """An overturned delay restores the original due date where it has not passed, and otherwise
    makes the decision due at once (DOMAIN 5.2)."""
    require(actor, Capability.AUTHORIZATIONS_OVERTURN, plan=plan)
    now = clocks.now()
    restored = request.original_due_at if request.original_due_at and request.original_due_at > now else now
    old_due = request.due_at
    request.due_at, request.updated_at = restored, now
    request.save(update_fields=["due_at", "updated_at"])
    audit_record(
        code="authorizations.request.delay_overturned",
        plan=plan,
        actor=actor,
        target=request,
        payload={"appeal": appeal.pk, "old_due": old_due.isoformat(), "new_due": restored.isoformat()},
    )
    deadlines.decision_clock_run(plan=plan, request=request)
