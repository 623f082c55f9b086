"""The clocks authorizations own, as rows of the core deadline registry (ARCHITECTURE, Deadlines):
who must act, by when, and the page where it is done. The lifecycle services call these inside
their own transactions; the core monitor tells the owners."""

from datetime import datetime

from authorizations.models import Appeal, AuthorizationRequest, Grievance
from ecm_platform import clocks
from ecm_platform.deadlines.models import DeadlineKind
from ecm_platform.deadlines.services import deadline_meet, deadline_open
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import HealthPlan
from providers.models import Assignment
from providers.services.follow_up import lead_care_manager_due


def _request_link(request: AuthorizationRequest) -> str:
    return f"/authorizations/{request.pk}/"


def decision_clock_run(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    """Start the decision clock at `request.due_at`, or move it there (an extension, DOMAIN 5.1)."""
    deadline_open(
        plan=plan, kind=DeadlineKind.DECISION, target=request, due_at=request.due_at,
        owner=Capability.AUTHORIZATIONS_APPROVE, member=request.member, link=_request_link(request),
        label=f"Decision for {request.member.full_name} (request {request.pk})",
    )  # fmt: skip


def decision_clock_stop(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    """The decision clock stops on approved, denied, withdrawn or ended (DOMAIN 5.2)."""
    deadline_meet(plan=plan, kind=DeadlineKind.DECISION, target=request)


def services_after_reversal_run(*, plan: HealthPlan, request: AuthorizationRequest, due_at: datetime) -> None:
    """Services are due within 72 hours of a reversal on appeal (DOMAIN 5.2; 42 CFR 438.424)."""
    deadline_open(
        plan=plan, kind=DeadlineKind.SERVICES_AFTER_REVERSAL, target=request, due_at=due_at,
        owner=Capability.AUTHORIZATIONS_START_SERVICES, member=request.member, link=_request_link(request),
        label=f"Services for {request.member.full_name} after the appeal (request {request.pk})",
    )  # fmt: skip


def services_started(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    deadline_meet(plan=plan, kind=DeadlineKind.SERVICES_AFTER_REVERSAL, target=request)


def reassessment_clock(request: AuthorizationRequest) -> dict:
    """A transition member's six-month reassessment (DOMAIN 3.5), due at the end of its day: the
    clock's fields, for `deadline_open` or, in a set-based import, `deadline_new`."""
    return {
        "kind": DeadlineKind.REASSESSMENT, "target": request, "due_at": clocks.end_of_day(request.reassessment_due),
        "owner": Capability.REASSESSMENTS_RECORD, "member": request.member, "link": _request_link(request),
        "label": f"Six-month reassessment of {request.member.full_name} (request {request.pk})",
    }  # fmt: skip


def reassessment_run(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    deadline_open(plan=plan, **reassessment_clock(request))


def reassessment_done(*, plan: HealthPlan, request: AuthorizationRequest) -> None:
    deadline_meet(plan=plan, kind=DeadlineKind.REASSESSMENT, target=request)


def lead_care_manager_run(*, plan: HealthPlan, assignment: Assignment | None) -> None:
    """Services run without a Lead Care Manager (presumptive, transition, reinstatement): naming
    one is due in 10 business days (DOMAIN 5.2); the assignment service meets it."""
    if assignment is not None and assignment.lead_care_manager_id is None:
        lead_care_manager_due(plan=plan, assignment=assignment)


def case_clocks_run(*, plan: HealthPlan, case: Appeal | Grievance) -> None:
    """An appeal's or a grievance's acknowledgement and resolution clocks (DOMAIN 5.4)."""
    is_appeal = isinstance(case, Appeal)
    what = "Appeal" if is_appeal else "Grievance"
    link = f"/authorizations/{'appeals' if is_appeal else 'grievances'}/{case.pk}/"
    kinds = [
        (DeadlineKind.APPEAL_ACKNOWLEDGEMENT if is_appeal else DeadlineKind.GRIEVANCE_ACKNOWLEDGEMENT,
         case.acknowledgement_due, Capability.APPEALS_ACKNOWLEDGE, "acknowledgement"),
        (DeadlineKind.APPEAL_RESOLUTION if is_appeal else DeadlineKind.GRIEVANCE_RESOLUTION,
         case.resolution_due, Capability.APPEALS_RESOLVE if is_appeal else Capability.GRIEVANCES_RESOLVE,
         "resolution"),
    ]  # fmt: skip
    for kind, due_at, owner, step in kinds:
        deadline_open(
            plan=plan, kind=kind, target=case, due_at=due_at, owner=owner, member=case.member, link=link,
            label=f"{what} {case.pk} of {case.member.full_name}: {step}",
        )  # fmt: skip


def case_acknowledged(*, plan: HealthPlan, case: Appeal | Grievance) -> None:
    kind = DeadlineKind.APPEAL_ACKNOWLEDGEMENT if isinstance(case, Appeal) else DeadlineKind.GRIEVANCE_ACKNOWLEDGEMENT
    deadline_meet(plan=plan, kind=kind, target=case, at=case.acknowledged_at)


def case_resolved(*, plan: HealthPlan, case: Appeal | Grievance) -> None:
    kind = DeadlineKind.APPEAL_RESOLUTION if isinstance(case, Appeal) else DeadlineKind.GRIEVANCE_RESOLUTION
    deadline_meet(plan=plan, kind=kind, target=case, at=case.resolved_at)
