"""Eligibility as of a date (DOMAIN 3.4 go-live, 4 exclusions and overlaps, 3 ages)."""

from datetime import date

import pytest

from ecm_platform import clocks
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.models import County
from eligibility import rules
from eligibility.models import Determination, DeterminationSource, PopulationOfFocus
from eligibility.selectors import member_eligibility
from eligibility.services import determination_record, plan_pof_start_set
from members.models import EnrollmentSpan, MedicareModel, Program
from members.services import program_enrollment_add
from tests.factories import enrolled_member

Outcome = rules.Outcome


pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def coordinator(plan_a, make_membership):
    return make_membership(plan_a).user


def pof(code):
    return PopulationOfFocus.objects.get(code=code)


def attest(plan, member, code, actor, start=date(2022, 1, 1)):
    population = pof(code)
    return determination_record(
        plan=plan,
        member=member,
        pof=population,
        source=DeterminationSource.ATTESTATION,
        start_date=start,
        criteria_met=population.criteria,
        actor=actor,
    )


def eligibility(plan, member, day=date(2026, 6, 1)):
    return member_eligibility(plan=plan, member=member, day=day)


def member_in(plan, county_code="01", **kwargs):
    return enrolled_member(plan, county=County.objects.get(code=county_code), **kwargs)


# --- DOMAIN 3.4: county go-live --------------------------------------------------------------


@pytest.mark.parametrize(
    ("county_code", "day", "outcome"),
    [
        ("01", date(2021, 12, 31), Outcome.NO_LIVE_POF),  # Alameda (WPC/HHP): 2022-01-01
        ("01", date(2022, 1, 1), Outcome.ELIGIBLE),
        ("10", date(2022, 6, 30), Outcome.NO_LIVE_POF),  # Fresno (other): 2022-07-01
        ("10", date(2022, 7, 1), Outcome.ELIGIBLE),
    ],
)
def test_adult_pofs_go_live_by_county_kind(plan_a, coordinator, county_code, day, outcome):
    # DOMAIN 3.4: HOMELESS, HIGH_UTILIZER, SMI_SUD: WPC/HHP counties 2022-01-01, others 2022-07-01
    plan_a.counties.add(County.objects.get(code="10"))
    member = member_in(plan_a, county_code)
    attest(plan_a, member, "HOMELESS", coordinator, start=date(2021, 12, 1))
    assert eligibility(plan_a, member, day).outcome == outcome


@pytest.mark.parametrize(
    ("code", "birth", "before", "live"),
    [
        ("INCARCERATION", date(1980, 1, 1), date(2022, 12, 31), date(2023, 1, 1)),
        ("LTC_RISK", date(1950, 1, 1), date(2022, 12, 31), date(2023, 1, 1)),
        ("NF_TRANSITION", date(1950, 1, 1), date(2022, 12, 31), date(2023, 1, 1)),
        ("CY_INCARCERATION", date(2006, 1, 1), date(2022, 12, 31), date(2023, 1, 1)),
        ("CY_SED_CHR", date(2012, 1, 1), date(2023, 6, 30), date(2023, 7, 1)),
    ],
)
def test_later_waves_go_live_on_their_dates_everywhere(plan_a, coordinator, code, birth, before, live):
    # DOMAIN 3.4: 2023-01-01 for incarceration (adult and youth), LTC and NF; 2023-07-01 children
    member = member_in(plan_a, "01", birth_date=birth)
    attest(plan_a, member, code, coordinator, start=date(2022, 1, 1))
    assert eligibility(plan_a, member, before).outcome == Outcome.NO_LIVE_POF
    assert eligibility(plan_a, member, live).outcome == Outcome.ELIGIBLE


def test_a_plans_earlier_start_makes_the_pof_live_sooner(plan_a, coordinator, admin_a):
    # DOMAIN 3.4: the plan's own earlier start date wins over the DHCS date
    member = member_in(plan_a, "07", birth_date=date(1950, 1, 1))
    attest(plan_a, member, "LTC_RISK", coordinator, start=date(2022, 1, 1))
    assert eligibility(plan_a, member, date(2022, 9, 1)).outcome == Outcome.NO_LIVE_POF
    plan_pof_start_set(
        plan=plan_a,
        county=member.county,
        pof=pof("LTC_RISK"),
        start_date=date(2022, 7, 1),
        actor=admin_a.user,
    )
    assert eligibility(plan_a, member, date(2022, 9, 1)).outcome == Outcome.ELIGIBLE
    assert eligibility(plan_a, member, date(2022, 6, 30)).outcome == Outcome.NO_LIVE_POF


