"""Ending services (DOMAIN 5.2, 5.3, 6): a discontinuation is proposed, decided with its notice,
scheduled until its effective date (held while an appeal under aid paid pending is open), and then
taken effect by a job; an overturned appeal cancels it, or reinstates services it had ended.

ECM ends for one of the four reasons of DOMAIN 6; a Community Support on one of its own criteria,
kept in the catalogue (FAQ 39), or because the plan stops offering it in the member's county."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from authorizations import rules
from authorizations.models import (
    Appeal,
    AuthorizationRequest,
    DiscontinuationProposer,
    DiscontinuationReason,
    DiscontinuationState,
    Status,
)
from authorizations.services import community_supports, deadlines
from authorizations.services.common import _acting_as, _assign, _notify_reviewers
from authorizations.services.lifecycle import _transition
from authorizations.services.notices import SERVICE_NO_LONGER_OFFERED, _notice_if_needed, discontinuation_criterion_of
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.deadlines.services import deadline_cancel
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.ownership import require_same_plan
from providers.models import Assignment, AssignmentEndReason
from providers.services import assignment_end

# What a decided discontinuation writes, and what cancelling or reinstating clears.
CLEARED_DISCONTINUATION = {
    "discontinuation_reason": "",
    "discontinuation_criterion": "",
    "discontinuation_effective_on": None,
    "needs_lower_level_of_care": False,
    "discontinuation_proposed_reason": "",
    "discontinuation_proposed_by": "",
    "discontinuation_proposal_note": "",
}


def discontinuation_job(plan: HealthPlan) -> Principal:
    """The system principal that lets decided discontinuations take effect (DOMAIN 5.2)."""
    return Principal.system(
        "discontinuations", Capability.DISCONTINUATIONS_TAKE_EFFECT, Capability.ASSIGNMENTS_END, plan=plan
    )


def _active_locked(request: AuthorizationRequest, *, plan: HealthPlan) -> AuthorizationRequest:
    """The request as it is now, locked for this transaction; refused unless services are active."""
    require_same_plan(plan, request)
    locked = (
        AuthorizationRequest.objects.select_for_update()
        .select_related("member", "service")
        .get(plan=plan, pk=request.pk)
    )
    if locked.status != Status.ACTIVE:
        raise ConflictError(
            f"A request that is {locked.get_status_display().lower()} cannot be discontinued.",
            code="invalid_transition",
        )
    return locked


def _why_it_ends(request: AuthorizationRequest, *, reason: str, criterion: str) -> tuple[str, str]:
    """(reason, criterion): ECM ends for one of the four reasons of DOMAIN 6, a Community Support
    on one of its own criteria (FAQ 39), never the other's."""
    service = request.service
    if service.is_ecm:
        if criterion:
            raise DomainError("ECM ends for one of its four reasons, not a criterion.", field="criterion")
        if reason not in DiscontinuationReason.values:
            raise DomainError("Choose one of the four discontinuation reasons.", field="reason")
        return reason, ""
    if reason:
        raise DomainError(
            f"The four reasons are ECM's: {service.name} ends on one of its own criteria.", field="reason"
        )
    if not criterion or criterion not in [item.get("code") for item in service.discontinuation_criteria]:
        raise DomainError(f"Choose one of the discontinuation criteria of {service.name}.", field="criterion")
    return "", criterion


def _why_label(request: AuthorizationRequest, *, reason: str, criterion: str) -> str:
    if criterion:
        return discontinuation_criterion_of(request.service, criterion)["en"]
    return DiscontinuationReason(reason).label


