"""Recording outreach attempts (DOMAIN 8): one at a time, or a file's rows all or nothing.

Whether an attempt counts and whether it succeeded is `outreach.rules.verdict`, stored on the row
with its reason. The ECM Provider's staff record their organization's engagements
(PROVIDER_OUTREACH_RECORD); the plan's coordinators and integrators the members the plan
identified (OUTREACH_RECORD). The first counting attempt meets the first-attempt clock.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import audit_event
from ecm_platform.deadlines.models import LIVE_STATES, Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, actor_user, principal_for, require
from ecm_platform.tenancy.models import HealthPlan, Membership
from ecm_platform.tenancy.ownership import require_same_plan
from outreach import rules
from outreach.models import Attempt, Engagement, Method, Outcome, TargetKind
from outreach.selectors import engagement_list
from outreach.signals import attempts_recorded

BULK_ROWS = 1000
MAX_MINUTES = 600
ASKS_FOR_RESPONSE_NEEDED = (
    "Say whether the message asked the member to respond: an email, text or other electronic message counts "
    "only when it does (DOMAIN 8)."
)


def require_either(actor, plan: HealthPlan, plan_capability: Capability, provider_capability: Capability):
    """The first check, before the engagement is looked at: plan staff hold `plan_capability`,
    provider staff `provider_capability` (which engagement's is checked next, by its kind)."""
    principal = principal_for(actor, plan)
    provider = principal is not None and principal.is_provider
    return require(actor, provider_capability if provider else plan_capability, plan=plan)


def record_capability(engagement: Engagement) -> Capability:
    """Who records an engagement's attempts: its ECM Provider's staff, or the plan's own."""
    if engagement.kind == TargetKind.ASSIGNED:
        return Capability.PROVIDER_OUTREACH_RECORD
    return Capability.OUTREACH_RECORD


@dataclass(frozen=True)
class RowError:
    row: int  # 0-based
    field: str
    message: str
    code: str


class BulkRowsInvalid(DomainError):
    """Rows of a bulk load were refused; none was saved. `errors` lists every row's problems."""

    default_code = "rows_invalid"

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len({error.row for error in errors})} row(s) have errors; nothing was recorded.")
        self.errors = errors


def _problems(engagement: Engagement, fields: dict, now: datetime) -> list[tuple[str, str, str]]:
    """(field, message, code) for everything wrong with an attempt on `engagement`."""
    problems = []
    if not engagement.is_open:
        problems.append(("engagement", "This outreach is closed: no attempt can be added.", "engagement_closed"))
    attempted_at = fields.get("attempted_at")
    if not isinstance(attempted_at, datetime):
        problems.append(("attempted_at", "Give the date and time of the attempt.", "required"))
    elif attempted_at > now:
        problems.append(("attempted_at", "An attempt cannot be in the future.", "future"))
    elif clocks.local_date(attempted_at) < engagement.targeted_on:
        problems.append(
            ("attempted_at", f"Outreach began on {engagement.targeted_on:%Y-%m-%d}: the attempt is earlier.", "early")
        )
    method, outcome = fields.get("method"), fields.get("outcome")
    if method not in Method.values:
        problems.append(("method", "Choose how the attempt was made.", "invalid_choice"))
    if outcome not in Outcome.values:
        problems.append(("outcome", "Choose the attempt's outcome.", "invalid_choice"))
    if method in Method.values and outcome in Outcome.values and (problem := rules.outcome_problem(method, outcome)):
        problems.append(("outcome", problem, "impossible_outcome"))
    minutes = fields.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_MINUTES:
        problems.append(("minutes", f"Time spent is a number of minutes from 0 to {MAX_MINUTES}.", "out_of_range"))
    asks = fields.get("asks_for_response")
    if asks is None and method in rules.WRITTEN_ELECTRONIC:
        problems.append(("asks_for_response", ASKS_FOR_RESPONSE_NEEDED, "required"))
    elif asks is not None and not isinstance(asks, bool):
        problems.append(("asks_for_response", "Asks for a response is true or false.", "invalid"))
    if len(fields.get("notes") or "") > 2000:
        problems.append(("notes", "Notes are at most 2000 characters.", "too_long"))
    return problems