# DOMAIN 3.4 (Appendix A), by name
WPC_HHP_COUNTIES = {
    "Alameda", "Contra Costa", "Imperial", "Kern", "Kings", "Los Angeles", "Marin", "Mendocino", "Monterey",
    "Napa", "Orange", "Placer", "Riverside", "Sacramento", "San Bernardino", "San Diego", "San Francisco",
    "San Joaquin", "San Mateo", "Santa Clara", "Santa Cruz", "Shasta", "Sonoma", "Tulare", "Ventura",
}  # fmt: skip


def test_the_seeded_counties_are_the_58_coded_alphabetically_with_appendix_as_wpc_hhp_counties(db):
    # DOMAIN 3.4: the WPC/HHP counties of Appendix A, as seed data; all other counties start later
    counties = list(County.objects.order_by("code").values_list("code", "name", "has_wpc_or_hhp"))
    assert [code for code, _, _ in counties] == [f"{number:02d}" for number in range(1, 59)]
    names = [name for _, name, _ in counties]
    assert names == sorted(names) and len(set(names)) == 58
    assert (names[0], names[18], names[57]) == ("Alameda", "Los Angeles", "Yuba")
    assert len(WPC_HHP_COUNTIES) == 25
    assert {name for _, name, has_wpc_or_hhp in counties if has_wpc_or_hhp} == WPC_HHP_COUNTIES


def test_a_plan_cannot_start_later_than_dhcs_or_in_a_county_it_does_not_serve(plan_a, admin_a):
    # DOMAIN 3.4: the DHCS dates are the latest start; the plan may only start earlier
    with pytest.raises(DomainError, match="may start earlier, not later"):
        plan_pof_start_set(
            plan=plan_a, county=County.objects.get(code="01"), pof=pof("HOMELESS"),
            start_date=date(2022, 2, 1), actor=admin_a.user,
        )  # fmt: skip
    with pytest.raises(DomainError, match="does not serve"):
        plan_pof_start_set(
            plan=plan_a, county=County.objects.get(code="58"), pof=pof("HOMELESS"),
            start_date=date(2021, 6, 1), actor=admin_a.user,
        )  # fmt: skip


# --- DOMAIN 3: ages ------------------------------------------------------------------------------


def test_adult_pofs_need_21_on_the_evaluation_date(plan_a, coordinator):
    # DOMAIN 3: adults are 21 or older on the evaluation date
    member = member_in(plan_a, birth_date=date(2004, 6, 2))
    # Recorded from an older system, before the age check existed.
    Determination.objects.create(
        plan=plan_a, member=member, pof=pof("HOMELESS"), source=DeterminationSource.REFERRAL,
        start_date=date(2025, 1, 1), created_at=clocks.now(), updated_at=clocks.now(),
    )  # fmt: skip
    assert eligibility(plan_a, member, date(2025, 6, 1)).outcome == Outcome.NO_LIVE_POF
    assert eligibility(plan_a, member, date(2025, 6, 1)).reasons == (
        "Individuals and families experiencing homelessness is for members 21 or older; the member is 20.",
    )


def test_foster_care_pof_covers_members_up_to_26(plan_a, coordinator):
    # DOMAIN 3: foster-care POF: under 26
    member = member_in(plan_a, birth_date=date(2001, 3, 1))
    attest(plan_a, member, "CY_CHILD_WELFARE", coordinator, start=date(2023, 7, 1))
    assert eligibility(plan_a, member, date(2027, 2, 28)).outcome == Outcome.ELIGIBLE
    assert eligibility(plan_a, member, date(2027, 3, 1)).outcome == Outcome.NO_LIVE_POF


def test_a_pof_for_the_wrong_age_group_cannot_be_recorded(plan_a, coordinator):
    member = member_in(plan_a, birth_date=date(2015, 1, 1))
    with pytest.raises(DomainError, match="does not cover a member aged"):
        attest(plan_a, member, "HOMELESS", coordinator, start=date(2026, 1, 1))


# --- DOMAIN 4: exclusions, either/or, wrap --------------------------------------------------------


@pytest.fixture
def eligible_member(plan_a, coordinator):
    member = member_in(plan_a)
    attest(plan_a, member, "SMI_SUD", coordinator)
    return member


def join(plan, member, code, actor, start=date(2025, 1, 1), end=None):
    return program_enrollment_add(
        plan=plan,
        member=member,
        program=Program.objects.get(code=code),
        start_date=start,
        end_date=end,
        actor=actor,
    )