def _save(request: AuthorizationRequest, **fields) -> None:
    for field, value in fields.items():
        setattr(request, field, value)
    request.updated_at = clocks.now()
    request.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def request_propose_discontinuation(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    proposed_by: DiscontinuationProposer,
    reason: DiscontinuationReason | str = "",
    criterion: str = "",
    note: str = "",
) -> AuthorizationRequest:
    """The provider asks (or the plan proposes) to discontinue; a reviewer decides (DOMAIN 6). A
    Community Support's proposed criterion is held in `discontinuation_criterion` until the
    decision, which sets it (no effective date yet: only proposed)."""
    require(actor, Capability.DISCONTINUATIONS_PROPOSE, plan=plan)
    request = _active_locked(request, plan=plan)
    reason, criterion = _why_it_ends(request, reason=reason, criterion=criterion)
    proposal = {"discontinuation_proposed_reason": reason}
    if request.discontinuation_effective_on is None:  # a decided criterion is not a proposal's to change
        proposal["discontinuation_criterion"] = criterion
    _save(request, **proposal, discontinuation_proposed_by=proposed_by, discontinuation_proposal_note=note.strip())
    audit_record(
        code="authorizations.request.discontinuation_proposed",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reason": reason, "criterion": criterion, "proposed_by": proposed_by},
    )
    _notify_reviewers(
        plan=plan,
        text=(
            f"Discontinuation proposed for {request.member.full_name}: "
            f"{_why_label(request, reason=reason, criterion=criterion)}."
        ),
        request=request,
    )
    return request


@transaction.atomic
def request_discontinue(
    *,
    plan: HealthPlan,
    actor,
    request: AuthorizationRequest,
    effective_on: date,
    reason: DiscontinuationReason | str = "",
    criterion: str = "",
    explanation: str = "",
) -> AuthorizationRequest:
    """The reviewer decides to end services for one of the four reasons (ECM) or one of the
    service's own criteria (a Community Support), with a notice dated at least 10 days before the
    effective date (DOMAIN 6, 5.3; FAQ 39). Until that date the request stays `active`, marked
    "discontinuation scheduled", and services, the assignment and the provider's capacity go on;
    the job `discontinuations_take_effect` ends them on the date (DOMAIN 5.2)."""
    request = _active_locked(request, plan=plan)
    require(actor, Capability.AUTHORIZATIONS_DISCONTINUE, plan=plan)
    _refuse_if_scheduled(request)
    reason, criterion = _why_it_ends(request, reason=reason, criterion=criterion)
    try:
        rules.check_discontinuation_notice(clocks.local_date(clocks.now()), effective_on)
    except rules.NoticeDateError as error:
        raise DomainError(str(error), field="effective_on", code="notice_too_late") from error
    # The reassessment (DOMAIN 3.5) ends in this decision when it finds the member should leave ECM.
    deadlines.reassessment_done(plan=plan, request=request)
    return _schedule(
        plan=plan, actor=actor, request=request, reason=reason, criterion=criterion, effective_on=effective_on,
        explanation=explanation,
    )  # fmt: skip


@transaction.atomic
def request_discontinue_for_service_removal(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, effective_on: date
) -> AuthorizationRequest:
    """The plan stops offering the Community Support in the member's county (an election removal,
    DOMAIN 9): services end with a discontinuation notice on the plan's own criterion, effective
    the later of `effective_on` and the notice date + 10 days (DOMAIN 5.3). A request already
    ending by then is left as it is (a rerun changes nothing)."""
    require(actor, Capability.AUTHORIZATIONS_DISCONTINUE, plan=plan)
    request = _active_locked(request, plan=plan)
    if request.service.is_ecm:
        raise DomainError("ECM is not elected per county: it is not discontinued by an election.", field="request")
    earliest = clocks.local_date(clocks.now()) + timedelta(days=rules.DISCONTINUATION_NOTICE_DAYS)
    effective_on = max(effective_on, earliest)
    scheduled = request.discontinuation_effective_on
    if scheduled is not None and scheduled <= effective_on:
        return request
    _refuse_if_scheduled(request)
    return _schedule(
        plan=plan, actor=actor, request=request, reason="", criterion=SERVICE_NO_LONGER_OFFERED["code"],
        effective_on=effective_on,
    )  # fmt: skip


def _refuse_if_scheduled(request: AuthorizationRequest) -> None:
    if request.discontinuation_effective_on is not None:
        raise ConflictError(
            f"A discontinuation is scheduled already, effective {request.discontinuation_effective_on:%Y-%m-%d}.",
            code="discontinuation_scheduled",
        )


