"""A synthetic member population for the demo plan: deterministic (seeded), a few thousand
members, six months of claims with a small over-dispersed group of high utilizers, and members in
each Population of Focus and each kind of program overlap. No real person's data."""

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from authorizations import services as authorizations
from authorizations.models import AuthorizationRequest, DenialReason, RequestSource, Urgency
from demo.states import PRESUMPTIVE_PROVIDER, started_services
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.models import County
from eligibility.models import Determination, DeterminationSource, EventType, PopulationOfFocus, UtilizationEvent
from eligibility.services import determination_record
from members.models import EnrollmentSpan, MedicareModel, Member, Program, Sex
from members.services import program_enrollment_add
from providers.models import Assignment, Contract, ProviderOrganization
from providers.selectors import vetting_missing
from providers.services import (
    assignment_assign,
    care_manager_add,
    contract_activate,
    contract_create,
    organization_create,
    vetting_check_record,
)

FIRST_NAMES = [
    "Maria", "Jose", "Juan", "Ana", "Luis", "Carmen", "James", "Mary", "Robert", "Linda", "Wei",
    "Mei", "Nguyen", "Thi", "Ahmed", "Fatima", "David", "Sarah", "Miguel", "Rosa", "John", "Grace",
    "Daniel", "Elena", "Kevin", "Aisha", "Tomas", "Lucia", "Samuel", "Hana",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Hernandez", "Lopez", "Martinez", "Nguyen", "Smith", "Johnson", "Kim", "Chen",
    "Patel", "Williams", "Brown", "Rodriguez", "Tran", "Singh", "Davis", "Ramirez", "Lee", "Wong",
    "Flores", "Gonzalez", "Jackson", "Khan", "Castillo", "Reyes",
]  # fmt: skip
ICD10 = [
    "R07.9",
    "J45.909",
    "F32.9",
    "I10",
    "E11.9",
    "K29.70",
    "F10.20",
    "Z59.01",
    "N39.0",
    "R10.9",
]
MEMBERS = 3000
HIGH_UTILIZER_SHARE = 0.02


def load_members(plan, actor, today: date) -> int:
    """Members, enrollments and claims for `plan` (skipped if it has members already)."""
    if Member.objects.filter(plan=plan).exists():
        return 0
    rng = random.Random(2026)
    counties = list(plan.counties.all())
    members = Member.objects.bulk_create(
        Member(
            plan=plan,
            cin=f"{90000000 + number:08d}{'ABCDEFGHJKLMNPQRSTUVWXYZ'[number % 24]}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            birth_date=today - timedelta(days=rng.randint(2 * 365, 85 * 365)),
            sex=rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.NONBINARY]),
            preferred_language=rng.choice(["en", "en", "en", "es", "es", "zh", "vi", "tl"]),
            address_line=f"{rng.randint(10, 9999)} {rng.choice(['Oak', 'Pine', 'Main', 'Mission', 'Valley'])} St",
            city=rng.choice(["Oakland", "Fresno", "Sacramento", "Richmond", "Hayward"]),
            zip_code=f"9{rng.randint(4000, 6199):04d}",
            phone=f"(510) 555-{rng.randint(0, 9999):04d}",
            county=rng.choice(counties),
            medicare_model=MedicareModel.MEDICARE_FFS if rng.random() < 0.08 else MedicareModel.NONE,
        )
        for number in range(MEMBERS)
    )
    EnrollmentSpan.objects.bulk_create(
        EnrollmentSpan(
            plan=plan,
            member=member,
            start_date=date(2021, 1, 1) + timedelta(days=rng.randint(0, 1500)),
        )
        for member in members
    )
    events = synthetic_claims(plan, members, today, rng)
    UtilizationEvent.objects.bulk_create(events, batch_size=2000)
    audit_record(
        code="demo.members.loaded",
        plan=plan,
        actor=actor,
        payload={"members": len(members), "claims": len(events)},
    )
    load_populations(plan, members, actor, today)
    return len(members)


