"""DOMAIN 3.1, 3.2 and 3.4: the Populations of Focus, their county go-live dates, and the
high-utilizer scan thresholds."""

import datetime

from django.db import migrations

D = datetime.date
ECM_START = D(2022, 1, 1)
ADULT_WAVE = (D(2022, 1, 1), D(2022, 7, 1))
TRANSITIONS_WAVE = (D(2023, 1, 1), D(2023, 1, 1))
CHILDREN_WAVE = (D(2023, 7, 1), D(2023, 7, 1))
POFS = [
    # code, name, age group, min age, max age, wave, scanned, criteria
    (
        "HOMELESS",
        "Individuals and families experiencing homelessness",
        "adult", 21, None, ADULT_WAVE, False,
        [
            "Experiencing homelessness (HUD definition as modified by DHCS: no adequate nighttime "
            "residence; a residence not meant for habitation; a shelter; exiting an institution into "
            "homelessness; losing housing within 30 days; unaccompanied youth or families under other "
            "federal statutes; fleeing domestic violence)",
            "At least one complex physical, behavioral or developmental health need with inability "
            "to self-manage",
        ],
    ),
    (
        "HIGH_UTILIZER",
        "Adult high utilizers",
        "adult", 21, None, ADULT_WAVE, True,
        [
            "5 or more avoidable emergency department visits in a six-month period, and/or",
            "3 or more unplanned, avoidable inpatient or short-term skilled nursing stays in a "
            "six-month period",
        ],
    ),
    (
        "SMI_SUD",
        "Adults with serious mental illness or substance use disorder",
        "adult", 21, None, ADULT_WAVE, False,
        [
            "Meets eligibility for county Specialty Mental Health Services or DMC-ODS/DMC",
            "At least one complex social factor influencing their health",
            "One of: high risk of institutionalization, overdose or suicide; crisis, ED, urgent care "
            "or inpatient care as the sole source of care; 2+ ED visits or 2+ hospitalizations due "
            "to SMI/SUD in the past 12 months; pregnant or post-partum (12 months from delivery)",
        ],
    ),
    (
        "INCARCERATION",
        "Individuals transitioning from incarceration",
        "adult", 21, None, TRANSITIONS_WAVE, False,
        [
            "Released within the past 12 months (or about to be)",
            "At least one of: chronic mental illness, substance use disorder, chronic disease, "
            "intellectual or developmental disability, traumatic brain injury, HIV, pregnancy",
        ],
    ),
    (
        "LTC_RISK",
        "Adults at risk for institutionalization and eligible for long-term care",
        "adult", 21, None, TRANSITIONS_WAVE, False,
        [
            "Would otherwise need 90 or more consecutive days in a nursing facility",
            "Can live safely in the community with wraparound supports",
        ],
    ),
    (
        "NF_TRANSITION",
        "Nursing facility residents transitioning to the community",
        "adult", 21, None, TRANSITIONS_WAVE, False,
        [
            "Nursing facility resident",
            "Interested in moving out",
            "Medically appropriate and able to reside safely in the community",
        ],
    ),
    (
        "CY_HOMELESS",
        "Children and youth experiencing homelessness",
        "children_youth", 0, 21, CHILDREN_WAVE, False,
        ["Experiencing homelessness (HUD definition as modified by DHCS)"],
    ),
    (
        "CY_HIGH_UTILIZER",
        "Children and youth high utilizers",
        "children_youth", 0, 21, CHILDREN_WAVE, False,
        ["High utilization of avoidable emergency or inpatient care (evidence noted)"],
    ),
    (
        "CY_SED_CHR",
        "Children and youth with serious emotional disturbance, clinical high risk for psychosis "
        "or a first episode of psychosis",
        "children_youth", 0, 21, CHILDREN_WAVE, False,
        ["SED, clinical high risk for psychosis, or first episode of psychosis (evidence noted)"],
    ),
    (
        "CY_CCS",
        "Children and youth enrolled in CCS / CCS Whole Child Model with needs beyond the CCS condition",
        "children_youth", 0, 21, CHILDREN_WAVE, False,
        ["Enrolled in CCS or the CCS Whole Child Model", "Needs beyond the CCS condition"],
    ),
    (
        "CY_CHILD_WELFARE",
        "Children and youth involved in child welfare (including foster care up to age 26)",
        "children_youth", 0, 26, CHILDREN_WAVE, False,
        ["Involved in child welfare, or in or formerly in foster care (up to age 26)"],
    ),
    (
        "CY_INCARCERATION",
        "Children and youth transitioning from incarceration",
        "children_youth", 0, 21, TRANSITIONS_WAVE, False,
        ["Transitioning from a youth correctional facility (evidence noted)"],
    ),
]


def seed(apps, schema_editor):
    PopulationOfFocus = apps.get_model("eligibility", "PopulationOfFocus")
    ScanCriteria = apps.get_model("eligibility", "ScanCriteria")
    for order, (code, name, group, min_age, max_age, wave, scanned, criteria) in enumerate(POFS):
        PopulationOfFocus.objects.create(
            code=code,
            name=name,
            age_group=group,
            min_age=min_age,
            max_age=max_age,
            live_in_wpc_hhp_counties=wave[0],
            live_in_other_counties=wave[1],
            is_scanned=scanned,
            requires_all_criteria=code != "HIGH_UTILIZER",  # "and/or" (DOMAIN 3.1)
            criteria=criteria,
            effective_from=ECM_START,
            sort_order=order,
        )
    ScanCriteria.objects.create(
        effective_from=ECM_START,
        lookback_months=6,
        ed_visits_min=5,
        stays_min=3,
        adult_age=21,
        citation="ECM Policy Guide IV (adult high utilizers)",
    )


def unseed(apps, schema_editor):
    apps.get_model("eligibility", "PopulationOfFocus").objects.filter(code__in=[p[0] for p in POFS]).delete()
    apps.get_model("eligibility", "ScanCriteria").objects.filter(effective_from=ECM_START).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
