"""The Member Transition List's members authorized set-based (issue 15: any import of 100k rows).

The same rows the per-row services write for a transition member (transition_list._create_one):
the active request and its audit event, the six-month reassessment clock, the ECM Provider's
assignment by the named provider or the DOMAIN 7 order with its clocks (provider communication,
PCP notice, Lead Care Manager) and audit event, and the approval letter with its audit event and
render task. Each row is made by the services' own builders and written with bulk_create a chunk
at a time, inside the import's transaction; the provider is chosen by the same pure rule
(`providers.rules.choose_provider`) over the contracts' capacity, kept in memory as rows take it.

A row this path cannot settle alone goes through the per-row services, in list order, so the
outcome is the same as if every row had: a member who already has an ECM Provider or waits for
one, a member no provider can take (the awaiting-assignment worklist and its notifications), and
every row while the plan's letters are held (each held letter tells the administrators).
"""

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from dateutil.relativedelta import relativedelta

from authorizations import rules
from authorizations.models import AuthorizationRequest, Decision, Notice, RequestSource, Status
from authorizations.services.deadlines import reassessment_clock
from authorizations.services.notices import _notice_issued_event, _notice_new
from authorizations.services.requests import _request_created_event, _request_new
from benefits.models import ECM_CODE
from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline
from ecm_platform.deadlines.services import deadline_new
from ecm_platform.tasking import enqueue_many_on_commit
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from eligibility.selectors import determination_list
from members.models import ProgramEnrollment
from members.selectors import active_on
from providers import rules as assignment_rules
from providers.models import Assignment, AssignmentRule, AwaitingAssignment
from providers.services.assignments import (
    SPECIALTY_BEHAVIORAL_HEALTH_POF,
    SPECIALTY_BEHAVIORAL_HEALTH_PROGRAMS,
    _lock_contracts,
    assignment_clocks,
    assignment_created_event,
    assignment_new,
    candidates_on,
)
from providers.services.follow_up import lead_care_manager_clock
from providers.services.settings import assignment_settings_get

BATCH = 2000  # rows decided and written together: a few queries and bulk INSERTs per batch
RENDER_TASK = "authorizations.tasks.notice_render_task"
NAMED_REASON = "Named by the path into services"  # providers.services.assignments._request_or_await


def transition_fields(program: str, start: date) -> dict:
    """A transition member's request: active from the transition date, fully decided that day,
    reassessment due six months later (DOMAIN 3.5)."""
    return {
        "status": Status.ACTIVE,
        "source": RequestSource.TRANSITION,
        "received_at": clocks.start_of_day(start),
        "transition_program": program,
        "services_started_on": start,
        "decision": Decision.FULL,
        "decided_at": clocks.start_of_day(start),
        "reassessment_due": start + relativedelta(months=rules.TRANSITION_REASSESSMENT_MONTHS),
    }


class _Capacity:
    """The contracts in force today with their capacity, as the per-row path reads it, taken down
    in memory by each assignment this path decides."""

    def __init__(self, plan: HealthPlan, today: date):
        self.plan, self.today = plan, today
        self.reload()

    def reload(self) -> None:
        candidates, self.contracts = candidates_on(plan=self.plan, day=self.today)
        self.candidates = {candidate.organization_id: candidate for candidate in candidates}

    def take(self, organization_id: int) -> None:
        candidate = self.candidates[organization_id]
        self.candidates[organization_id] = dataclasses.replace(candidate, assigned=candidate.assigned + 1)


