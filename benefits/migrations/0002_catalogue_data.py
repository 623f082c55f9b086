"""The catalogue as reference data (DOMAIN 9): ECM and the 15 Community Supports, their old names,
the HCPCS (code, modifiers) pairs of benefits/reference/cs-codes.csv and the limits of
benefits/reference/cs-limits.csv. Reversible: unapplying deletes what it loaded."""

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
GUIDANCE = "HCPCS Coding Guidance v1.3 (2026-01)"
OFFERED_FROM = date(2022, 1, 1)
RENAMED_UNTIL = date(2024, 12, 31)
SEEDS = "DHCS ECM and Community Supports FAQ; Community Supports Policy Guide"

# The seeds give service definitions only in outline (FAQ 28, 31, 39, 41): where they say nothing of a
# service's eligibility, the checklist holds one honest generic criterion, to be replaced by the
# plan's attestation from the service definition.
GENERIC = "Meets the Community Supports Policy Guide definition of this service (attested by the requester)"
GENERIC_STOP = "No longer meets the service definition, or the need is met"
HOMELESS = "Experiencing or at risk of homelessness"
# FAQ 28 calls some services urgent and expedited: sobering center stays in lieu of an emergency room
# visit (e.g. 12 hours) and discharges to recuperative care. Every service starts on the 72-hour
# expedited clock of DOMAIN 5.1; a plan shortens the urgent ones as data.
EXPEDITED_HOURS = 72

# (code, name today, old name or "", kind, eligibility checklist, discontinuation criteria)
SERVICES = [
    ("ecm", "Enhanced Care Management", "", "ecm",
     ["Belongs to at least one ECM Population of Focus (DOMAIN 3)"],
     ["Met care plan goals", "Ready to transition to a lower level of care", "No longer wishes to receive ECM",
      "Unable to be reached or engaged"]),
    ("housing-transition-navigation", "Housing Transition Navigation Services", "", "community_support",
     [HOMELESS, "Needs help to find and secure housing"], ["Housed and stable in the new housing", GENERIC_STOP]),
    ("housing-deposits", "Housing Deposits", "", "community_support",
     [HOMELESS, "Receiving housing transition navigation services"], ["Deposits paid (one time)"]),
    ("housing-tenancy-sustaining", "Housing Tenancy and Sustaining Services", "", "community_support",
     ["Housed after homelessness, or at risk of losing tenancy"], ["Tenancy stable", GENERIC_STOP]),
    ("post-hospitalization-housing", "Short-Term Post-Hospitalization Housing", "", "community_support",
     [HOMELESS, "Leaving an inpatient hospital, residential treatment or recuperative care"],
     ["Six months reached", "Moved to stable housing"]),
    ("recuperative-care", "Recuperative Care (Medical Respite)", "", "community_support",
     [HOMELESS, "Recovering from an injury or illness and needs a place to recover"],
     ["Recovered enough to leave", "Ninety continuous days reached"]),
    ("respite", "Respite Services", "", "community_support",
     ["Lives in the community and relies on an unpaid caregiver who needs relief"],
     ["Caregiver no longer needs relief", "Annual hours used"]),
    ("day-habilitation", "Day Habilitation Programs", "", "community_support",
     [HOMELESS, "Would benefit from help to acquire or keep self-help and living skills"],
     ["Skills goals met", GENERIC_STOP]),
    ("alf-transitions", "Assisted Living Facility (ALF) Transitions",
     "Nursing Facility Transition/Diversion to Assisted Living Facilities", "community_support",
     ["Lives in or is at risk of entering a nursing facility", "Can live safely in an assisted living facility"],
     ["Moved back to a nursing facility", GENERIC_STOP]),
    ("community-home-transition", "Community or Home Transition Services",
     "Community Transition Services/Nursing Facility Transition to a Home", "community_support",
     ["Lives in a nursing facility and is moving to a private home"], ["Moved and set up at home"]),
    ("personal-care-homemaker", "Personal Care and Homemaker Services", "", "community_support",
     ["Needs help with activities of daily living"], ["No longer needs the help", GENERIC_STOP]),
    ("home-modifications", "Environmental Accessibility Adaptations (Home Modifications)", "", "community_support",
     ["Needs changes to the home to live there safely and independently"], ["Adaptations completed"]),
    ("medically-tailored-meals", "Medically Tailored Meals/Medically Supportive Food", "", "community_support",
     ["Has a chronic condition that food and nutrition support can help (FAQ 41)"],
     ["Twelve weeks reached unless medically necessary longer", GENERIC_STOP]),
    ("sobering-centers", "Sobering Centers", "", "community_support",
     ["Intoxicated and would otherwise go to an emergency room or jail (FAQ 28)"], ["Sober, stay under 24 hours"]),
    ("asthma-remediation", "Asthma Remediation", "", "community_support",
     ["Has poorly controlled asthma that changes to the home can help"], ["Remediation completed"]),
    ("transitional-rent", "Transitional Rent", "", "community_support",
     [HOMELESS, GENERIC], ["Six months of rent reached", "Moved to stable housing"]),
]  # fmt: skip

