"""The DHCS counting rules of outreach attempts (DOMAIN 8; FAQ 19-20; Policy Guide XI) and the
plan's "unable to reach" policy, as pure functions (outreach/rules.py)."""

from datetime import date, timedelta

import pytest

from outreach.models import Method, Outcome
from outreach.rules import AttemptFacts, AttemptPolicy, outcome_problem, unreachable_status, verdict

M, OC = Method, Outcome


def test_in_person_counts_whether_or_not_the_member_is_reached():
    """DOMAIN 8: in-person outreach counts; reaching the member makes it successful."""
    reached, missed = verdict(M.IN_PERSON, True, OC.REACHED_MEMBER), verdict(M.IN_PERSON, True, OC.NO_ANSWER)
    assert (reached.counts, reached.successful) == (True, True)
    assert (missed.counts, missed.successful) == (True, False)


def test_a_telephone_call_answered_counts_and_succeeds():
    """DOMAIN 8: telephone, answered."""
    result = verdict(M.TELEPHONE, True, OC.REACHED_MEMBER)
    assert (result.counts, result.successful) == (True, True)


def test_a_telephone_call_unanswered_counts_but_does_not_succeed():
    """DOMAIN 8: telephone counts answered or not."""
    result = verdict(M.TELEPHONE, True, OC.NO_ANSWER)
    assert (result.counts, result.successful) == (True, False)


def test_a_live_voicemail_counts_but_is_not_an_interaction():
    """DOMAIN 8: a live voicemail counts."""
    result = verdict(M.TELEPHONE, True, OC.LIVE_MESSAGE)
    assert (result.counts, result.successful) == (True, False)


def test_reaching_the_parent_or_guardian_is_successful():
    """DOMAIN 8: an actual interaction with the member or parent/guardian."""
    result = verdict(M.TELEPHONE, True, OC.REACHED_GUARDIAN)
    assert (result.counts, result.successful) == (True, True)


def test_a_member_who_declines_was_reached():
    """DOMAIN 8: declining is an interaction with the member."""
    assert verdict(M.IN_PERSON, True, OC.DECLINED).successful


def test_an_email_to_one_member_asking_for_a_response_counts():
    """DOMAIN 8: email to the individual with a request to respond."""
    result = verdict(M.EMAIL, True, OC.NO_ANSWER)
    assert (result.counts, result.successful) == (True, False)


def test_an_email_to_a_targeted_group_asking_for_a_response_counts_for_each_member():
    """DOMAIN 8: its content decides, not how many received it: a group email asking the member to
    call a named contact counts even if nobody answers (the same verdict for every recipient)."""
    recipients = [verdict(M.EMAIL, True, OC.NO_ANSWER) for _ in range(3)]
    assert all(result.counts for result in recipients)
    assert "however many received it" in recipients[0].reason


def test_an_informational_email_is_marketing_and_does_not_count():
    """DOMAIN 8: a mass email with no request to respond."""
    result = verdict(M.EMAIL, False, OC.NO_ANSWER)
    assert (result.counts, result.successful) == (False, False)
    assert "marketing" in result.reason


def test_an_email_reply_from_the_member_is_successful():
    """DOMAIN 8: an email answered by the member is an actual interaction."""
    assert verdict(M.EMAIL, True, OC.REACHED_MEMBER).successful


def test_a_text_asking_for_a_response_counts():
    """DOMAIN 8: texts follow the email rule."""
    assert verdict(M.TEXT, True, OC.NO_ANSWER).counts


def test_an_informational_text_blast_does_not_count():
    """DOMAIN 8: an informational blast does not count."""
    assert not verdict(M.TEXT, False, OC.NO_ANSWER).counts


def test_other_individual_electronic_methods_follow_the_email_rule():
    """DOMAIN 8: other individual electronic method."""
    assert verdict(M.OTHER_ELECTRONIC, True, OC.NO_ANSWER).counts
    assert not verdict(M.OTHER_ELECTRONIC, False, OC.NO_ANSWER).counts


