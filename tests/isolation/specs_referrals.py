"""Isolation specs for closed-loop referrals (DOMAIN 9), merged into test_isolation.py's specs (plan
B's roles against plan A) and test_provider_isolation.py's (provider X's staff against provider
Y's and plan B's referrals).

Objects: {referral}, a referral of the placed respite authorization of specs_community_supports
to its provider, sent by a shelter whose name carries the plan's marker, with its event, a notice
and the plan's referral settings. Every write names plan A's referral or member in plan A's scope
only, so it must be refused (4xx) or touch plan B's own rows; referrals_snapshot is what the
harnesses compare.
"""

from datetime import UTC, datetime, timedelta

from django_scopes import scopes_disabled

from authorizations.models import AuthorizationRequest
from community_supports.models import Referral, ReferralEvent, ReferralNotice, ReferralSettings
from tests.isolation.harness import Call

SENT = datetime(2026, 11, 17, 18, tzinfo=UTC)
REFERRALS = "/api/v1/referrals/"
PROVIDER_REFERRALS = "/api/v1/provider/referrals/"
SETTINGS = "/api/v1/settings/referrals/"
ACCEPT = {"provider_contact": "(510) 555-0100"}
DECLINE = {"reason": "no_capacity"}
CLOSE = {"reason": "member_declined"}
INTAKE = {
    "member": "{member}", "service": "respite", "organization": "{organization}", "referrer_kind": "shelter",
    "referrer_name": "Intake shelter", "referrer_email": "intake@shelter.example.org",
}  # fmt: skip
INTAKE_FORM = INTAKE | {"member": "{member_cin}", "urgency": "routine"}
STEPS = {"accept": ACCEPT, "decline": DECLINE, "start-service": {}, "close": CLOSE}


def _steps(prefix: str) -> list[Call]:
    return [Call("post", f"{prefix}{{referral}}/{step}/", foreign=True, data=data) for step, data in STEPS.items()]


PAGE_SPECS: dict = {
    "referrals": [Call("get", "/referrals/"), Call("get", "/referrals/?status=sent&stalled=on")],
    "referral-new": [Call("get", "/referrals/new/"), Call("post", "/referrals/new/", data=INTAKE_FORM)],
    "referral-detail": [Call("get", "/referrals/{referral}/", foreign=True)],
    "referral-step": _steps("/referrals/"),
    "settings-referrals": [
        Call("get", "/settings/referrals/"),
        Call("post", "/settings/referrals/", data={"response_business_days": "3", "closure_days": "30"}),
    ],
    "provider-referrals": [Call("get", "/provider/referrals/"), Call("get", "/provider/referrals/?status=sent")],
    "provider-referral-detail": [Call("get", "/provider/referrals/{referral}/", foreign=True)],
    "provider-referral-step": _steps("/provider/referrals/"),
}
# The pages provider staff use: the provider harness runs them, and leaves them out of "plan pages
# refuse provider staff".
PROVIDER_PAGE_CALLS = [call for name in sorted(PAGE_SPECS) if name.startswith("provider-") for call in PAGE_SPECS[name]]


def _action_specs(prefix: str) -> dict:
    return {
        ("POST", f"{prefix}{{id}}/{step}/"): [Call("post", f"{prefix}{{referral}}/{step}/", foreign=True, data=data)]
        for step, data in STEPS.items()
    }


API_SPECS: dict = {
    ("GET", REFERRALS): [
        Call("get", REFERRALS, lists="referral"),
        Call("get", f"{REFERRALS}?stalled=true&member={{member}}", lists="referral"),
    ],
    ("POST", REFERRALS): [Call("post", REFERRALS, data=INTAKE)],
    ("GET", f"{REFERRALS}{{id}}/"): [Call("get", f"{REFERRALS}{{referral}}/", foreign=True)],
    **_action_specs(REFERRALS),
    ("GET", SETTINGS): [Call("get", SETTINGS)],
    ("PUT", SETTINGS): [Call("put", SETTINGS, data={"response_business_days": 3, "closure_days": 30})],
}
PROVIDER_SPECS: dict = {
    ("GET", PROVIDER_REFERRALS): [
        Call("get", PROVIDER_REFERRALS, lists="referral"),
        Call("get", f"{PROVIDER_REFERRALS}?plan=plan-b", lists="referral"),
    ],
    # A provider refers a member of its own: another organization's or plan's member is refused.
    ("POST", PROVIDER_REFERRALS): [
        Call(
            "post",
            PROVIDER_REFERRALS,
            data={"plan": plan, "member": "{member}", "service": "respite", "organization": 1},
        )
        for plan in ("plan-a", "plan-b")
    ],
    ("GET", f"{PROVIDER_REFERRALS}{{id}}/"): [Call("get", f"{PROVIDER_REFERRALS}{{referral}}/", foreign=True)],
    **_action_specs(PROVIDER_REFERRALS),
}


def referral_for(request: AuthorizationRequest, name: str) -> Referral:
    """A shelter's referral of `request`'s member to the provider it is placed with, sent and not
    answered yet, with its event and a notice. Rows as the services leave them: the loop's own
    tests are elsewhere."""
    with scopes_disabled():
        plan = request.plan
        referral = Referral.objects.create(
            plan=plan, member=request.member, service=request.service, request=request,
            organization=request.service_assignment.organization, referrer_kind="shelter",
            referrer_name=f"{name} shelter", referrer_email="shelter@example.org", notes=f"{name} referral",
            sent_at=SENT, response_due_at=SENT + timedelta(days=7), closure_due_at=SENT + timedelta(days=60),
            updated_at=SENT,
        )  # fmt: skip
        ReferralEvent.objects.create(
            plan=plan, referral=referral, status="sent", at=SENT, actor_label=f"{name} coordinator"
        )
        ReferralNotice.objects.create(
            plan=plan, referral=referral, event="authorized", recipient="referrer", recipient_label=f"{name} shelter",
            channel="email", email="shelter@example.org", created_at=SENT, sent_at=SENT,
            content={"referrer_name": f"{name} shelter"},
        )  # fmt: skip
        return referral


def referrals_world(plan, name):
    """The plan's referral of its placed respite authorization, and its referral settings."""
    with scopes_disabled():
        placed = AuthorizationRequest.objects.filter(plan=plan, service_assignment__isnull=False).get()
        ReferralSettings.objects.create(plan=plan, response_business_days=4, closure_days=45)
    referral_for(placed, name)


def objects_of(plan) -> dict:
    with scopes_disabled():
        return {"referral": Referral.objects.filter(plan=plan).values_list("pk", flat=True).get()}


def referrals_snapshot(plan=None) -> tuple:
    """Referrals, their events and notices, and the settings (of `plan`, or of every plan)."""
    where = {"plan": plan} if plan is not None else {}
    with scopes_disabled():
        return (
            sorted(Referral.objects.filter(**where).values_list("pk", "status", "updated_at")),
            ReferralEvent.objects.filter(**where).count(),
            sorted(ReferralNotice.objects.filter(**where).values_list("pk", "event", "sent_at")),
            sorted(ReferralSettings.objects.filter(**where).values_list("plan_id", "response_business_days")),
        )
