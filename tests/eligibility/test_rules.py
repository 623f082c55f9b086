"""The DOMAIN 3-4 eligibility rules as pure functions of plain facts: no database (pytest-django
refuses a query here, as no test asks for `db`)."""

from datetime import date

import pytest

from eligibility.rules import (
    EligibilityResult,
    MemberFacts,
    Outcome,
    PofFacts,
    ProgramFacts,
    age_on,
    ecm_eligibility,
    is_adult,
    live_pofs,
    pof_live_date,
)
from members.models import ProgramTreatment

DAY = date(2026, 6, 1)
HOMELESS = PofFacts(code="HOMELESS", name="Homelessness", min_age=21, max_age=None, live_on=date(2022, 1, 1))
CHILD_WELFARE = PofFacts(code="CY_CHILD_WELFARE", name="Child welfare", min_age=0, max_age=26, live_on=date(2023, 7, 1))
PACE = ProgramFacts("PACE", ProgramTreatment.EXCLUDED)
AHF = ProgramFacts(
    "AIDS Healthcare Foundation plan",
    ProgramTreatment.EXCLUDED,
    note="Figure 4 states no approach; this product treats them as excluded.",
)
MSSP = ProgramFacts("MSSP", ProgramTreatment.EITHER_OR)
CBAS = ProgramFacts("CBAS", ProgramTreatment.WRAP)
CCS = ProgramFacts("CCS", ProgramTreatment.WRAP_PENDING_GUIDANCE, note="Guidance forthcoming.")


def facts(**overrides) -> MemberFacts:
    """An adult enrolled in the plan, not dual, in a live adult POF, in no other program."""
    defaults = {
        "birth_date": date(1980, 1, 1),
        "is_enrolled": True,
        "medicare_eligible": True,
        "medicare_note": "",
        "pofs": (HOMELESS,),
    }
    return MemberFacts(**(defaults | overrides))


# --- Each outcome (DOMAIN 4: "an eligibility result is therefore one of ...", with its reasons) ------


def test_eligible():
    # DOMAIN 3: enrolled, in a POF live in the county on the date, not excluded
    assert ecm_eligibility(facts(), DAY) == EligibilityResult(Outcome.ELIGIBLE, ("In Homelessness.",), ("HOMELESS",))


@pytest.mark.parametrize("program", [CBAS, CCS])
def test_eligible_with_wrap_carries_a_non_duplication_note(program):
    # DOMAIN 4: wrap, and wrap pending guidance (treated as wrap, with its note)
    result = ecm_eligibility(facts(programs=(program,)), DAY)
    note = f" {program.note}" if program.note else ""
    assert result == EligibilityResult(
        Outcome.ELIGIBLE_WITH_WRAP,
        (
            "In Homelessness.",
            f"Also in {program.name}: both allowed; the plan ensures services are not duplicated.{note}",
        ),
        ("HOMELESS",),
    )


def test_either_or_needs_the_members_choice():
    # DOMAIN 4: either/or (not both at once: member chooses)
    assert ecm_eligibility(facts(programs=(MSSP,)), DAY) == EligibilityResult(
        Outcome.NEEDS_MEMBER_CHOICE,
        ("In Homelessness.", "Enrolled in MSSP: the member chooses ECM or that program, not both."),
        ("HOMELESS",),
    )


def test_an_excluded_program_excludes():
    # DOMAIN 4: excluded from ECM (PACE)
    assert ecm_eligibility(facts(programs=(PACE,)), DAY) == EligibilityResult(
        Outcome.EXCLUDED, ("Enrolled in PACE, which excludes ECM.",)
    )


def test_the_ahf_exclusion_carries_the_products_reading_in_its_reason():
    # DOMAIN 4: AHF plans are treated as excluded and the reason says so
    result = ecm_eligibility(facts(programs=(AHF,)), DAY)
    assert result.outcome == Outcome.EXCLUDED
    assert result.reasons == (
        "Enrolled in AIDS Healthcare Foundation plan, which excludes ECM. "
        "Figure 4 states no approach; this product treats them as excluded.",
    )


def test_not_enrolled_in_the_plan_is_excluded_as_fee_for_service():
    # DOMAIN 4: Medi-Cal fee-for-service (not enrolled in an MCP) is excluded
    result = ecm_eligibility(facts(is_enrolled=False), DAY)
    assert result == EligibilityResult(
        Outcome.EXCLUDED,
        ("Not enrolled in the plan on 2026-06-01 (Medi-Cal fee-for-service is not eligible).",),
    )


def test_an_ineligible_medicare_model_is_excluded_with_its_note():
    # DOMAIN 4 (Figure 5): never in Cal MediConnect, FIDE-SNP or PACE
    note = "Cal MediConnect members are not eligible."
    assert ecm_eligibility(facts(medicare_eligible=False, medicare_note=note), DAY) == EligibilityResult(
        Outcome.EXCLUDED, (note,)
    )


def test_no_pof_means_no_live_pof():
    # DOMAIN 3: at least one POF is required
    assert ecm_eligibility(facts(pofs=()), DAY) == EligibilityResult(
        Outcome.NO_LIVE_POF, ("No Population of Focus has been determined for the member.",)
    )


