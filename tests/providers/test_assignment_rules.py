"""The assignment order (DOMAIN 7), as pure rules."""

from providers.rules import Candidate, Decision, Member, Rule, choose_provider

CLINIC = Candidate(1, "Eastside Clinic", "1234567893", frozenset({"01"}), frozenset({"HOMELESS"}), 10, 3)
BEHAVIORAL = Candidate(2, "Bay Behavioral", "1245319599", frozenset({"01"}), frozenset({"SMI_SUD"}), 10, 9)
PCP_GROUP = Candidate(3, "Valley Primary Care", "1679576722", frozenset({"01", "07"}), frozenset(), 5, 0)
FULL = Candidate(4, "Full House", "1003000126", frozenset({"01"}), frozenset({"HOMELESS", "SMI_SUD"}), 4, 4)
BROAD = Candidate(5, "Broad CBO", "1114025228", frozenset({"01"}), frozenset({"HOMELESS", "SMI_SUD"}), 20, 2)
ALL = [CLINIC, BEHAVIORAL, PCP_GROUP, FULL, BROAD]


def member(**kwargs):
    return Member(
        county=kwargs.pop("county", "01"), pofs=frozenset(kwargs.pop("pofs", {"HOMELESS", "SMI_SUD"})), **kwargs
    )


def test_the_members_preference_comes_first():
    # DOMAIN 7 (1): the member's stated preference, to the extent practicable
    assert choose_provider(member(preferred_organization_id=1), ALL) == Decision(1, Rule.MEMBER_PREFERENCE)


def test_a_preference_without_capacity_or_county_is_passed_over_with_the_reason():
    # DOMAIN 7 (1): "to the extent practicable": the preferred provider needs capacity and the county
    full = choose_provider(member(preferred_organization_id=4), ALL)
    assert full.rule == Rule.COUNTY_AND_POF
    assert full.passed_over == ((4, "member preference: no capacity left"),)
    elsewhere = choose_provider(member(county="07", preferred_organization_id=1), ALL)
    assert elsewhere.passed_over[0] == (1, "member preference: no contract for the member's county")
    unknown = choose_provider(member(preferred_organization_id=99), ALL)
    assert unknown.passed_over[0] == (99, "member preference: no ECM contract with the plan")


def test_the_behavioral_health_provider_for_members_in_specialty_care():
    # DOMAIN 7 (2): SMHS or DMC-ODS/DMC for SMI/SUD, and that provider is a contracted ECM Provider
    decision = choose_provider(
        member(receives_specialty_behavioral_health=True, behavioral_health_npi=BEHAVIORAL.npi, pcp_npi=PCP_GROUP.npi),
        ALL,
    )
    assert decision == Decision(2, Rule.BEHAVIORAL_HEALTH_PROVIDER)


def test_the_behavioral_health_provider_counts_only_for_members_in_specialty_care():
    decision = choose_provider(member(behavioral_health_npi=BEHAVIORAL.npi, pcp_npi=PCP_GROUP.npi), ALL)
    assert decision == Decision(3, Rule.PCP)


def test_the_pcp_when_contracted():
    # DOMAIN 7 (3): the member's PCP is a contracted ECM Provider
    assert choose_provider(member(pcp_npi=PCP_GROUP.npi), ALL) == Decision(3, Rule.PCP)


def test_a_plan_setting_swaps_the_pcp_and_behavioral_health_steps():
    # DOMAIN 7: a plan setting may swap steps 2 and 3
    facts = member(
        receives_specialty_behavioral_health=True, behavioral_health_npi=BEHAVIORAL.npi, pcp_npi=PCP_GROUP.npi
    )
    assert choose_provider(facts, ALL, pcp_before_behavioral_health=True) == Decision(3, Rule.PCP)


def test_a_documented_more_appropriate_provider_overrides_steps_two_and_three():
    # DOMAIN 7: rules (2)-(3) yield to a documented "more appropriate provider" decision
    facts = member(
        receives_specialty_behavioral_health=True,
        behavioral_health_npi=BEHAVIORAL.npi,
        pcp_npi=PCP_GROUP.npi,
        more_appropriate_organization_id=1,
    )
    assert choose_provider(facts, ALL) == Decision(1, Rule.MORE_APPROPRIATE_PROVIDER)


def test_county_and_pof_competence_with_capacity():
    # DOMAIN 7 (4): county, competence for all of the member's POFs where one exists, capacity left
    decision = choose_provider(member(), ALL)
    assert decision == Decision(5, Rule.COUNTY_AND_POF)  # FULL serves both POFs but has no room


def test_the_pcp_without_capacity_falls_through_to_county_and_pof():
    busy_pcp = Candidate(3, "Valley Primary Care", "1679576722", frozenset({"01"}), frozenset(), 5, 5)
    decision = choose_provider(member(pcp_npi=busy_pcp.npi), [CLINIC, busy_pcp, BROAD])
    assert decision.organization_id == 5
    assert decision.passed_over == ((3, "PCP: no capacity left"),)


def test_no_provider_when_nobody_covers_the_county_with_capacity():
    decision = choose_provider(member(county="58"), ALL)
    assert decision == Decision(None, Rule.NO_PROVIDER)


def test_capacity_is_respected_for_every_rule():
    # DOMAIN 7: assignments respect capacity
    only_full = choose_provider(member(preferred_organization_id=4), [FULL])
    assert only_full.organization_id is None


def test_step_four_never_picks_a_county_provider_serving_none_of_the_members_pofs():
    # DOMAIN 7 (4): the provider in the member's county that serves the member's POF(s)
    decision = choose_provider(member(pofs={"HOMELESS"}), [BEHAVIORAL, PCP_GROUP])
    assert decision == Decision(None, Rule.NO_PROVIDER)
    assert choose_provider(member(pofs={"HOMELESS"}), [BEHAVIORAL, PCP_GROUP, CLINIC]) == Decision(
        1, Rule.COUNTY_AND_POF
    )


def test_step_four_prefers_a_provider_competent_for_all_of_the_members_pofs():
    # DOMAIN 7 (4): members in several POFs go to one competent for all of them where one exists
    roomy_clinic = Candidate(1, "Eastside Clinic", "1234567893", frozenset({"01"}), frozenset({"HOMELESS"}), 100, 0)
    assert choose_provider(member(), [roomy_clinic, BROAD]).organization_id == 5
    # where none serves all of them, one serving some of them
    assert choose_provider(member(), [roomy_clinic, BEHAVIORAL]).organization_id == 1


def test_a_member_with_no_open_pof_has_no_step_four_candidate():
    # DOMAIN 7 (4): without a POF there is no competence to match; steps (1)-(3) still apply
    assert choose_provider(member(pofs=set()), ALL) == Decision(None, Rule.NO_PROVIDER)
    assert choose_provider(member(pofs=set(), pcp_npi=PCP_GROUP.npi), ALL) == Decision(3, Rule.PCP)
