"""Outreach for the demo plan (DOMAIN 8): the targeting job run once, then a few realistic attempts
by the providers' staff and the plan's coordinator, each through the service as that person, so
that the worklists and the measures are not empty: a robo-call that does not count, calls
answered and not, a live voicemail, a visit, an email asking for a reply and an informational text."""

from datetime import timedelta

from authorizations import services as authorizations
from demo.states import submitted, unrequested_members
from ecm_platform import clocks
from ecm_platform.tenancy.access import Principal
from ecm_platform.tenancy.scoping import plan_scope
from outreach.models import Attempt, Engagement, EngagementState, Method, Outcome, TargetKind
from outreach.services import attempt_record, targets_sync
from providers.models import ProviderMembership

# (how long ago, method, asks for a response, outcome, minutes), per engagement. The providers'
# members were approved today, so their attempts are hours old; the plan's, days.
PROVIDER_ATTEMPTS = [
    [
        (timedelta(hours=3), Method.ROBOCALL, False, Outcome.PRERECORDED_MESSAGE, 0),
        (timedelta(hours=2), Method.TELEPHONE, True, Outcome.NO_ANSWER, 4),
    ],
    [(timedelta(hours=2, minutes=30), Method.TELEPHONE, True, Outcome.LIVE_MESSAGE, 6)],
    [(timedelta(hours=1), Method.IN_PERSON, True, Outcome.REACHED_MEMBER, 45)],
    [(timedelta(minutes=40), Method.ROBOCALL, False, Outcome.CALLBACK_ANSWERED, 12)],
]
PLAN_ATTEMPTS = [
    [(timedelta(days=5, hours=3), Method.TELEPHONE, True, Outcome.REACHED_MEMBER, 15)],
    [(timedelta(days=4), Method.EMAIL, True, Outcome.NO_ANSWER, 5),
     (timedelta(days=3, hours=2), Method.TEXT, False, Outcome.NO_ANSWER, 1)],
    [(timedelta(days=6), Method.POSTAL_MAIL, False, Outcome.NO_ANSWER, 10),
     (timedelta(days=1, hours=1), Method.TELEPHONE, True, Outcome.NO_ANSWER, 3)],
]  # fmt: skip
NOTE = "Synthetic attempt for the demo."


def _record(plan, actor, engagement, attempts, now) -> int:
    made = 0
    for ago, method, asks, outcome, minutes in attempts:
        at = now - ago
        if at < clocks.start_of_day(engagement.targeted_on):
            continue
        attempt_record(
            plan=plan, actor=actor, engagement=engagement, attempted_at=at, method=method, asks_for_response=asks,
            outcome=outcome, minutes=minutes, notes=NOTE,
        )  # fmt: skip
        made += 1
    return made


def _approve_assigned(plan, coordinator, reviewer) -> None:
    """Members with an ECM Provider and no request: approved, so their provider reaches out."""
    for member in unrequested_members(plan, assigned=True)[: len(PROVIDER_ATTEMPTS)]:
        request = submitted(plan, coordinator, reviewer, member, received_at=clocks.now() - timedelta(hours=4))
        authorizations.request_approve(plan=plan, actor=reviewer, request=request)


def load_outreach(plan, *, coordinator, reviewer, stdout) -> int:
    """The targets, and a few attempts (none when the demo has attempts already); how many made."""
    with plan_scope(plan):
        first = not Attempt.objects.filter(plan=plan).exists()
        if first:
            _approve_assigned(plan, coordinator, reviewer)
        counts = targets_sync(plan=plan)
        made = _attempts(plan, coordinator) if first else 0
    stdout.write(f"Outreach: {counts['open']} members targeted, {made} attempts recorded.")
    return made


def _attempts(plan, coordinator) -> int:
    now, made = clocks.now(), 0
    open_ = Engagement.objects.filter(plan=plan, state=EngagementState.OPEN).order_by("id")
    logins = {
        login.organization_id: login
        for login in ProviderMembership.objects.filter(is_active=True).select_related("user").order_by("-id")
    }
    assigned = [e for e in open_.filter(kind=TargetKind.ASSIGNED) if e.organization_id in logins]
    for engagement, attempts in zip(assigned, PROVIDER_ATTEMPTS, strict=False):
        staff = Principal.of_provider_membership(logins[engagement.organization_id], plan_ids=[plan.pk])
        made += _record(plan, staff, engagement, attempts, now)
    week_ago = clocks.local_date(now) - timedelta(days=7)
    identified = open_.filter(kind=TargetKind.IDENTIFIED, targeted_on__lte=week_ago)[: len(PLAN_ATTEMPTS)]
    for engagement, attempts in zip(identified, PLAN_ATTEMPTS, strict=False):
        made += _record(plan, coordinator, engagement, attempts, now)
    return made