def _schedule(
    *, plan: HealthPlan, actor, request: AuthorizationRequest, reason: str, criterion: str, effective_on: date,
    explanation: str = "",
) -> AuthorizationRequest:  # fmt: skip
    """Record the decided discontinuation and send its notice (DOMAIN 5.2, 5.3); only a member
    leaving ECM moves to a lower level of care management (DOMAIN 6)."""
    _save(
        request,
        discontinuation_reason=reason,
        discontinuation_criterion=criterion,
        discontinuation_effective_on=effective_on,
        decision_explanation=explanation.strip(),
        needs_lower_level_of_care=request.service.is_ecm,
    )
    audit_record(
        code="authorizations.request.discontinuation_scheduled",
        plan=plan,
        actor=actor,
        target=request,
        payload={"reason": reason, "criterion": criterion, "effective_on": str(effective_on)},
    )
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.DISCONTINUE)
    return request


def held_by_appeal(request_pk) -> Exists:
    """An appeal under aid paid pending is open (DOMAIN 5.3): the discontinuation waits for it."""
    return Exists(Appeal.objects.filter(request=request_pk, continues_services=True, resolved_at__isnull=True))


def _take_effect(*, plan: HealthPlan, actor, request: AuthorizationRequest, on: date) -> AuthorizationRequest:
    """`active → discontinued` on `on`; the assignment ends that day, freeing its place (DOMAIN 7)."""
    request = _transition(
        request, "discontinue", plan=plan, actor=actor,
        payload={"reason": request.discontinuation_reason, "effective_on": str(on)},
    )  # fmt: skip
    deadline_cancel(plan=plan, target=request)
    if request.service.is_ecm:
        assignment_end(plan=plan, actor=actor, member=request.member, on=on, reason=AssignmentEndReason.DISCONTINUED)
    else:  # the request's own placement, never the member's ECM assignment (DOMAIN 9)
        community_supports._end_placement(
            plan=plan, actor=actor, request=request, on=on, reason=AssignmentEndReason.DISCONTINUED
        )
    return request


def discontinuations_take_effect(*, plan: HealthPlan, actor, on: date | None = None) -> list[int]:
    """The daily job: every decided discontinuation whose effective date has come, and that no
    appeal under aid paid pending holds, takes effect on that date. A rerun finds nothing more."""
    require(actor, Capability.DISCONTINUATIONS_TAKE_EFFECT, plan=plan)
    today = on or clocks.local_date(clocks.now())
    due = (
        AuthorizationRequest.objects.filter(plan=plan, status=Status.ACTIVE, discontinuation_effective_on__lte=today)
        .exclude(held_by_appeal(OuterRef("pk")))
        .select_related("member", "service", "service_assignment")
        .order_by("discontinuation_effective_on", "pk")
    )
    done = []
    for request in due:
        try:
            with transaction.atomic():
                _take_effect(plan=plan, actor=actor, request=request, on=request.discontinuation_effective_on)
        except ConflictError:
            continue  # decided otherwise meanwhile (an appeal overturned it): nothing to do
        done.append(request.pk)
    return done


def _discontinuation_after_upheld_appeal(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    """An upheld appeal lets the discontinuation take effect on the later of its effective date
    and the resolution (DOMAIN 5.2): today, if the date has passed and no other appeal holds it;
    otherwise the job does on the date."""
    request = AuthorizationRequest.objects.select_for_update().select_related("member").get(plan=plan, pk=request.pk)
    today = clocks.local_date(clocks.now())
    if request.discontinuation_state != DiscontinuationState.SCHEDULED or request.discontinuation_effective_on > today:
        return
    _take_effect(plan=plan, actor=discontinuation_job(plan), request=request, on=today)


def _discontinuation_overturned(*, plan: HealthPlan, actor, request: AuthorizationRequest, appeal: Appeal) -> None:
    """An overturned appeal of a discontinuation cancels it while services still run, and
    reinstates them (`discontinued → active`) once it has taken effect (DOMAIN 5.2)."""
    request = AuthorizationRequest.objects.select_for_update().select_related("member").get(plan=plan, pk=request.pk)
    if request.status == Status.DISCONTINUED:
        _reinstate(plan=plan, actor=actor, request=request, appeal=appeal)
    elif request.status == Status.ACTIVE and request.discontinuation_effective_on is not None:
        require(actor, Capability.AUTHORIZATIONS_OVERTURN, plan=plan)
        _save(request, **CLEARED_DISCONTINUATION)
        audit_record(
            code="authorizations.request.discontinuation_cancelled",
            plan=plan,
            actor=actor,
            target=request,
            payload={"appeal": appeal.pk},
        )
        _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.REINSTATE)


