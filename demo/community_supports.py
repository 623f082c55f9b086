"""Community Supports elections for the demo plan (DOMAIN 9): several services elected in its
counties on past addition anchors, one planned for the next anchor and one removal at the next 1
January, each through the service as the plan administrator, so the settings page and the offered
list are not empty; then Community Supports contracts, a member with two Community Supports and no
ECM, a sobering center stay authorized retroactively, and their deliveries."""

from datetime import date, timedelta
from decimal import Decimal

from authorizations import services as authorizations
from authorizations.models import AuthorizationRequest, RequestSource
from benefits import rules
from benefits.election_selectors import offered_services
from benefits.models import ECM_CODE, CatalogueService, Election
from benefits.services import election_add, election_remove
from community_supports.services import delivery_record
from ecm_platform import clocks
from ecm_platform.tenancy.models import County
from ecm_platform.tenancy.scoping import plan_scope
from members.models import EnrollmentSpan, Member
from providers.models import Assignment, ContractService, ProviderMembership, ProviderOrganization
from providers.provider_selectors import principal_of_provider_membership
from providers.services import contract_activate, contract_create, contract_orientation_record

# (county code, catalogue service code, first day offered)
ELECTIONS = [
    ("01", "housing-transition-navigation", date(2022, 1, 1)),
    ("01", "housing-deposits", date(2022, 1, 1)),
    ("01", "housing-tenancy-sustaining", date(2022, 1, 1)),
    ("01", "medically-tailored-meals", date(2022, 7, 1)),
    ("01", "sobering-centers", date(2023, 1, 1)),
    ("01", "respite", date(2024, 1, 1)),
    ("07", "recuperative-care", date(2022, 1, 1)),
    ("07", "medically-tailored-meals", date(2023, 7, 1)),
    ("34", "respite", date(2024, 1, 1)),
    ("34", "asthma-remediation", date(2024, 7, 1)),
    ("10", "personal-care-homemaker", date(2025, 1, 1)),
]
# Elected, then removed from the next 1 January (its last day 31 December).
REMOVED = ("07", "medically-tailored-meals")
NOTE = "Demo election, approved by DHCS."


def load_community_supports(plan, *, administrator, stdout) -> None:
    with plan_scope(plan):
        if Election.objects.filter(plan=plan).exists():
            return
        today = clocks.local_date(clocks.now())
        counties = {county.code: county for county in County.objects.filter(code__in={row[0] for row in ELECTIONS})}
        services = {service.code: service for service in CatalogueService.objects.all()}
        elected = {}
        planned = [("10", "day-habilitation", rules.next_addition_date(today))]
        for county, code, effective_from in [*ELECTIONS, *planned]:
            elected[county, code] = election_add(
                plan=plan,
                actor=administrator,
                county=counties[county],
                service=services[code],
                effective_from=effective_from,
                state_approved_on=min(effective_from, today),
                note=NOTE,
            )
        election_remove(
            plan=plan,
            actor=administrator,
            election=elected[REMOVED],
            removal_date=rules.next_removal_date(today),
            note="Demo removal: the county contract ends.",
        )
        stdout.write(f"Elected {len(elected)} Community Supports in the demo plan's counties, one removed.")


# Community Supports contracts (DOMAIN 9): (provider NPI, counties, {service: capacity}) — lines of a
# contract of their own beside the providers' ECM contracts.
CS_CONTRACTS = [
    ("1234567893", ["01"], {"respite": 10, "medically-tailored-meals": 20, "sobering-centers": 15}),
    ("1679576722", ["34"], {"respite": 10, "asthma-remediation": 5}),
]
CS_PROVIDER = "1234567893"  # Eastbay Community Health Center: the county 01 member's provider
STARTED_AGO = 45  # days since the member's two Community Supports started
SOBERING_AGO = 3  # days since the sobering center stay began, the evening before the request
REFERRAL = "Demo referral (family caregiver)"