def not_staff_message(engagement: Engagement, username: str) -> str:
    """The one answer for a username that is nobody's and for one of someone who may not have made the
    attempt: which usernames exist elsewhere in the installation is not the caller's to learn."""
    if engagement.kind == TargetKind.ASSIGNED:
        return f"{username} is not on the staff of the member's ECM Provider."
    return f"{username} does not work for the plan."


def _staff_problem(engagement: Engagement, staff, plan_staff: set[int], provider_staff: dict[int, int]) -> str:
    """Why `staff` cannot have made an attempt on `engagement` ("" when they can): the plan's own
    outreach is by someone who works for the plan, the provider's by its organization's staff."""
    if staff is None:
        return "Name the staff member who made the attempt."
    if engagement.kind == TargetKind.ASSIGNED:
        if provider_staff.get(staff.pk) != engagement.organization_id:
            return not_staff_message(engagement, staff.get_username())
    elif staff.pk not in plan_staff:
        return not_staff_message(engagement, staff.get_username())
    return ""


def _staff_facts(plan: HealthPlan, user_ids: set[int]) -> tuple[set[int], dict[int, int]]:
    """Of `user_ids`: who works for the plan, and each active provider staff member's organization."""
    plan_staff = set(
        Membership.objects.filter(plan=plan, user_id__in=user_ids, is_active=True).values_list("user_id", flat=True)
    )
    provider_staff = dict(
        get_user_model()
        .objects.filter(pk__in=user_ids, provider_membership__is_active=True)
        .values_list("pk", "provider_membership__organization_id")
    )
    return plan_staff, provider_staff


def _attempt_new(*, plan, actor, engagement: Engagement, staff, fields: dict, now: datetime) -> Attempt:
    asks = bool(fields.get("asks_for_response"))  # only a written message's matters (DOMAIN 8)
    verdict = rules.verdict(fields["method"], asks, fields["outcome"])
    return Attempt(
        plan=plan, engagement=engagement, member_id=engagement.member_id, organization_id=engagement.organization_id,
        staff=staff, attempted_at=fields["attempted_at"], method=fields["method"],
        asks_for_response=asks, outcome=fields["outcome"], minutes=fields["minutes"],
        notes=(fields.get("notes") or "").strip(), counts=verdict.counts, successful=verdict.successful,
        count_reason=verdict.reason[:300], recorded_at=now, recorded_by=actor_user(actor),
    )  # fmt: skip


def _recorded_event(*, plan, actor, attempt: Attempt) -> AuditEvent:
    return audit_event(
        code="outreach.attempt.recorded",
        plan=plan,
        actor=actor,
        target=attempt,
        payload={
            "engagement": attempt.engagement_id, "member": attempt.member_id, "method": attempt.method,
            "outcome": attempt.outcome, "counts": attempt.counts, "successful": attempt.successful,
            "attempted_at": attempt.attempted_at.isoformat(), "minutes": attempt.minutes,
        },
    )  # fmt: skip


def _first_attempts_met(plan: HealthPlan, attempts: list[Attempt]) -> int:
    """Meet the first-attempt clock of every engagement with a counting attempt among `attempts`,
    at its earliest one: one UPDATE."""
    first: dict[int, datetime] = {}
    for attempt in attempts:
        if attempt.counts and (
            attempt.engagement_id not in first or attempt.attempted_at < first[attempt.engagement_id]
        ):
            first[attempt.engagement_id] = attempt.attempted_at
    if not first:
        return 0
    met_at = Case(
        *[When(target_id=engagement_id, then=Value(at)) for engagement_id, at in first.items()],
        output_field=DateTimeField(),
    )
    return Deadline.objects.filter(
        plan=plan, kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT, target_type=ContentType.objects.get_for_model(Engagement),
        target_id__in=list(first), state__in=LIVE_STATES,
    ).update(state=DeadlineState.MET, met_at=met_at, closed_at=clocks.now())  # fmt: skip


