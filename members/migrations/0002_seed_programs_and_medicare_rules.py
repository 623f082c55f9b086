"""DOMAIN 4 reference data: other programs and how ECM treats them, and the Medicare models."""

import datetime

from django.db import migrations

ECM_START = datetime.date(2022, 1, 1)
ALIGNED_DSNP_FROM = datetime.date(2023, 1, 1)
PROGRAMS = [
    ("cal_mediconnect", "Cal MediConnect", "excluded", ""),
    ("fide_snp", "Fully Integrated Dual Eligible Special Needs Plan (FIDE-SNP)", "excluded", ""),
    ("pace", "Program of All-Inclusive Care for the Elderly (PACE)", "excluded", ""),
    ("family_mosaic", "Family Mosaic Project", "excluded", ""),
    ("hospice", "Hospice", "excluded", ""),
    (
        "ahf_plan",
        "AIDS Healthcare Foundation plan",
        "excluded",
        "Policy Guide Figure 4 lists AHF plans under 'Other' with no approach; this product treats "
        "them as excluded.",
    ),
    ("mssp", "Multipurpose Senior Services Program (1915(c))", "either_or", ""),
    ("alw", "Assisted Living Waiver (1915(c))", "either_or", ""),
    ("hcba", "Home and Community-Based Alternatives waiver (1915(c))", "either_or", ""),
    ("hiv_aids_waiver", "HIV/AIDS waiver (1915(c))", "either_or", ""),
    ("hcbs_dd", "HCBS waiver for people with developmental disabilities (1915(c))", "either_or", ""),
    ("self_determination", "Self-Determination Program (1915(c))", "either_or", ""),
    ("cct", "California Community Transitions (Money Follows the Person)", "either_or", ""),
    ("basic_case_management", "Basic Case Management", "either_or", ""),
    ("complex_case_management", "Complex Case Management", "either_or", ""),
    ("county_tcm", "County Targeted Case Management", "wrap", ""),
    ("smhs_tcm", "Specialty Mental Health Targeted Case Management", "wrap", ""),
    ("dmc_ods", "Drug Medi-Cal Organized Delivery System / Drug Medi-Cal", "wrap", ""),
    ("ghpp", "Genetically Handicapped Persons Program", "wrap", ""),
    ("cbas", "Community-Based Adult Services", "wrap", ""),
    (
        "ccs",
        "California Children's Services / CCS Whole Child Model",
        "wrap_pending_guidance",
        "DHCS guidance forthcoming: coordinate with CCS case management so services are not duplicated.",
    ),
    (
        "smhs_icc",
        "SMHS Intensive Care Coordination for children",
        "wrap_pending_guidance",
        "DHCS guidance forthcoming: coordinate with ICC so services are not duplicated.",
    ),
]
MEDICARE_RULES = [
    ("none", True, datetime.date(2000, 1, 1), None, "Not dual-eligible: no Medicare rule applies."),
    ("medicare_ffs", True, ECM_START, None, ""),
    ("medicare_advantage", True, ECM_START, None, ""),
    ("dsnp_lookalike", True, ECM_START, None, ""),
    ("dsnp_unaligned", True, ECM_START, None, ""),
    ("dsnp_aligned", False, ECM_START, datetime.date(2022, 12, 31), "Aligned D-SNP members from 2023."),
    ("dsnp_aligned", True, ALIGNED_DSNP_FROM, None, ""),
    ("cal_mediconnect", False, ECM_START, None, "Cal MediConnect members are excluded."),
    ("fide_snp", False, ECM_START, None, "FIDE-SNP members are excluded."),
    ("pace", False, ECM_START, None, "PACE members are excluded."),
]


def seed(apps, schema_editor):
    Program = apps.get_model("members", "Program")
    ProgramRule = apps.get_model("members", "ProgramRule")
    MedicareModelRule = apps.get_model("members", "MedicareModelRule")
    for code, name, treatment, note in PROGRAMS:
        program = Program.objects.create(code=code, name=name)
        ProgramRule.objects.create(program=program, treatment=treatment, effective_from=ECM_START, note=note)
    for model, eligible, start, end, note in MEDICARE_RULES:
        MedicareModelRule.objects.create(
            medicare_model=model, is_eligible=eligible, effective_from=start, effective_to=end, note=note
        )


def unseed(apps, schema_editor):
    apps.get_model("members", "Program").objects.filter(code__in=[p[0] for p in PROGRAMS]).delete()
    apps.get_model("members", "MedicareModelRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