def test_a_pof_not_yet_live_in_the_county_means_no_live_pof():
    # DOMAIN 3.4: the POF must be live in the member's county on the date
    later = PofFacts(code="LTC_RISK", name="LTC risk", min_age=21, max_age=None, live_on=date(2026, 6, 2))
    assert ecm_eligibility(facts(pofs=(later,)), DAY) == EligibilityResult(
        Outcome.NO_LIVE_POF, ("LTC risk goes live in the member's county on 2026-06-02.",)
    )
    assert ecm_eligibility(facts(pofs=(later,)), date(2026, 6, 2)).outcome == Outcome.ELIGIBLE


def test_only_the_live_pofs_are_listed():
    later = PofFacts(code="LTC_RISK", name="LTC risk", min_age=21, max_age=None, live_on=date(2027, 1, 1))
    result = ecm_eligibility(facts(pofs=(HOMELESS, later)), DAY)
    assert (result.outcome, result.live_pofs) == (Outcome.ELIGIBLE, ("HOMELESS",))


# --- Precedence (DOMAIN 4) ------------------------------------------------------------------------


def test_exclusion_beats_either_or_and_wrap():
    # DOMAIN 4: an excluded program excludes, whatever else the member is in
    result = ecm_eligibility(facts(programs=(CBAS, MSSP, PACE)), DAY)
    assert result == EligibilityResult(Outcome.EXCLUDED, ("Enrolled in PACE, which excludes ECM.",))


def test_exclusion_beats_a_missing_pof():
    # DOMAIN 4: the exclusion is the reason given, not the missing POF
    assert ecm_eligibility(facts(pofs=(), programs=(PACE,)), DAY).outcome == Outcome.EXCLUDED


def test_either_or_beats_wrap():
    # DOMAIN 4: the member's choice is needed even when a wrap program is also present
    result = ecm_eligibility(facts(programs=(CBAS, MSSP)), DAY)
    assert result.outcome == Outcome.NEEDS_MEMBER_CHOICE
    assert not any("Also in" in reason for reason in result.reasons)


def test_no_live_pof_beats_either_or_and_wrap():
    # DOMAIN 3: without a live POF, the overlaps do not matter
    assert ecm_eligibility(facts(pofs=(), programs=(CBAS, MSSP)), DAY).outcome == Outcome.NO_LIVE_POF


# --- The adult age boundary on the date (DOMAIN 3) --------------------------------------------------


@pytest.mark.parametrize(
    ("day", "adult"),
    [(date(2026, 5, 31), False), (date(2026, 6, 1), True)],
)
def test_adults_are_21_or_older_on_the_evaluation_date(day, adult):
    # DOMAIN 3: adults are members aged 21 or older on the evaluation date
    born = date(2005, 6, 1)
    assert is_adult(born, day) is adult
    assert age_on(born, day) == (21 if adult else 20)
    result = ecm_eligibility(facts(birth_date=born), day)
    assert result.outcome == (Outcome.ELIGIBLE if adult else Outcome.NO_LIVE_POF)
    if not adult:
        assert result.reasons == ("Homelessness is for members 21 or older; the member is 20.",)


@pytest.mark.parametrize(
    ("day", "live"),
    [(date(2027, 2, 28), True), (date(2027, 3, 1), False)],
)
def test_the_foster_care_pof_covers_members_under_26(day, live):
    # DOMAIN 3: children/youth are under 21; foster-care POF: under 26
    member = facts(birth_date=date(2001, 3, 1), pofs=(CHILD_WELFARE,))
    found, reasons = live_pofs(member, day)
    assert (found == [CHILD_WELFARE]) is live
    assert reasons == ([] if live else ["Child welfare is for members under 26; the member is 26."])


# --- POF live date by county kind and plan early start (DOMAIN 3.4) --------------------------------

WPC_HHP_DATE, OTHER_DATE = date(2022, 1, 1), date(2022, 7, 1)


@pytest.mark.parametrize(
    ("county_has_wpc_hhp", "plan_start", "live"),
    [
        (True, None, date(2022, 1, 1)),  # WPC/HHP county: the earlier DHCS date
        (False, None, date(2022, 7, 1)),  # all other counties: the later DHCS date
        (False, date(2022, 3, 1), date(2022, 3, 1)),  # the plan's own earlier start wins
        (True, date(2021, 10, 1), date(2021, 10, 1)),
        (False, date(2022, 9, 1), date(2022, 7, 1)),  # never later than DHCS allows
        (True, date(2022, 7, 1), date(2022, 1, 1)),
    ],
)
def test_pof_live_date(county_has_wpc_hhp, plan_start, live):
    # DOMAIN 3.4: the plan's earlier start where it set one, else the DHCS date for the county kind
    assert (
        pof_live_date(
            dhcs_wpc_hhp=WPC_HHP_DATE,
            dhcs_other=OTHER_DATE,
            county_has_wpc_hhp=county_has_wpc_hhp,
            plan_start=plan_start,
        )
        == live
    )


def test_the_live_date_is_inclusive():
    # DOMAIN 3.4: live on the go-live date itself, not the day before
    pof = PofFacts(code="SMI_SUD", name="SMI/SUD", min_age=21, max_age=None, live_on=OTHER_DATE)
    assert live_pofs(facts(pofs=(pof,)), date(2022, 6, 30))[0] == []
    assert live_pofs(facts(pofs=(pof,)), date(2022, 7, 1))[0] == [pof]
