"""The DHCS counting rules for outreach attempts (DOMAIN 8; FAQ 19-20; Policy Guide XI): pure
functions of what was done, never of what someone typed as "counts".

An attempt is an individualized communication that gives the member the chance to respond directly.
In person and telephone count whether or not anyone answers; an email, text or other electronic
message counts when it asks the member to respond (its content decides, not how many received it);
a robo-call counts only when it connected the member to live staff, staff left a live message, or
staff answered the member's call-back; postal mail never counts. A successful attempt is a counting
one with an actual interaction with the member or their parent or guardian.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from outreach.models import Method, Outcome

# Outcomes that cannot happen by a method: refused when an attempt is recorded.
IMPOSSIBLE_OUTCOMES: dict[str, frozenset[str]] = {
    Method.IN_PERSON: frozenset({Outcome.LIVE_MESSAGE, Outcome.PRERECORDED_MESSAGE, Outcome.CALLBACK_ANSWERED}),
    # Staff calls leave live messages; a pre-recorded one is a robo-call's.
    Method.TELEPHONE: frozenset({Outcome.PRERECORDED_MESSAGE}),
    Method.EMAIL: frozenset({Outcome.LIVE_MESSAGE, Outcome.PRERECORDED_MESSAGE}),
    Method.TEXT: frozenset({Outcome.LIVE_MESSAGE, Outcome.PRERECORDED_MESSAGE}),
    Method.OTHER_ELECTRONIC: frozenset({Outcome.LIVE_MESSAGE, Outcome.PRERECORDED_MESSAGE}),
    Method.ROBOCALL: frozenset(),
    Method.POSTAL_MAIL: frozenset({Outcome.LIVE_MESSAGE, Outcome.PRERECORDED_MESSAGE}),
}

# An actual interaction with the member or their parent or guardian (DOMAIN 8: successful).
INTERACTIONS = frozenset(
    {Outcome.REACHED_MEMBER, Outcome.REACHED_GUARDIAN, Outcome.DECLINED, Outcome.CALLBACK_ANSWERED}
)
# A robo-call that put the member in touch with live staff (FAQ 20). "Declined" is not among them: a
# member who declines by pressing a key never reached staff.
ROBOCALL_LIVE_STAFF = frozenset(
    {Outcome.REACHED_MEMBER, Outcome.REACHED_GUARDIAN, Outcome.CALLBACK_ANSWERED, Outcome.LIVE_MESSAGE}
)
WRITTEN_ELECTRONIC = frozenset({Method.EMAIL, Method.TEXT, Method.OTHER_ELECTRONIC})


@dataclass(frozen=True)
class Verdict:
    counts: bool
    successful: bool
    reason: str


def outcome_problem(method: str, outcome: str) -> str:
    """Why `outcome` cannot follow an attempt by `method`, or "" when it can."""
    if outcome in IMPOSSIBLE_OUTCOMES[method]:
        return f"{Outcome(outcome).label} cannot be the outcome of {Method(method).label.lower()}."
    return ""


def _counts(method: str, asks_for_response: bool, outcome: str) -> tuple[bool, str]:
    if method == Method.POSTAL_MAIL:
        return False, (
            "Postal mail does not count: it is not an individualized method with a chance to respond directly "
            "(Policy Guide XI)."
        )
    if method == Method.IN_PERSON:
        return True, "In-person outreach counts, whether or not the member is reached."
    if method == Method.TELEPHONE:
        return True, "A telephone call by staff counts, answered or not (a live voicemail counts)."
    if method in WRITTEN_ELECTRONIC:
        label = Method(method).label.lower()
        if asks_for_response:
            return True, f"{label.capitalize()} that asks the member to respond counts, however many received it."
        return False, f"{label.capitalize()} that only informs is marketing, not outreach: it does not count."
    # A robo-call (FAQ 20).
    if outcome in ROBOCALL_LIVE_STAFF:
        return True, f"A robo-call counts when it connects the member to live staff: {Outcome(outcome).label.lower()}."
    return False, (
        "A robo-call that did not connect the member to live staff (no live message, no call-back answered by "
        "staff) does not count (FAQ 20)."
    )


def verdict(method: str, asks_for_response: bool, outcome: str) -> Verdict:
    """Whether an attempt counts, whether it succeeded, and why, in words for the form and the history."""
    counts, reason = _counts(method, asks_for_response, outcome)
    successful = counts and outcome in INTERACTIONS
    if successful:
        reason = f"{reason} Successful: an actual interaction with the member."
    return Verdict(counts=counts, successful=successful, reason=reason)


@dataclass(frozen=True)
class AttemptFacts:
    """What the attempt policy reads of an attempt already recorded."""

    day: date
    method: str
    counts: bool
    successful: bool


@dataclass(frozen=True)
class AttemptPolicy:
    """The plan's "unable to reach" policy (OutreachSettings)."""

    attempts: int
    days: int
    methods: int


@dataclass(frozen=True)
class PolicyStatus:
    met: bool
    explanation: str


def unreachable_status(attempts: Iterable[AttemptFacts], policy: AttemptPolicy) -> PolicyStatus:
    """Has outreach met the plan's attempt policy, so that the member may be closed out as unable to
    reach (DOMAIN 8)? Only counting attempts are weighed; a successful one means the member was reached.
    "N attempts over M days" is read as attempts spread over M days, first to latest: three calls on
    one day and then a month of silence is not persistence."""
    counting = sorted((attempt for attempt in attempts if attempt.counts), key=lambda attempt: attempt.day)
    reached = [attempt for attempt in counting if attempt.successful]
    if reached:
        return PolicyStatus(False, f"The member was reached on {reached[-1].day:%Y-%m-%d}.")
    methods = {attempt.method for attempt in counting}
    span = (counting[-1].day - counting[0].day).days if counting else 0
    missing = []
    if len(counting) < policy.attempts:
        missing.append(f"{policy.attempts - len(counting)} more counting attempt(s) (of {policy.attempts})")
    if len(methods) < policy.methods:
        missing.append(f"{policy.methods - len(methods)} more method(s) (of {policy.methods})")
    if span < policy.days:
        missing.append(
            f"{policy.days - span} more day(s) between the first and the latest counting attempt (of {policy.days})"
        )
    if missing:
        return PolicyStatus(False, "The attempt policy needs " + "; ".join(missing) + ".")
    return PolicyStatus(
        True,
        f"{len(counting)} counting attempts by {len(methods)} methods over {span} days, none successful: "
        "the attempt policy is met.",
    )