def test_eligible(plan_a, eligible_member):
    result = eligibility(plan_a, eligible_member)
    assert (result.outcome, result.live_pofs) == (Outcome.ELIGIBLE, ("SMI_SUD",))


@pytest.mark.parametrize("code", ["cal_mediconnect", "fide_snp", "pace", "family_mosaic", "hospice", "ahf_plan"])
def test_excluded_programs(plan_a, eligible_member, coordinator, code):
    # DOMAIN 4: excluded from ECM
    join(plan_a, eligible_member, code, coordinator)
    result = eligibility(plan_a, eligible_member)
    assert result.outcome == Outcome.EXCLUDED
    assert result.reasons[0].startswith(f"Enrolled in {Program.objects.get(code=code).name}, which excludes ECM.")


def test_the_ahf_exclusion_says_it_is_this_products_interpretation(plan_a, eligible_member, coordinator):
    # DOMAIN 4: AHF plans: no approach in Figure 4; treated as excluded and the reason says so
    join(plan_a, eligible_member, "ahf_plan", coordinator)
    assert "this product treats them as excluded" in eligibility(plan_a, eligible_member).reasons[0]


@pytest.mark.parametrize(
    "code",
    ["mssp", "alw", "hcba", "hiv_aids_waiver", "hcbs_dd", "self_determination", "cct",
     "basic_case_management", "complex_case_management"],
)  # fmt: skip
def test_either_or_programs_need_the_members_choice(plan_a, eligible_member, coordinator, code):
    # DOMAIN 4: either/or
    join(plan_a, eligible_member, code, coordinator)
    result = eligibility(plan_a, eligible_member)
    assert result.outcome == Outcome.NEEDS_MEMBER_CHOICE
    assert "the member chooses ECM or that program, not both" in result.reasons[1]


@pytest.mark.parametrize("code", ["county_tcm", "smhs_tcm", "dmc_ods", "ghpp", "cbas", "ccs", "smhs_icc"])
def test_wrap_programs_are_eligible_with_a_non_duplication_note(plan_a, eligible_member, coordinator, code):
    # DOMAIN 4: wrap, and wrap pending guidance
    join(plan_a, eligible_member, code, coordinator)
    result = eligibility(plan_a, eligible_member)
    assert result.outcome == Outcome.ELIGIBLE_WITH_WRAP
    assert "not duplicated" in result.reasons[1]


def test_an_ended_program_no_longer_counts(plan_a, eligible_member, coordinator):
    # DOMAIN 4: eligibility is as of a date; an enrollment counts through its end date, not after
    join(plan_a, eligible_member, "pace", coordinator, start=date(2024, 1, 1), end=date(2026, 5, 31))
    assert eligibility(plan_a, eligible_member, date(2026, 5, 31)).outcome == Outcome.EXCLUDED
    assert eligibility(plan_a, eligible_member, date(2026, 6, 1)).outcome == Outcome.ELIGIBLE


def test_exclusion_wins_over_either_or_and_wrap(plan_a, eligible_member, coordinator):
    # DOMAIN 4: excluded beats either/or, which beats wrap
    join(plan_a, eligible_member, "cbas", coordinator)
    join(plan_a, eligible_member, "mssp", coordinator)
    join(plan_a, eligible_member, "hospice", coordinator)
    assert eligibility(plan_a, eligible_member).outcome == Outcome.EXCLUDED


def test_not_enrolled_in_the_plan_is_excluded(plan_a, eligible_member):
    # DOMAIN 4: Medi-Cal fee-for-service (not enrolled in an MCP)
    EnrollmentSpan.objects.filter(member=eligible_member).update(end_date=date(2026, 5, 31))
    result = eligibility(plan_a, eligible_member)
    assert result.outcome == Outcome.EXCLUDED
    assert "fee-for-service" in result.reasons[0]