def test_a_robocall_with_only_a_prerecorded_message_does_not_count():
    """FAQ 20: a robo-call that does not connect the person to live staff."""
    result = verdict(M.ROBOCALL, False, OC.PRERECORDED_MESSAGE)
    assert (result.counts, result.successful) == (False, False)
    assert "FAQ 20" in result.reason


def test_a_robocall_the_member_declined_by_keypad_does_not_count():
    """FAQ 20: declining an automated call never reached live staff, so it is no attempt and no success."""
    result = verdict(M.ROBOCALL, False, OC.DECLINED)
    assert (result.counts, result.successful) == (False, False)


def test_a_robocall_nobody_answered_does_not_count():
    """FAQ 20."""
    assert not verdict(M.ROBOCALL, False, OC.NO_ANSWER).counts


def test_a_robocall_to_a_wrong_number_does_not_count():
    """FAQ 20."""
    assert not verdict(M.ROBOCALL, False, OC.WRONG_NUMBER).counts


def test_a_robocall_where_staff_left_a_live_message_counts_without_succeeding():
    """FAQ 20: staff leave a live (not pre-recorded) message on an answering machine."""
    result = verdict(M.ROBOCALL, False, OC.LIVE_MESSAGE)
    assert (result.counts, result.successful) == (True, False)


def test_a_robocall_where_staff_spoke_with_the_member_counts_and_succeeds():
    """FAQ 20: staff speak with the member."""
    result = verdict(M.ROBOCALL, False, OC.REACHED_MEMBER)
    assert (result.counts, result.successful) == (True, True)


def test_a_robocall_whose_call_back_staff_answered_counts_and_succeeds():
    """FAQ 20: it results in a call-back answered by staff."""
    result = verdict(M.ROBOCALL, False, OC.CALLBACK_ANSWERED)
    assert (result.counts, result.successful) == (True, True)


@pytest.mark.parametrize(
    "outcome", [OC.REACHED_MEMBER, OC.REACHED_GUARDIAN, OC.NO_ANSWER, OC.WRONG_NUMBER, OC.DECLINED]
)
def test_postal_mail_never_counts(outcome):
    """DOMAIN 8, Policy Guide XI: postal mail is not an individualized method with a chance to
    respond directly, whatever followed and whatever it asked."""
    for asks in (True, False):
        result = verdict(M.POSTAL_MAIL, asks, outcome)
        assert (result.counts, result.successful) == (False, False)
        assert "Policy Guide XI" in result.reason


@pytest.mark.parametrize(
    ("method", "outcome"),
    [
        (M.IN_PERSON, OC.LIVE_MESSAGE),
        (M.IN_PERSON, OC.PRERECORDED_MESSAGE),
        (M.IN_PERSON, OC.CALLBACK_ANSWERED),
        (M.TELEPHONE, OC.PRERECORDED_MESSAGE),
        (M.EMAIL, OC.LIVE_MESSAGE),
        (M.TEXT, OC.PRERECORDED_MESSAGE),
        (M.OTHER_ELECTRONIC, OC.LIVE_MESSAGE),
        (M.POSTAL_MAIL, OC.PRERECORDED_MESSAGE),
    ],
)
def test_impossible_outcomes_are_named(method, outcome):
    """DOMAIN 8: an outcome that cannot follow the method is refused when recorded."""
    assert "cannot be the outcome of" in outcome_problem(method, outcome)


@pytest.mark.parametrize(
    ("method", "outcome"),
    [(M.TELEPHONE, OC.LIVE_MESSAGE), (M.TELEPHONE, OC.CALLBACK_ANSWERED), (M.ROBOCALL, OC.PRERECORDED_MESSAGE)],
)
def test_possible_outcomes_have_no_problem(method, outcome):
    """DOMAIN 8."""
    assert outcome_problem(method, outcome) == ""