def synthetic_claims(plan, members, today, rng):
    """Six months of ED visits and stays: a few percent of members make most of them."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    first_day = last_month_end.replace(day=1) - relativedelta(months=5)
    span = (last_month_end - first_day).days
    events, number = [], 0

    def add(member, event_type, day, **flags):
        nonlocal number
        number += 1
        events.append(
            UtilizationEvent(
                plan=plan,
                claim_id=f"DEMO{number:07d}",
                member=member,
                event_type=event_type,
                service_date=day,
                discharge_date=day + timedelta(days=rng.randint(1, 6)) if event_type != EventType.ED else None,
                is_planned=flags.get("is_planned", False),
                is_avoidable=flags.get("is_avoidable", rng.random() < 0.7),
                diagnosis_codes=" ".join(rng.sample(ICD10, 2)),
                adjudicated_on=min(day + timedelta(days=rng.randint(10, 40)), today),
            )
        )

    for member in members:
        heavy = rng.random() < HIGH_UTILIZER_SHARE
        for _ in range(rng.randint(4, 9) if heavy else (1 if rng.random() < 0.3 else 0)):
            day = first_day + timedelta(days=rng.randint(0, span))
            add(member, EventType.ED, day, is_avoidable=True if heavy else rng.random() < 0.6)
            if rng.random() < 0.12:  # an ED visit that ends in an admission
                add(
                    member,
                    EventType.INPATIENT,
                    min(day + timedelta(days=rng.randint(0, 1)), last_month_end),
                )
        if heavy and rng.random() < 0.4:
            for _ in range(3):
                add(member, rng.choice([EventType.INPATIENT, EventType.SNF_SHORT_TERM]),
                    first_day + timedelta(days=rng.randint(0, span)), is_avoidable=True)  # fmt: skip
    return events


def load_populations(plan, members, actor, today):
    """A few members attested into each POF and enrolled in each kind of other program."""
    rng = random.Random(7)
    adults = [m for m in members if (today - m.birth_date).days > 22 * 365]
    young = [m for m in members if (today - m.birth_date).days < 20 * 365]
    for pof in PopulationOfFocus.objects.exclude(code="HIGH_UTILIZER"):
        pool = adults if pof.age_group == "adult" else young
        for member in rng.sample(pool, 4):
            determination_record(
                plan=plan,
                member=member,
                pof=pof,
                source=DeterminationSource.ATTESTATION,
                start_date=today - timedelta(days=rng.randint(5, 200)),
                criteria_met=pof.criteria,
                note="Demo attestation",
                actor=actor,
            )
    for program in Program.objects.all():
        for member in rng.sample(adults, 2):
            program_enrollment_add(plan=plan, member=member, program=program, start_date=date(2024, 1, 1), actor=actor)


DEMO_PROVIDERS = [
    # NPI (valid check digits), name, type, counties, POFs, capacity
    (
        "1234567893",
        "Eastbay Community Health Center",
        "fqhc",
        ["01", "07"],
        ["HOMELESS", "HIGH_UTILIZER", "SMI_SUD"],
        40,
    ),
    ("1245319599", "Delta Behavioral Health Partners", "behavioral_health", ["34"], ["SMI_SUD", "HIGH_UTILIZER"], 15),
    ("1679576722", "Central Valley Housing Collaborative", "housing", ["10", "34"], ["HOMELESS"], 25),
    ("1003000126", "Golden Bridges Reentry Services", "cbo", ["01", "10"], ["INCARCERATION", "CY_INCARCERATION"], 10),
]


def load_providers(plan, actor, today: date) -> int:
    """Contracted ECM Providers with care managers, and the flagged members assigned to them."""
    if Contract.objects.filter(plan=plan).exists():
        return 0
    for npi, name, kind, counties, pofs, capacity in DEMO_PROVIDERS:
        organization = ProviderOrganization.objects.filter(npi=npi).first() or organization_create(
            plan=plan, actor=actor, npi=npi, tax_id=npi[:9], name=name, organization_type=kind,
            enrollment_pathway="state_medi_cal" if kind == "fqhc" else "mcp_vetting",
            counties=list(County.objects.filter(code__in=counties)),
        )  # fmt: skip
        contract = contract_create(
            plan=plan, actor=actor, organization=organization, counties=list(County.objects.filter(code__in=counties)),
            pofs=list(PopulationOfFocus.objects.filter(code__in=pofs)), capacity=capacity, start_date=date(2024, 1, 1),
            is_presumptive_capable=npi == PRESUMPTIVE_PROVIDER,
        )  # fmt: skip
        # DOMAIN 7: the contract takes members once the plan has vetted the organization and activated it.
        for criterion in vetting_missing(plan=plan, organization=organization):
            vetting_check_record(
                plan=plan, organization=organization, criterion=criterion.text, met_on=date(2023, 12, 15), actor=actor
            )
        contract_activate(plan=plan, contract=contract, activated_on=date(2024, 1, 1), actor=actor)
        for first_name in ("Alex", "Jordan"):
            care_manager_add(plan=plan, actor=actor, organization=organization, name=f"{first_name} {name.split()[0]}")
    flagged = Determination.objects.filter(plan=plan, end_date__isnull=True).select_related("member__county")
    for determination in flagged.order_by("id")[:60]:
        if Assignment.objects.filter(plan=plan, member=determination.member, ended_on__isnull=True).exists():
            continue
        try:
            assignment_assign(
                plan=plan, member=determination.member, authorized_on=today - timedelta(days=3), actor=actor
            )
        except DomainError:
            continue  # no provider with capacity for this county and population: a gap on the dashboard
    return Assignment.objects.filter(plan=plan).count()


def load_requests(plan, coordinator, reviewer, today: date) -> int:
    """Authorization requests in every state: open ones near, past and far from their due instant,
    decisions with their Notices of Action, and transition members awaiting reassessment."""
    if AuthorizationRequest.objects.filter(plan=plan).exists():
        return 0
    now = clocks.now()
    assigned = Assignment.objects.filter(plan=plan).values("member_id")
    flagged = list(
        Member.objects.filter(
            plan=plan, pk__in=Determination.objects.filter(plan=plan, end_date__isnull=True).values("member_id")
        )
        .exclude(pk__in=assigned)
        .order_by("id")[:12]
    )
    unflagged = list(Member.objects.filter(plan=plan, determinations__isnull=True).order_by("id")[:4])
    sources = [RequestSource.PROVIDER_REFERRAL, RequestSource.MCP_IDENTIFICATION, RequestSource.SELF_REFERRAL]
    opened = []
    for number, member in enumerate(flagged[:8]):
        opened.append(
            authorizations.request_submit(
                plan=plan,
                actor=coordinator,
                member=member,
                source=sources[number % 3],
                urgency=Urgency.EXPEDITED if number == 2 else Urgency.ROUTINE,
                received_at=now - timedelta(days=number, hours=3),
                requester_name="Demo referral",
                notes="Synthetic request for the demo.",
                pofs=[d.pof for d in Determination.objects.filter(plan=plan, member=member, end_date__isnull=True)],
            )
        )
    for request in opened[1:]:
        authorizations.request_start_review(plan=plan, actor=coordinator, request=request)
    authorizations.request_extend(plan=plan, actor=reviewer, request=opened[3], days=14, reason="Awaiting records")
    for request in opened[5:7]:
        try:
            approved = authorizations.request_approve(plan=plan, actor=reviewer, request=request)
            started_services(plan, coordinator, approved)
        except DomainError:
            continue  # not eligible, or no provider with capacity: stays for the reviewer
    for member in unflagged[:2]:
        request = authorizations.request_submit(
            plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL, received_at=now
        )
        request = authorizations.request_start_review(plan=plan, actor=reviewer, request=request)
        authorizations.request_deny(
            plan=plan, actor=reviewer, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="You do not meet the criteria of any group Enhanced Care Management serves.",
            alternative_services="Complex Case Management: call Member Services.",
        )  # fmt: skip
    authorizations.transition_import(
        plan=plan,
        actor=coordinator,
        rows=[
            {"cin": member.cin, "program": "wpc", "transition_date": str(today - relativedelta(months=5, days=20))}
            for member in flagged[8:12]
        ],
    )
    return AuthorizationRequest.objects.filter(plan=plan).count()