def _reinstate(*, plan: HealthPlan, actor, request: AuthorizationRequest, appeal: Appeal) -> AuthorizationRequest:
    """Services resume within 72 hours, with the provider the member had where it can take them
    back, else the awaiting-assignment worklist; a Lead Care Manager is due in 10 business days."""
    now = clocks.now()
    request = _transition(
        request, "reinstate", plan=plan, actor=actor, payload={"appeal": appeal.pk},
        services_due_by=clocks.expedited_due(now, rules.OVERTURNED_SERVICES_HOURS), **CLEARED_DISCONTINUATION,
    )  # fmt: skip
    deadlines.services_after_reversal_run(plan=plan, request=request, due_at=request.services_due_by)
    if _resume_services(plan=plan, actor=actor, request=request, reason=f"Reinstated on appeal {appeal.pk}"):
        deadlines.services_started(plan=plan, request=request)  # services resume with that provider
    _notice_if_needed(plan=plan, actor=actor, request=request, action=rules.Action.REINSTATE)
    return request


def _resume_services(*, plan: HealthPlan, actor, request: AuthorizationRequest, reason: str):
    """Services run again: the provider the member had takes them back where it can, with a Lead
    Care Manager due in 10 business days; else the member awaits an assignment, which, once made,
    resumes them (DOMAIN 5.2). A Community Support goes back to its provider where it has room,
    else to another of that service, else it waits for one (no Lead Care Manager, DOMAIN 9)."""
    today = clocks.local_date(clocks.now())
    if not request.service.is_ecm:
        had = request.service_assignment
        return community_supports._place(
            plan=plan, actor=actor, request=request, on=today, preferred_organization=had.organization if had else None
        )
    previous = (
        Assignment.objects.filter(plan=plan, member=request.member, ended_on__isnull=False)
        .select_related("organization")
        .order_by("-ended_on", "-pk")
        .first()
    )
    assignment = _assign(
        plan=plan, actor=actor, request=request, on=today,
        organization=previous.organization if previous else None, reason=reason, services_running=True,
    )  # fmt: skip
    deadlines.lead_care_manager_run(plan=plan, assignment=assignment)
    return assignment


def _discontinuation_held(*, plan: HealthPlan, actor, appeal: Appeal) -> None:
    """A timely appeal under aid paid pending recorded after its discontinuation took effect (received
    by the effective date, entered after that evening's job or backdated) holds it all the same
    (DOMAIN 5.2, 5.3): the `discontinued → active` edge is taken back, the request marked
    "discontinuation pending appeal", and services resume with the provider the member had."""
    request = (
        AuthorizationRequest.objects.select_for_update().select_related("member").get(plan=plan, pk=appeal.request_id)
    )
    if request.status != Status.DISCONTINUED or request.discontinuation_effective_on != appeal.notice.effective_on:
        return  # services still run (the job will wait), or this notice's discontinuation is not what ended them
    # A step aid paid pending entails, which the role recording the appeal may not take on its own.
    principal = _acting_as(actor, plan, "aid-paid-pending", Capability.AUTHORIZATIONS_OVERTURN)
    request = _transition(request, "reinstate", plan=plan, actor=principal, payload={"appeal": appeal.pk, "held": True})
    _resume_services(plan=plan, actor=principal, request=request, reason=f"Held by the timely appeal {appeal.pk}")