# The reference CSVs' service names that are not a catalogue name or alias.
LABELS = {
    "Enhanced Care Management (clinical staff)": "ecm",
    "Enhanced Care Management (non-clinical staff)": "ecm",
    "ECM outreach attempt (before enrollment; one attempt a line)": "ecm",
    # T1016 U8 is outreach before a housing service starts; the guidance bills it as navigation.
    "Housing outreach for navigation / deposits / tenancy": "housing-transition-navigation",
    "Recuperative Care": "recuperative-care",
}
# cs-limits.csv's combined row names its services with " + ".
COMBINED = " + "
LIMIT_EFFECTIVE_FROM = date(2022, 1, 1)
NO_EXCEPTION = {"", "none"}


def rows(name):
    with open(REFERENCE / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed(apps, schema_editor):
    Service = apps.get_model("benefits", "CatalogueService")
    Alias = apps.get_model("benefits", "ServiceAlias")
    Code = apps.get_model("benefits", "ServiceCode")
    Limit = apps.get_model("benefits", "ServiceLimit")
    by_name = {}
    for position, (code, name, old_name, kind, eligibility, discontinuation) in enumerate(SERVICES):
        rent = code == "transitional-rent"
        sobering = code == "sobering-centers"
        service = Service.objects.create(
            code=code, name=name, kind=kind, position=position, source=SEEDS,
            effective_from=date(2026, 1, 1) if rent else OFFERED_FROM,
            mandatory_from=date(2026, 1, 1) if rent else None,
            expedited_hours=EXPEDITED_HOURS, allows_retroactive_authorization=sobering, closed_loop_exempt=sobering,
            eligibility_criteria=eligibility, discontinuation_criteria=discontinuation,
        )  # fmt: skip
        by_name[name] = service
        if old_name:
            Alias.objects.create(service=service, name=old_name, used_until=RENAMED_UNTIL)
            by_name[old_name] = service
    by_code = {service.code: service for service in by_name.values()}

    def named(label):
        label = label.split(" (was: ")[0].strip()
        return by_code[LABELS[label]] if label in LABELS else by_name[label]

    for row in rows("cs-codes.csv"):
        for hcpcs in row["hcpcs"].split(" or "):
            from_2026 = "from 2026-01" in row["note"]
            Code.objects.create(
                service=named(row["service"]), hcpcs=hcpcs.strip(), modifiers=" ".join(row["modifiers"].split()),
                unit=row["unit"], note=row["note"], guidance_version=GUIDANCE, confidence=row["confidence"],
                effective_from=date(2026, 1, 1) if from_2026 else OFFERED_FROM,
            )  # fmt: skip
    for row in rows("cs-limits.csv"):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)(?:\s+in\s+(\d+))?\s*", row["value"])
        limit = Limit.objects.create(
            limit_type=row["limit_type"], value=Decimal(match[1]), window=int(match[2]) if match[2] else None,
            unit=row["unit"], exception="" if row["exception"] in NO_EXCEPTION else row["exception"],
            override_allowed=row["exception"].strip() not in NO_EXCEPTION, effective_from=LIMIT_EFFECTIVE_FROM,
            source="benefits/reference/cs-limits.csv", confidence=row["confidence"],
        )  # fmt: skip
        limit.services.set([named(name) for name in row["service"].split(COMBINED)])


def unseed(apps, schema_editor):
    codes = [code for code, *_ in SERVICES]
    apps.get_model("benefits", "ServiceLimit").objects.filter(services__code__in=codes).delete()
    apps.get_model("benefits", "CatalogueService").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_catalogue")]

    operations = [migrations.RunPython(seed, unseed)]