@pytest.mark.parametrize(
    ("model", "day", "outcome"),
    [
        (MedicareModel.MEDICARE_FFS, date(2022, 3, 1), Outcome.ELIGIBLE),
        (MedicareModel.MEDICARE_ADVANTAGE, date(2022, 3, 1), Outcome.ELIGIBLE),
        (MedicareModel.DSNP_LOOKALIKE, date(2022, 3, 1), Outcome.ELIGIBLE),
        (MedicareModel.DSNP_UNALIGNED, date(2022, 3, 1), Outcome.ELIGIBLE),
        (MedicareModel.DSNP_ALIGNED, date(2022, 12, 31), Outcome.EXCLUDED),
        (MedicareModel.DSNP_ALIGNED, date(2023, 1, 1), Outcome.ELIGIBLE),
        (MedicareModel.CAL_MEDICONNECT, date(2024, 1, 1), Outcome.EXCLUDED),
        (MedicareModel.FIDE_SNP, date(2024, 1, 1), Outcome.EXCLUDED),
        (MedicareModel.PACE, date(2024, 1, 1), Outcome.EXCLUDED),
    ],
)
def test_dual_eligible_members_by_medicare_model(plan_a, coordinator, model, day, outcome):
    # DOMAIN 4 (Figure 5): aligned D-SNP members from 2023-01-01; never CMC, FIDE-SNP, PACE
    member = member_in(plan_a, medicare_model=model)
    attest(plan_a, member, "SMI_SUD", coordinator)
    assert eligibility(plan_a, member, day).outcome == outcome


def test_no_determination_means_no_live_pof(plan_a):
    result = eligibility(plan_a, member_in(plan_a))
    assert result.outcome == Outcome.NO_LIVE_POF
    assert result.reasons == ("No Population of Focus has been determined for the member.",)


# --- Recording determinations (DOMAIN 3.1) ---------------------------------------------------------


def test_attestations_need_every_criterion_unless_the_pof_says_any(plan_a, coordinator):
    member = member_in(plan_a)
    homeless = pof("HOMELESS")
    with pytest.raises(DomainError, match="requires every criterion"):
        determination_record(
            plan=plan_a, member=member, pof=homeless, source=DeterminationSource.ATTESTATION,
            start_date=date(2026, 1, 1), criteria_met=homeless.criteria[:1], actor=coordinator,
        )  # fmt: skip
    high = pof("HIGH_UTILIZER")
    recorded = determination_record(
        plan=plan_a, member=member, pof=high, source=DeterminationSource.REFERRAL,
        start_date=date(2026, 1, 1), criteria_met=high.criteria[1:], note="Hospital referral", actor=coordinator,
    )  # fmt: skip
    assert recorded.evidence == {"criteria_met": high.criteria[1:], "note": "Hospital referral"}


def test_discretionary_high_utilizers_need_a_justification(plan_a, coordinator):
    # DOMAIN 3.1: the MCP may authorize other very high utilizers by discretion, recorded as such
    member = member_in(plan_a)
    kwargs = {
        "plan": plan_a,
        "member": member,
        "start_date": date(2026, 1, 1),
        "actor": coordinator,
    }
    with pytest.raises(DomainError, match="needs a justification"):
        determination_record(pof=pof("HIGH_UTILIZER"), source=DeterminationSource.DISCRETIONARY, **kwargs)
    with pytest.raises(DomainError, match="high utilizers only"):
        determination_record(
            pof=pof("HOMELESS"),
            source=DeterminationSource.DISCRETIONARY,
            justification="x",
            **kwargs,
        )
    recorded = determination_record(
        pof=pof("HIGH_UTILIZER"), source=DeterminationSource.DISCRETIONARY,
        justification="4 ED visits and 2 stays in 3 months", **kwargs,
    )  # fmt: skip
    assert recorded.justification == "4 ED visits and 2 stays in 3 months"
    with pytest.raises(DomainError, match="Only the scan"):
        determination_record(pof=pof("HIGH_UTILIZER"), source=DeterminationSource.SCAN, **kwargs)


def test_a_new_pof_is_a_data_change(plan_a, coordinator):
    # DOMAIN 3.2: the catalogue is data
    PopulationOfFocus.objects.create(
        code="BIRTH_EQUITY", name="Birth equity", age_group="adult", min_age=0,
        live_in_wpc_hhp_counties=date(2024, 1, 1), live_in_other_counties=date(2024, 1, 1),
        criteria=["Pregnant or postpartum"], effective_from=date(2024, 1, 1),
    )  # fmt: skip
    member = member_in(plan_a)
    attest(plan_a, member, "BIRTH_EQUITY", coordinator, start=date(2024, 1, 1))
    assert eligibility(plan_a, member).live_pofs == ("BIRTH_EQUITY",)


def test_lookback_window():
    # DOMAIN 3.3 example: data month 2026-09 -> 2026-04-01 .. 2026-09-30
    assert rules.lookback_window(date(2026, 9, 1), 6) == (date(2026, 4, 1), date(2026, 9, 30))
    assert rules.lookback_window(date(2027, 2, 14), 6) == (date(2026, 9, 1), date(2027, 2, 28))