def test_only_counting_attempts_with_an_interaction_are_successful():
    """DOMAIN 8: a successful attempt is an actual interaction; one that does not count never is."""
    for method in Method:
        for outcome in Outcome:
            if outcome_problem(method, outcome):
                continue
            for asks in (True, False):
                result = verdict(method, asks, outcome)
                assert not result.successful or result.counts


DAY = date(2026, 10, 1)
POLICY = AttemptPolicy(attempts=3, days=30, methods=2)


def facts(*specs):
    return [AttemptFacts(day=DAY + timedelta(days=offset), method=method, counts=counts, successful=ok)
            for offset, method, counts, ok in specs]  # fmt: skip


def test_the_attempt_policy_is_met_by_enough_attempts_methods_and_days():
    """DOMAIN 8: unable to reach after the plan's attempt policy."""
    attempts = facts((0, M.TELEPHONE, True, False), (10, M.IN_PERSON, True, False), (30, M.TELEPHONE, True, False))
    status = unreachable_status(attempts, POLICY)
    assert status.met
    assert status.explanation.startswith("3 counting attempts by 2 methods over 30 days")


def test_the_attempt_policy_needs_more_attempts():
    """DOMAIN 8."""
    attempts = facts((0, M.TELEPHONE, True, False), (30, M.IN_PERSON, True, False))
    status = unreachable_status(attempts, POLICY)
    assert not status.met
    assert status.explanation == "The attempt policy needs 1 more counting attempt(s) (of 3)."


def test_the_attempt_policy_needs_more_methods():
    """DOMAIN 8."""
    attempts = facts(*[(offset, M.TELEPHONE, True, False) for offset in (0, 15, 30)])
    status = unreachable_status(attempts, POLICY)
    assert status.explanation == "The attempt policy needs 1 more method(s) (of 2)."


def test_the_attempt_policy_needs_more_days():
    """DOMAIN 8."""
    attempts = facts((0, M.TELEPHONE, True, False), (1, M.IN_PERSON, True, False), (2, M.TELEPHONE, True, False))
    status = unreachable_status(attempts, POLICY)
    assert status.explanation == (
        "The attempt policy needs 28 more day(s) between the first and the latest counting attempt (of 30)."
    )


def test_attempts_on_one_day_and_then_silence_do_not_meet_the_policy():
    """DOMAIN 8: "N attempts over M days" is persistence over the days, not a wait after one burst."""
    attempts = facts((0, M.TELEPHONE, True, False), (0, M.IN_PERSON, True, False), (0, M.TELEPHONE, True, False))
    assert not unreachable_status(attempts, POLICY).met


def test_attempts_that_do_not_count_are_not_weighed():
    """DOMAIN 8, FAQ 20: robo-calls and postal mail are kept but never make the policy."""
    attempts = facts(
        (0, M.TELEPHONE, True, False), (5, M.ROBOCALL, False, False), (10, M.POSTAL_MAIL, False, False),
        (30, M.TELEPHONE, True, False),
    )  # fmt: skip
    status = unreachable_status(attempts, POLICY)
    assert status.explanation == "The attempt policy needs 1 more counting attempt(s) (of 3); 1 more method(s) (of 2)."


def test_with_no_attempt_every_gap_is_named():
    """DOMAIN 8."""
    status = unreachable_status([], POLICY)
    assert status.explanation == (
        "The attempt policy needs 3 more counting attempt(s) (of 3); 2 more method(s) (of 2); "
        "30 more day(s) between the first and the latest counting attempt (of 30)."
    )


def test_a_member_reached_is_not_unreachable():
    """DOMAIN 8: a successful attempt means the member was reached."""
    attempts = facts(
        (0, M.TELEPHONE, True, False), (10, M.IN_PERSON, True, True), (20, M.TELEPHONE, True, False),
        (30, M.EMAIL, True, False),
    )  # fmt: skip
    status = unreachable_status(attempts, POLICY)
    assert (status.met, status.explanation) == (False, "The member was reached on 2026-10-11.")
