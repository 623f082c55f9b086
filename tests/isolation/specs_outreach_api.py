"""Isolation specs for the outreach API (DOMAIN 8), merged into test_isolation.py's specs (API_SPECS,
plan roles of plan B against plan A) and test_provider_isolation.py's (PROVIDER_SPECS, provider X's
staff against provider Y's and plan B's engagements; plan routes refuse provider principals).

Objects: {engagement}, {member} and {measure_run} come from specs_outreach_pages.outreach_world (the
member's outreach by its ECM Provider, an attempt noted with the plan's marker, a 2026 Q4 run);
{attempt} is that attempt (objects_of below). The bodies name plan A's engagement, so each write
must be refused (4xx) and change nothing: outreach_snapshot(plan) is what the harness compares.
"""

from django_scopes import scopes_disabled

from outreach.models import Attempt, Engagement, MeasureRun, OutreachSettings
from tests.isolation.harness import Call

ATTEMPT = {
    "engagement": "{engagement}",
    "attempted_at": "2026-11-23T09:15:00-08:00",
    "method": "telephone",
    "outcome": "no_answer",
    "minutes": 5,
}
SETTINGS = {
    "first_attempt_business_days": 7,
    "unreachable_attempts": 3,
    "unreachable_days": 30,
    "unreachable_methods": 2,
    "referral_business_days": 10,
}
ENGAGEMENTS = "/api/v1/outreach/engagements/"
ATTEMPTS = "/api/v1/outreach/attempts/"
RUNS = "/api/v1/outreach/measure-runs/"
VERDICT = "verdict/?method=robocall&asks_for_response=true&outcome=live_message"


def _close_calls(prefix: str, actions) -> dict:
    return {
        ("POST", f"{prefix}{{id}}/{action}/"): [
            Call("post", f"{prefix}{{engagement}}/{action}/", foreign=True, data={"note": "B"})
        ]
        for action in actions
    }


API_SPECS: dict = {
    ("GET", ENGAGEMENTS): [
        Call("get", ENGAGEMENTS, lists="engagement"),
        Call("get", f"{ENGAGEMENTS}?member={{member}}", lists="engagement"),
        Call("get", f"{ENGAGEMENTS}?state=open&kind=assigned&overdue=true", lists="engagement"),
    ],
    ("GET", f"{ENGAGEMENTS}{{id}}/"): [Call("get", f"{ENGAGEMENTS}{{engagement}}/", foreign=True)],
    **_close_calls(ENGAGEMENTS, ("enroll", "decline", "unreachable", "other-programs-referral")),
    ("GET", ATTEMPTS): [
        Call("get", ATTEMPTS, lists="attempt"),
        Call("get", f"{ATTEMPTS}?engagement={{engagement}}", lists="attempt"),
        Call("get", f"{ATTEMPTS}?member={{member}}&counts=true", lists="attempt"),
    ],
    ("GET", f"{ATTEMPTS}{{id}}/"): [Call("get", f"{ATTEMPTS}{{attempt}}/", foreign=True)],
    ("POST", ATTEMPTS): [Call("post", ATTEMPTS, data=ATTEMPT)],
    ("POST", f"{ATTEMPTS}bulk/"): [Call("post", f"{ATTEMPTS}bulk/", data={"attempts": [ATTEMPT]})],
    ("GET", f"{ATTEMPTS}verdict/"): [Call("get", ATTEMPTS + VERDICT)],
    ("GET", "/api/v1/settings/outreach/"): [Call("get", "/api/v1/settings/outreach/")],
    ("PUT", "/api/v1/settings/outreach/"): [Call("put", "/api/v1/settings/outreach/", data=SETTINGS)],
    ("GET", RUNS): [Call("get", RUNS, lists="measure_run")],
    ("POST", RUNS): [Call("post", RUNS, data={"year": 2026, "quarter": 4})],
    ("GET", f"{RUNS}{{id}}/"): [Call("get", f"{RUNS}{{measure_run}}/", foreign=True)],
    ("GET", f"{RUNS}{{id}}/download/"): [
        Call("get", f"{RUNS}{{measure_run}}/download/?format=csv", foreign=True),
        Call("get", f"{RUNS}{{measure_run}}/download/?format=xlsx", foreign=True),
    ],
}

PROVIDER_ENGAGEMENTS = "/api/v1/provider/outreach/engagements/"
PROVIDER_ATTEMPTS = "/api/v1/provider/outreach/attempts/"
PROVIDER_SPECS: dict = {
    ("GET", PROVIDER_ENGAGEMENTS): [
        Call("get", PROVIDER_ENGAGEMENTS, lists="engagement"),
        Call("get", f"{PROVIDER_ENGAGEMENTS}?plan=plan-b", lists="engagement"),
        Call("get", f"{PROVIDER_ENGAGEMENTS}?state=open", lists="engagement"),
    ],
    ("GET", f"{PROVIDER_ENGAGEMENTS}{{id}}/"): [Call("get", f"{PROVIDER_ENGAGEMENTS}{{engagement}}/", foreign=True)],
    **_close_calls(PROVIDER_ENGAGEMENTS, ("enroll", "decline", "unreachable")),
    ("GET", PROVIDER_ATTEMPTS): [
        Call("get", PROVIDER_ATTEMPTS, lists="attempt"),
        Call("get", f"{PROVIDER_ATTEMPTS}?plan=plan-b", lists="attempt"),
        Call("get", f"{PROVIDER_ATTEMPTS}?engagement={{engagement}}", lists="attempt"),
    ],
    ("POST", PROVIDER_ATTEMPTS): [Call("post", PROVIDER_ATTEMPTS, data=ATTEMPT)],
    ("POST", f"{PROVIDER_ATTEMPTS}bulk/"): [Call("post", f"{PROVIDER_ATTEMPTS}bulk/", data={"attempts": [ATTEMPT]})],
    ("GET", f"{PROVIDER_ATTEMPTS}verdict/"): [Call("get", PROVIDER_ATTEMPTS + VERDICT)],
}


def objects_of(plan) -> dict:
    """{attempt}: the plan's first attempt (specs_outreach_pages.objects_of gives the rest)."""
    with scopes_disabled():
        return {"attempt": Attempt.objects.filter(plan=plan).values_list("pk", flat=True).first()}


def provider_objects_of(member_id) -> dict:
    """For the provider harness: the engagement of one of its members and that engagement's attempt."""
    with scopes_disabled():
        engagement = Engagement.objects.filter(member_id=member_id).values_list("pk", flat=True).first()
        attempt = Attempt.objects.filter(engagement_id=engagement).values_list("pk", flat=True).first()
    return {"engagement": engagement, "attempt": attempt}


def outreach_snapshot(plan=None) -> tuple:
    """What a refused call must leave as it was: engagements, attempts, settings and runs (of `plan`,
    or of every plan for the provider harness)."""
    where = {"plan": plan} if plan is not None else {}
    with scopes_disabled():
        return (
            sorted(
                Engagement.objects.filter(**where).values_list(
                    "pk", "state", "closed_at", "request_id", "other_programs_referred_at"
                )
            ),
            sorted(Attempt.objects.filter(**where).values_list("pk", "engagement_id")),
            sorted(OutreachSettings.objects.filter(**where).values_list("plan_id", *SETTINGS)),
            MeasureRun.objects.filter(**where).count(),
        )
