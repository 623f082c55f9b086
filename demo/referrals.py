"""Closed-loop referrals and encounters for the demo plan (DOMAIN 9, 11): Golden Bridges Reentry
Services signs Housing Transition Navigation in county 01, and Hope Shelter refers four members to it
by email, each step taken by the user who would take it, on its own day:

- one served and closed "services received", its navigation days invoiced and converted into
  encounters (H0043 U6);
- one whose service has started;
- one the provider declined (no capacity), for the plan to refer elsewhere;
- one sent nine days ago and never answered: a stalled referral on the worklist and the deadlines.
"""

from datetime import date, timedelta

from authorizations import services as authorizations
from benefits.models import CatalogueService
from community_supports.models import ClosureReason, DeclineReason, Referral, ReferrerKind
from community_supports.referral_services import (
    referral_accept,
    referral_close,
    referral_decline,
    referral_record,
    referral_start_service,
)
from demo.community_supports import members_without_requests, provider_staff
from ecm_platform import clocks
from ecm_platform.tenancy.models import County
from ecm_platform.tenancy.scoping import plan_scope
from encounters.services import invoice_lines_record
from providers.models import ProviderOrganization
from providers.services import contract_activate, contract_create

PROVIDER = "1003000126"  # Golden Bridges Reentry Services, county 01
NAVIGATION = "housing-transition-navigation"
SHELTER = {
    "referrer_kind": ReferrerKind.SHELTER,
    "referrer_name": "Hope Shelter",
    "referrer_email": "intake@hope-shelter.example.org",
}
CONTACT = "Golden Bridges housing desk, (559) 555-0142"
# Days ago each referral was sent, and how far its loop went.
SENT_AGO = {"served": 40, "started": 20, "declined": 12, "stalled": 9}


def _on(day: date, hour: int = 10):
    return clocks.frozen(clocks.start_of_day(day) + timedelta(hours=hour))


def load_referrals(plan, *, administrator, coordinator, reviewer, stdout) -> None:
    with plan_scope(plan):
        if Referral.objects.filter(plan=plan).exists():
            return
        today = clocks.local_date(clocks.now())
        golden = ProviderOrganization.objects.get(npi=PROVIDER)
        contract = contract_create(
            plan=plan, actor=administrator, organization=golden, counties=list(County.objects.filter(code="01")),
            pofs=[], start_date=date(2024, 1, 1), lines=[{"service": NAVIGATION, "capacity": 12}],
        )  # fmt: skip
        contract_activate(plan=plan, contract=contract, activated_on=date(2024, 1, 1), actor=administrator)
        staff = provider_staff(plan, PROVIDER, today)
        service = CatalogueService.objects.get(code=NAVIGATION)
        members = members_without_requests(plan, county="01", enrolled_by=today - timedelta(days=90))
        referrals = {}
        for (name, ago), member in zip(SENT_AGO.items(), members, strict=False):
            sent = today - timedelta(days=ago)
            with _on(sent):
                referrals[name] = referral_record(
                    plan=plan, actor=coordinator, member=member, service=service, organization=golden, **SHELTER,
                    service_from=sent + timedelta(days=3), service_to=sent + timedelta(days=120),
                    notes="Demo referral: staying at Hope Shelter, needs help finding housing.",
                )  # fmt: skip
        for name in ("served", "started"):
            _served(plan, referrals[name], staff=staff, reviewer=reviewer)
        with _on(today - timedelta(days=SENT_AGO["declined"] - 1)):
            referral_decline(plan=plan, actor=staff, referral=referrals["declined"], reason=DeclineReason.NO_CAPACITY)
        served = referrals["served"]
        invoiced = _invoice(plan, served, staff, first=served.service_started_on, days=10)
        with _on(today - timedelta(days=2)):
            served.refresh_from_db()
            referral_close(plan=plan, actor=staff, referral=served, reason=ClosureReason.SERVICES_RECEIVED)
        stdout.write(
            f"Closed-loop referrals: Hope Shelter referred {len(referrals)} members to Golden Bridges for housing "
            f"navigation (one served and closed, one started, one declined, one unanswered); {invoiced} invoice "
            "lines became encounters."
        )


def _served(plan, referral, *, staff, reviewer) -> None:
    """Accepted the next day, authorized the day after, started on the period's first day."""
    sent = clocks.local_date(referral.sent_at)
    with _on(sent + timedelta(days=1)):
        referral_accept(plan=plan, actor=staff, referral=referral, provider_contact=CONTACT)
    with _on(sent + timedelta(days=2)):
        request = authorizations.request_start_review(plan=plan, actor=reviewer, request=referral.request)
        authorizations.request_approve(
            plan=plan, actor=reviewer, request=request, criteria_met=request.service.eligibility_criteria
        )
    with _on(sent + timedelta(days=3)):
        referral.refresh_from_db()
        referral_start_service(plan=plan, actor=staff, referral=referral)
        referral.refresh_from_db()


def _invoice(plan, referral, staff, *, first: date, days: int) -> int:
    """The provider's invoice for the navigation days, one line a day (H0043 U6, per diem)."""
    lines = [
        {
            "provider_npi": PROVIDER,
            "invoice_number": f"GB-{referral.pk:05d}",
            "line_number": number,
            "member_cin": referral.member.cin,
            "service_from": (first + timedelta(days=number - 1)).isoformat(),
            "hcpcs": "H0043",
            "modifier_1": "U6",
            "units": "1",
            "place_of_service": "04",
        }
        for number in range(1, days + 1)
    ]
    with _on(first + timedelta(days=days + 1)):
        return invoice_lines_record(plan=plan, actor=staff, lines=lines)["created"]