def _facts(plan: HealthPlan, member_ids: list[int], today: date) -> tuple[dict, set, set]:
    """Per member, as the per-row path asks them one by one: the POFs open today, whether a
    specialty behavioral-health program runs today, and who already has or awaits a provider."""
    pofs = defaultdict(set)
    open_today = determination_list(plan=plan).filter(member_id__in=member_ids).filter(active_on(today))
    for member_id, code in open_today.values_list("member_id", "pof__code"):
        pofs[member_id].add(code)
    in_programs = set(
        ProgramEnrollment.objects.filter(
            plan=plan, member_id__in=member_ids, program__code__in=SPECIALTY_BEHAVIORAL_HEALTH_PROGRAMS
        )
        .filter(active_on(today))
        .values_list("member_id", flat=True)
    )
    settled = set(
        Assignment.objects.filter(plan=plan, member_id__in=member_ids, ended_on__isnull=True).values_list(
            "member_id", flat=True
        )
    ) | set(
        AwaitingAssignment.objects.filter(plan=plan, member_id__in=member_ids, resolved_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    return pofs, in_programs, settled


def _decide(capacity: _Capacity, member, organization, pofs: set, in_program: bool, pcp_first: bool):
    """(contract, rule, passed over) as the per-row path would assign the member, or None where it
    would put them on the awaiting-assignment worklist."""
    candidates = capacity.candidates
    if organization is not None:  # providers.services.assignments._contract_taking
        candidate = candidates.get(organization.pk)
        if candidate is None or member.county.code not in candidate.counties or candidate.capacity_left <= 0:
            return None
        return capacity.contracts[organization.pk], AssignmentRule.NAMED_PROVIDER, []
    decision = assignment_rules.choose_provider(
        assignment_rules.Member(
            county=member.county.code,
            pofs=frozenset(pofs),
            receives_specialty_behavioral_health=SPECIALTY_BEHAVIORAL_HEALTH_POF in pofs or in_program,
            behavioral_health_npi=member.behavioral_health_npi,
            pcp_npi=member.pcp_npi,
        ),
        list(candidates.values()),
        pcp_before_behavioral_health=pcp_first,
    )
    if decision.organization_id is None:
        return None
    passed_over = [{"organization": org, "reason": why} for org, why in decision.passed_over]
    return capacity.contracts[decision.organization_id], AssignmentRule(decision.rule.value), passed_over


def _write(plan: HealthPlan, actor, assigner, notifier, notice_type, batch: list, today: date) -> None:
    """The rows decided in memory, (request, contract, rule, passed over), one bulk INSERT per
    table; the list is emptied."""
    if not batch:
        return
    requests = AuthorizationRequest.objects.bulk_create([request for request, *_ in batch])
    assignments = Assignment.objects.bulk_create(
        [
            assignment_new(
                plan=plan,
                member=request.member,
                contract=contract,
                rule=rule,
                passed_over=passed_over,
                reason=NAMED_REASON if rule == AssignmentRule.NAMED_PROVIDER else "",
                authorized_on=today,
                communicate_from=today,
                actor=assigner,
                started_on=today,
            )
            for request, contract, rule, passed_over in batch
        ]
    )
    notices = Notice.objects.bulk_create(
        [
            _notice_new(plan=plan, actor=notifier, request=request, notice_type=notice_type, occasion="transition")
            for request in requests
        ]
    )
    clocks_due = [reassessment_clock(request) for request in requests]
    for assignment in assignments:
        clocks_due += assignment_clocks(assignment)
        clocks_due.append(lead_care_manager_clock(plan=plan, assignment=assignment))  # none named yet
    Deadline.objects.bulk_create([deadline_new(plan=plan, **clock) for clock in clocks_due])
    AuditEvent.objects.bulk_create(
        [_request_created_event(plan=plan, actor=actor, request=request) for request in requests]
        + [assignment_created_event(plan=plan, actor=assigner, assignment=a) for a in assignments]
        + [_notice_issued_event(plan=plan, actor=notifier, notice=notice) for notice in notices]
    )
    enqueue_many_on_commit(RENDER_TASK, [{"plan_id": plan.pk, "notice_id": notice.pk} for notice in notices])
    batch.clear()


def transition_rows_create(
    *, plan: HealthPlan, actor, assigner, notifier, rows: list[tuple], one_row: Callable, progress: Callable
) -> int:
    """Authorize the rows (number, member, program, start, organization), none imported before;
    `one_row(member, program, start, organization)` is the per-row path for the rows this one
    cannot settle alone. `assigner` and `notifier` act for the assignment and the letter, as in
    the per-row path. Returns how many were created."""
    require(assigner, Capability.ASSIGNMENTS_CREATE, plan=plan)
    today = clocks.local_date(clocks.now())
    plan.refresh_from_db(fields=["member_services_phone", "appeals_address"])  # the letters' contact as it is now
    notice_type = rules.notice_type_for(rules.Action.TRANSITION, requested_by_member_or_provider=False)
    pcp_first = assignment_settings_get(plan=plan).pcp_before_behavioral_health
    _lock_contracts(plan)  # as each per-row assignment does: no concurrent one takes the same places
    capacity, batch = _Capacity(plan, today), []
    ecm = service_get(ECM_CODE)  # named on each row: the field's default would look it up per row
    with clocks.calendars_held():
        for first in range(0, len(rows), BATCH):
            chunk = rows[first : first + BATCH]
            pofs, in_programs, settled = _facts(plan, [member.pk for _, member, *_ in chunk], today)
            for _, member, program, start, organization in chunk:
                decided = None
                if plan.has_letter_contact and member.pk not in settled:
                    decided = _decide(
                        capacity, member, organization, pofs[member.pk], member.pk in in_programs, pcp_first
                    )
                if decided is None:
                    _write(plan, actor, assigner, notifier, notice_type, batch, today)
                    one_row(member, program, start, organization)
                    capacity.reload()
                    continue
                contract, rule, passed_over = decided
                capacity.take(contract.organization_id)
                request = _request_new(
                    plan=plan, actor=actor, member=member, service=ecm, **transition_fields(program, start)
                )
                batch.append((request, contract, rule, passed_over))
            _write(plan, actor, assigner, notifier, notice_type, batch, today)
            progress(chunk[-1][0], "importing")
    return len(rows)
