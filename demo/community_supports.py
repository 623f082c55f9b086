"""Community Supports elections for the demo plan (DOMAIN 9): several services elected in its
counties on past addition anchors, one planned for the next anchor and one removal at the next 1
January, each through the service as the plan administrator, so the settings page and the offered
list are not empty."""

from datetime import date

from benefits import rules
from benefits.models import CatalogueService, Election
from benefits.services import election_add, election_remove
from ecm_platform import clocks
from ecm_platform.tenancy.models import County
from ecm_platform.tenancy.scoping import plan_scope

# (county code, catalogue service code, first day offered)
ELECTIONS = [
    ("01", "housing-transition-navigation", date(2022, 1, 1)),
    ("01", "housing-deposits", date(2022, 1, 1)),
    ("01", "housing-tenancy-sustaining", date(2022, 1, 1)),
    ("01", "medically-tailored-meals", date(2022, 7, 1)),
    ("01", "sobering-centers", date(2023, 1, 1)),
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