@transaction.atomic
def attempt_record(
    *, plan: HealthPlan, actor, engagement: Engagement, attempted_at: datetime, method: str,
    asks_for_response: bool | None, outcome: str, minutes: int, notes: str = "", staff=None,
) -> Attempt:  # fmt: skip
    """Record one attempt; `staff` (who made it) defaults to the actor's user."""
    require_either(actor, plan, Capability.OUTREACH_RECORD, Capability.PROVIDER_OUTREACH_RECORD)
    require_same_plan(plan, engagement, field="engagement")
    require(actor, record_capability(engagement), plan=plan, organization=engagement.organization_id)
    engagement = Engagement.objects.select_for_update().get(plan=plan, pk=engagement.pk)
    staff = staff if staff is not None else actor_user(actor)
    fields = {
        "attempted_at": attempted_at, "method": method, "asks_for_response": asks_for_response, "outcome": outcome,
        "minutes": minutes, "notes": notes,
    }  # fmt: skip
    now = clocks.now()
    for field, message, code in _problems(engagement, fields, now):
        error = ConflictError if code == "engagement_closed" else DomainError
        raise error(message, field=field, code=code)
    if problem := _staff_problem(engagement, staff, *_staff_facts(plan, {staff.pk} if staff else set())):
        raise DomainError(problem, field="staff", code="invalid_staff")
    attempt = _attempt_new(plan=plan, actor=actor, engagement=engagement, staff=staff, fields=fields, now=now)
    attempt.save()
    _recorded_event(plan=plan, actor=actor, attempt=attempt).save()
    _first_attempts_met(plan, [attempt])
    attempts_recorded.send(sender=Attempt, plan=plan, attempts=[attempt])
    return attempt


def _row_errors(index: int, problems) -> list[RowError]:
    return [RowError(row=index, field=field, message=message, code=code) for field, message, code in problems]


@transaction.atomic
def attempts_record_bulk(*, plan: HealthPlan, actor, rows: list[dict]) -> list[Attempt]:
    """Record many attempts (an integrator's load, a provider's file): every row is checked and
    every problem reported (BulkRowsInvalid); only when none has one are they all saved."""
    actor = require_either(actor, plan, Capability.OUTREACH_RECORD, Capability.PROVIDER_OUTREACH_RECORD)
    if len(rows) > BULK_ROWS:
        raise DomainError(f"At most {BULK_ROWS} rows at a time.", field="rows", code="too_many_rows")
    if not rows:
        raise DomainError("No rows to record.", field="rows", code="required")
    ids = {row.get("engagement") for row in rows if isinstance(row.get("engagement"), int)}
    visible = engagement_list(plan=plan, principal=actor).select_for_update(of=("self",))
    engagements = {engagement.pk: engagement for engagement in visible.filter(pk__in=ids)}
    usernames = {row["staff"] for row in rows if isinstance(row.get("staff"), str) and row["staff"]}
    users = {user.get_username(): user for user in get_user_model().objects.filter(username__in=usernames)}
    default_staff = actor_user(actor)
    user_ids = {user.pk for user in users.values()} | ({default_staff.pk} if default_staff else set())
    plan_staff, provider_staff = _staff_facts(plan, user_ids)
    now, errors, checked = clocks.now(), [], []
    for index, row in enumerate(rows):
        engagement = engagements.get(row.get("engagement"))
        if engagement is None:
            errors += _row_errors(index, [("engagement", "No such outreach among those you may see.", "not_found")])
            continue
        capability = record_capability(engagement)
        if not actor.may(capability, plan=plan, organization=engagement.organization_id):
            errors += _row_errors(index, [("engagement", f"Your role may not {capability.label}.", "not_permitted")])
            continue
        problems = _problems(engagement, row, now)
        staff = users.get(row["staff"]) if row.get("staff") else default_staff
        if row.get("staff") and staff is None:
            problems.append(("staff", not_staff_message(engagement, row["staff"]), "invalid_staff"))
        elif problem := _staff_problem(engagement, staff, plan_staff, provider_staff):
            problems.append(("staff", problem, "invalid_staff"))
        errors += _row_errors(index, problems)
        checked.append((engagement, staff, row))
    if errors:
        raise BulkRowsInvalid(errors)
    attempts = Attempt.objects.bulk_create(
        [
            _attempt_new(plan=plan, actor=actor, engagement=engagement, staff=staff, fields=row, now=now)
            for engagement, staff, row in checked
        ]
    )
    AuditEvent.objects.bulk_create([_recorded_event(plan=plan, actor=actor, attempt=attempt) for attempt in attempts])
    _first_attempts_met(plan, attempts)
    attempts_recorded.send(sender=Attempt, plan=plan, attempts=attempts)
    return attempts
