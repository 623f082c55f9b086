"""Members who left the plan (DOMAIN 5.2): their requests end, run by a job from enrollment data."""

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Subquery

from authorizations.models import ENDABLE_STATUSES, AuthorizationRequest
from authorizations.rules import Action
from authorizations.services import deadlines
from authorizations.services.lifecycle import _end_provider, _transition
from authorizations.signals import request_decided
from ecm_platform import clocks
from ecm_platform.deadlines.services import deadline_cancel
from ecm_platform.errors import ConflictError
from ecm_platform.tenancy.access import Capability, Principal, require
from ecm_platform.tenancy.models import HealthPlan
from members.models import EnrollmentSpan
from members.selectors import active_on
from providers.models import AssignmentEndReason


def left_plan_job(plan: HealthPlan) -> Principal:
    """The system principal that ends the requests of members who left the plan (DOMAIN 5.2)."""
    return Principal.system("left-plan", Capability.AUTHORIZATIONS_END, Capability.ASSIGNMENTS_END, plan=plan)


def requests_end_for_members_left(*, plan: HealthPlan, actor) -> list[int]:
    """The daily job: a request in presumptive, approved, active, deferred, in review or received
    whose member is not enrolled today ends (`ended`, no notice: the member is no longer the
    plan's); the decision clock stops, the other clocks are cancelled, and the assignment (a
    Community Support's own placement) ends on the last enrolled day. A rerun finds nothing more."""
    require(actor, Capability.AUTHORIZATIONS_END, plan=plan)
    today = clocks.local_date(clocks.now())
    spans = EnrollmentSpan.objects.filter(plan=plan, member=OuterRef("member"))
    left = (
        AuthorizationRequest.objects.filter(plan=plan, status__in=ENDABLE_STATUSES)
        .exclude(Exists(spans.filter(active_on(today))))
        .annotate(
            last_enrolled=Subquery(
                spans.filter(end_date__lt=today).values("member").annotate(last=Max("end_date")).values("last")
            )
        )
        .select_related("member", "service", "service_assignment")
        .order_by("pk")
    )
    ended = []
    for request in left:
        last_day = request.last_enrolled or today
        try:
            with transaction.atomic():
                request = _transition(request, "end", plan=plan, actor=actor, payload={"last_enrolled": str(last_day)})
                deadlines.decision_clock_stop(plan=plan, request=request)
                deadline_cancel(plan=plan, target=request)
                _end_provider(
                    plan=plan, actor=actor, request=request, on=last_day, reason=AssignmentEndReason.LEFT_PLAN,
                    label="left-plan",
                )  # fmt: skip
                request_decided.send(
                    sender=AuthorizationRequest, plan=plan, request=request, action=Action.END, requester_notice=None
                )
        except ConflictError:
            continue  # moved on meanwhile
        ended.append(request.pk)
    return ended
