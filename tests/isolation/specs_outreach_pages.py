"""Isolation specs for the outreach pages (merged into test_isolation.py's specs): a plan B user never
sees plan A's engagements, attempts or measure runs, and never records, closes or refers on them;
the provider pages refuse plan staff (403) whatever the object.

Plan A objects: {engagement}, an open engagement of {member} (the ECM Provider's: the member is
assigned), with an attempt whose note carries the plan's marker; {measure_run}, a run of 2026 Q4.
Provider staff may use the provider pages and the verdict endpoint (PROVIDER_ROUTES): the provider
harness (test_provider_isolation.py) leaves those out of its "plan pages refuse provider staff".
"""

from datetime import UTC, datetime, timedelta

from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from outreach.measure_runs import measure_run_build
from outreach.models import Attempt, Engagement, MeasureRun, Method, Outcome, TargetKind
from outreach.rules import verdict
from providers.models import Assignment
from tests.factories import UserFactory
from tests.isolation.harness import Call

ATTEMPT = {
    "attempted_at": "2026-11-23T09:15",
    "method": "telephone",
    "asks_for_response": "on",
    "outcome": "no_answer",
    "minutes": "5",
}
SETTINGS = {
    "first_attempt_business_days": "7",
    "unreachable_attempts": "3",
    "unreachable_days": "30",
    "unreachable_methods": "2",
    "referral_business_days": "10",
}
ENGAGEMENT = "/outreach/engagements/{engagement}/"
PROVIDER_ENGAGEMENT = "/provider/outreach/{engagement}/"

PAGE_SPECS: dict = {
    "outreach-worklist": [Call("get", "/outreach/"), Call("get", "/outreach/?overdue=on&kind=assigned")],
    "outreach-verdict": [Call("get", "/outreach/attempts/verdict/?method=robocall&outcome=live_message")],
    "outreach-engagement": [Call("get", ENGAGEMENT, foreign=True)],
    "outreach-attempt": [
        Call("post", ENGAGEMENT + "attempts/", foreign=True, data=ATTEMPT),
        Call("post", ENGAGEMENT + "attempts/", foreign=True, data=ATTEMPT | {"check": "1"}),
    ],
    "outreach-close": [
        Call("post", ENGAGEMENT + f"{action}/", foreign=True, data={"note": "B", "confirmed": "yes"})
        for action in ("enroll", "decline", "unreachable")
    ],
    "outreach-referral": [Call("post", ENGAGEMENT + "referral/", foreign=True, data={"note": "Food bank"})],
    "outreach-member": [Call("get", "/members/{member}/outreach/", foreign=True)],
    "settings-outreach": [Call("get", "/settings/outreach/"), Call("post", "/settings/outreach/", data=SETTINGS)],
    "outreach-measures": [
        Call("get", "/outreach/measures/"),
        Call("post", "/outreach/measures/", data={"year": "2026", "quarter": "4"}),
    ],
    "outreach-measure": [Call("get", "/outreach/measures/{measure_run}/", foreign=True)],
    "outreach-measure-csv": [Call("get", "/outreach/measures/{measure_run}/download.csv", foreign=True)],
    "outreach-measure-xlsx": [Call("get", "/outreach/measures/{measure_run}/download.xlsx", foreign=True)],
    "provider-outreach-worklist": [Call("get", "/provider/outreach/")],
    "provider-outreach-engagement": [Call("get", PROVIDER_ENGAGEMENT, foreign=True)],
    "provider-outreach-attempt": [Call("post", PROVIDER_ENGAGEMENT + "attempts/", foreign=True, data=ATTEMPT)],
    "provider-outreach-close": [
        Call("post", PROVIDER_ENGAGEMENT + "decline/", foreign=True, data={"note": "B", "confirmed": "yes"})
    ],
}
# Routes provider staff may use: not plan pages for the provider harness.
PROVIDER_ROUTES = {
    "outreach-verdict",
    "provider-outreach-worklist",
    "provider-outreach-engagement",
    "provider-outreach-attempt",
    "provider-outreach-close",
}
PROVIDER_CALLS = [call for name in sorted(PROVIDER_ROUTES) for call in PAGE_SPECS[name]]  # one order in every worker


def outreach_world(plan, member, name):
    """The member's outreach by the ECM Provider it is assigned to, one attempt noted with the
    plan's marker, and a measures run of 2026 Q4 that counts them."""
    assignment = Assignment.objects.filter(plan=plan, member=member, ended_on__isnull=True).first()
    at = datetime(2026, 11, 20, 18, tzinfo=UTC)
    engagement = Engagement.objects.create(
        plan=plan, member=member, kind=TargetKind.ASSIGNED, organization_id=assignment.organization_id,
        assignment=assignment, county=member.county, targeted_on=clocks.local_date(at),
        first_attempt_due=at + timedelta(days=14), created_at=at,
    )  # fmt: skip
    judged = verdict(Method.TELEPHONE, True, Outcome.NO_ANSWER)
    Attempt.objects.create(
        plan=plan, engagement=engagement, member=member, organization_id=assignment.organization_id,
        staff=UserFactory(), attempted_at=at + timedelta(hours=1),
        method=Method.TELEPHONE, asks_for_response=True, outcome=Outcome.NO_ANSWER, minutes=5, counts=judged.counts,
        successful=judged.successful, count_reason=judged.reason, notes=f"{name} outreach note", recorded_at=at,
    )  # fmt: skip
    with clocks.frozen(at + timedelta(days=1)):
        measure_run_build(plan=plan, actor=OPERATOR, year=2026, quarter=4)


def outreach_grow(plan):
    """For the query-count tables: outreach_world for every member of the plan with an open
    assignment and no engagement yet (one more engagement, attempt and measures run each)."""
    with scopes_disabled():
        engaged = Engagement.objects.filter(plan=plan).values("member_id")
        assignments = Assignment.objects.filter(plan=plan, ended_on__isnull=True).exclude(member_id__in=engaged)
        for assignment in assignments.select_related("member").order_by("id"):
            outreach_world(plan, assignment.member, f"More {assignment.pk}")


def objects_of(plan) -> dict:
    with scopes_disabled():
        return {
            "engagement": Engagement.objects.filter(plan=plan).values_list("pk", flat=True).first(),
            "measure_run": MeasureRun.objects.filter(plan=plan).values_list("pk", flat=True).first(),
        }
