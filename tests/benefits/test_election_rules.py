"""The election windows of DOMAIN 9: additions take effect on 1 January or 1 July, removals on 1
January, from a plan-independent setting; both sides of each anchor."""

from datetime import date

import pytest
from django.test import override_settings

from benefits import rules


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (date(2026, 12, 31), date(2027, 1, 1)),  # the day before the January anchor
        (date(2027, 1, 1), date(2027, 7, 1)),  # on it: the next one
        (date(2027, 1, 2), date(2027, 7, 1)),
        (date(2027, 6, 30), date(2027, 7, 1)),  # the day before the July anchor
        (date(2027, 7, 1), date(2028, 1, 1)),
        (date(2027, 7, 2), date(2028, 1, 1)),
    ],
)
def test_next_addition_date_is_the_next_six_monthly_anchor(after, expected):
    """DOMAIN 9: additions every six months, on 1 January or 1 July."""
    assert rules.next_addition_date(after) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2028, 1, 1)),
        (date(2027, 1, 2), date(2028, 1, 1)),
        (date(2027, 7, 1), date(2028, 1, 1)),  # 1 July is no removal anchor
    ],
)
def test_next_removal_date_is_the_next_first_of_january(after, expected):
    """DOMAIN 9: removals once a year, on 1 January."""
    assert rules.next_removal_date(after) == expected


@pytest.mark.parametrize("day", [date(2027, 1, 1), date(2027, 7, 1), date(2022, 1, 1)])
def test_an_addition_on_an_anchor_is_allowed(day):
    """DOMAIN 9: 1 January and 1 July, from the start of offering (2022-01-01)."""
    assert rules.why_not_an_addition_date(day) == ""


@pytest.mark.parametrize(
    ("day", "next_valid"),
    [
        (date(2026, 12, 31), "2027-01-01"),
        (date(2027, 1, 2), "2027-07-01"),
        (date(2027, 6, 30), "2027-07-01"),
        (date(2027, 7, 2), "2028-01-01"),
    ],
)
def test_an_addition_beside_an_anchor_names_the_next_valid_date(day, next_valid):
    """DOMAIN 9: the message names the windows and the next valid date."""
    message = rules.why_not_an_addition_date(day)
    assert "1 January or 1 July" in message
    assert next_valid in message


def test_no_addition_before_offering_began():
    """DOMAIN 9: offering began on 2022-01-01; 2021-07-01 is an anchor day but too early."""
    assert "2022-01-01" in rules.why_not_an_addition_date(date(2021, 7, 1))


def test_a_removal_on_the_first_of_january_is_allowed():
    """DOMAIN 9: removals on 1 January."""
    assert rules.why_not_a_removal_date(date(2028, 1, 1)) == ""


@pytest.mark.parametrize(
    ("day", "next_valid"),
    [(date(2027, 12, 31), "2028-01-01"), (date(2028, 1, 2), "2029-01-01"), (date(2027, 7, 1), "2028-01-01")],
)
def test_a_removal_beside_the_anchor_names_the_next_valid_date(day, next_valid):
    """DOMAIN 9: a removal on 1 July (an addition anchor) is refused too."""
    message = rules.why_not_a_removal_date(day)
    assert "1 January" in message and "1 July" not in message
    assert next_valid in message


@override_settings(COMMUNITY_SUPPORTS_ANCHORS={"additions": ["04-01", "10-01"], "removals": ["07-01"]})
def test_the_anchors_come_from_the_setting():
    """DOMAIN 9: the anchor dates are a plan-independent setting."""
    assert rules.next_addition_date(date(2027, 1, 1)) == date(2027, 4, 1)
    assert rules.next_removal_date(date(2027, 7, 1)) == date(2028, 7, 1)
    assert rules.why_not_an_addition_date(date(2027, 1, 1)) != ""
    assert rules.why_not_a_removal_date(date(2027, 7, 1)) == ""