def load_community_supports_services(plan, *, administrator, coordinator, reviewer, stdout) -> None:
    """Contract lines for Community Supports, then a member of county 01 with two of them and no ECM
    (respite and medically tailored meals, approved and started), another authorized retroactively
    for a sobering center stay, and their deliveries, each step as the user who would take it."""
    with plan_scope(plan):
        if ContractService.objects.filter(plan=plan).exclude(service__code=ECM_CODE).exists():
            return
        if (
            not offered_services(plan=plan, county=County.objects.get(code="01"), on=clocks.local_date(clocks.now()))
            .filter(code="respite")
            .exists()
        ):
            stdout.write("Respite is not elected in county 01 (a demo database from before): no Community Supports.")
            return
        for npi, counties, lines in CS_CONTRACTS:
            contract = contract_create(
                plan=plan, actor=administrator, organization=ProviderOrganization.objects.get(npi=npi),
                counties=list(County.objects.filter(code__in=counties)), pofs=[], start_date=date(2024, 1, 1),
                lines=[{"service": code, "capacity": capacity} for code, capacity in lines.items()],
            )  # fmt: skip
            contract_activate(plan=plan, contract=contract, activated_on=date(2024, 1, 1), actor=administrator)
            # DOMAIN 7: a Community Supports provider completes orientation within 10 working days.
            contract_orientation_record(
                plan=plan, actor=administrator, contract=contract, completed_on=date(2024, 1, 9)
            )
        today = clocks.local_date(clocks.now())
        member, sobered = members_without_requests(plan, county="01", enrolled_by=today - timedelta(days=90))[:2]
        started = today - timedelta(days=STARTED_AGO)
        with clocks.frozen(clocks.start_of_day(started) + timedelta(hours=10)):
            respite = authorized(
                plan, coordinator, reviewer, member, "respite",
                service_from=started, service_to=started + timedelta(days=180), quantity=Decimal(120),
            )  # fmt: skip
            meals = authorized(
                plan, coordinator, reviewer, member, "medically-tailored-meals",
                service_from=started, service_to=started + timedelta(days=83), quantity=Decimal(2),
            )  # fmt: skip
        stay = sobering_stay(plan, coordinator, reviewer, sobered, today - timedelta(days=SOBERING_AGO))
        provider = provider_staff(plan, CS_PROVIDER, today)
        for request, actor, first, last, quantity in [
            (respite, provider, started + timedelta(days=2), started + timedelta(days=3), 16),
            (respite, provider, started + timedelta(days=16), started + timedelta(days=17), 16),
            (respite, coordinator, started + timedelta(days=30), started + timedelta(days=30), 8),
            (meals, provider, started, started + timedelta(days=13), 2),
            (meals, provider, started + timedelta(days=14), started + timedelta(days=27), 2),
            (stay, provider, stay.service_from, stay.service_to, 11),
        ]:
            delivery_record(
                plan=plan, actor=actor, request=request, delivered_from=first, delivered_to=last,
                quantity=Decimal(quantity), notes="Demo delivery.",
            )  # fmt: skip
        stdout.write(
            f"Community Supports: {member.full_name} receives respite and medically tailored meals without ECM; "
            f"{sobered.full_name}'s sobering center stay was authorized after it began; 6 deliveries recorded."
        )


def members_without_requests(plan, *, county: str, enrolled_by: date) -> list:
    """Enrolled members of `county` with no request and no ECM Provider, by id."""
    enrolled = EnrollmentSpan.objects.filter(plan=plan, start_date__lte=enrolled_by, end_date__isnull=True)
    return list(
        Member.objects.filter(plan=plan, county__code=county, pk__in=enrolled.values("member_id"))
        .exclude(pk__in=AuthorizationRequest.objects.filter(plan=plan).values("member_id"))
        .exclude(pk__in=Assignment.objects.filter(plan=plan).values("member_id"))
        .order_by("id")
    )


def authorized(plan, coordinator, reviewer, member, code, **asked):
    """Submitted, reviewed, approved on the service's checklist (placing the member with the
    contracted provider) and started (DOMAIN 5.2, 9)."""
    service = CatalogueService.objects.get(code=code)
    request = authorizations.request_submit(
        plan=plan, actor=coordinator, member=member, source=RequestSource.FAMILY_REFERRAL, service=service,
        requester_name=REFERRAL, **asked,
    )  # fmt: skip
    request = authorizations.request_start_review(plan=plan, actor=reviewer, request=request)
    request = authorizations.request_approve(
        plan=plan, actor=reviewer, request=request, criteria_met=service.eligibility_criteria
    )
    return authorizations.request_start_services(
        plan=plan, actor=coordinator, request=request, started_on=asked.get("service_from")
    )


def sobering_stay(plan, coordinator, reviewer, member, day: date):
    """A stay from 21:00 on `day` to 08:00 the next morning, asked for and authorized after it
    began (retroactive: sobering centers only, DOMAIN 9)."""
    began = clocks.start_of_day(day) + timedelta(hours=21)
    with clocks.frozen(began + timedelta(hours=12)):
        return authorized(
            plan, coordinator, reviewer, member, "sobering-centers", service_from=day,
            service_to=day + timedelta(days=1), quantity=Decimal(11), service_began_at=began,
        )  # fmt: skip


def provider_staff(plan, npi: str, today: date):
    membership = ProviderMembership.objects.filter(organization__npi=npi, is_active=True).order_by("id").first()
    return principal_of_provider_membership(membership, day=today)
