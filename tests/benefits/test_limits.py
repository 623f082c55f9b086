"""DOMAIN 9's Community Supports limits as rules: each limit with members on both sides of its
boundary, the combined 6-in-any-rolling-12 cap across a year end, and the once-in-a-lifetime rule
with its one documented exception. The rules are read from the catalogue rows the migrations load
from benefits/reference/cs-limits.csv, so a wrong value in the data fails here too."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from benefits.limits import Use, allowance, check, days_of
from benefits.models import CatalogueService
from benefits.selectors import limits_of

pytestmark = pytest.mark.django_db

ON = date(2026, 12, 1)


def rule(code, limit_type):
    """The catalogue's limit of that type for the service (as loaded by the migrations)."""
    from benefits.limits import Rule

    return next(
        Rule.of(limit)
        for limit in limits_of(CatalogueService.objects.get(code=code), ON)
        if limit.limit_type == limit_type
    )


def days(code, first: date, count: int, quantity=None) -> Use:
    return Use(code, first, first + timedelta(days=count - 1), None if quantity is None else Decimal(quantity))


def test_durations_in_days_are_the_same_whatever_the_month():
    # The product's reading (benefits/limits.py): a month is 365.25 / 12 days.
    assert (days_of(6, "months"), days_of(12, "months in any rolling 12 months"), days_of(12, "weeks")) == (
        183,
        365,
        84,
    )
    assert days_of(90, "days") == 90


def test_respite_is_336_hours_a_calendar_year():
    # DOMAIN 9: Respite 336 hours per calendar year (an exception needs a reason).
    respite = rule("respite", "per_calendar_year")
    earlier = [days("respite", date(2026, 2, 1), 10, 300)]
    at_the_limit = check(respite, days("respite", date(2026, 11, 1), 5, 36), earlier)
    assert (at_the_limit.exceeded, at_the_limit.remaining) == (False, Decimal(36))
    one_more = check(respite, days("respite", date(2026, 11, 1), 5, "36.5"), earlier)
    assert one_more.exceeded and one_more.override_allowed
    assert "336" in one_more.problem and "reason" in one_more.problem
    # A new calendar year starts again: last year's hours do not count.
    next_year = check(respite, days("respite", date(2027, 1, 1), 5, 336), earlier)
    assert not next_year.exceeded


@pytest.mark.parametrize("code", ["home-modifications", "asthma-remediation"])
def test_home_modifications_and_asthma_remediation_are_7500_dollars_in_a_lifetime(code):
    # DOMAIN 9: Environmental Accessibility Adaptations and Asthma Remediation $7,500 lifetime each.
    cap = rule(code, "lifetime_amount")
    earlier = [days(code, date(2023, 5, 1), 1, "5000"), days(code, date(2025, 5, 1), 1, "2000")]
    assert not check(cap, days(code, ON, 1, "500"), earlier).exceeded
    over = check(cap, days(code, ON, 1, "500.01"), earlier)
    assert over.exceeded and over.override_allowed
    assert over.remaining == Decimal(500)


def test_the_two_lifetime_caps_are_each_their_own():
    # "each": asthma remediation spent does not reduce home modifications.
    cap = rule("home-modifications", "lifetime_amount")
    asthma = [days("asthma-remediation", date(2025, 1, 1), 1, "7500")]
    assert not check(cap, days("home-modifications", ON, 1, "7500"), asthma).exceeded


@pytest.mark.parametrize("code", ["housing-deposits", "housing-tenancy-sustaining"])
def test_housing_deposits_and_tenancy_once_in_a_lifetime_plus_one_exception(code):
    # DOMAIN 9: once in a lifetime plus one documented exception.
    once = rule(code, "lifetime_count")
    first = check(once, days(code, ON, 1), [])
    assert not first.exceeded
    second = check(once, days(code, ON, 1), [days(code, date(2024, 3, 1), 1)])
    assert second.exceeded and second.override_allowed  # the exception, with documentation
    third = check(once, days(code, ON, 1), [days(code, date(2024, 3, 1), 1), days(code, date(2025, 3, 1), 1)])
    assert third.exceeded and not third.override_allowed  # no second exception


def test_recuperative_care_is_at_most_90_continuous_days():
    # DOMAIN 9: Recuperative Care at most 90 days continuous; a stay that touches another continues it.
    continuous = rule("recuperative-care", "continuous_duration")
    assert not check(continuous, days("recuperative-care", ON, 90), []).exceeded
    assert check(continuous, days("recuperative-care", ON, 91), []).exceeded
    first = [days("recuperative-care", date(2026, 10, 1), 60)]  # 10-01 .. 11-29
    touching = check(continuous, days("recuperative-care", date(2026, 11, 30), 31), first)
    assert touching.exceeded and (touching.used, touching.proposed) == (60, 31)
    assert not touching.override_allowed  # no exception in the guide
    assert not check(continuous, days("recuperative-care", date(2026, 11, 30), 30), first).exceeded
    after_a_gap = check(continuous, days("recuperative-care", date(2026, 12, 1), 90), first)
    assert not after_a_gap.exceeded  # a day between: a new stay


@pytest.mark.parametrize("code", ["post-hospitalization-housing", "transitional-rent"])
def test_post_hospitalization_housing_and_transitional_rent_at_most_6_months(code):
    # DOMAIN 9: Short-Term Post-Hospitalization Housing at most 6 months (Transitional Rent too).
    six_months = rule(code, "max_duration")
    assert not check(six_months, days(code, ON, 183), []).exceeded
    assert check(six_months, days(code, ON, 184), []).exceeded


def test_medically_tailored_meals_two_a_day_for_twelve_weeks_unless_necessary_longer():
    # DOMAIN 9: up to 2 meals a day for up to 12 weeks unless medically necessary longer.
    per_day, twelve_weeks = (
        rule("medically-tailored-meals", "per_day_count"),
        rule("medically-tailored-meals", "max_duration"),
    )
    assert not check(per_day, days("medically-tailored-meals", ON, 84, 2), []).exceeded
    assert check(per_day, days("medically-tailored-meals", ON, 84, 3), []).exceeded
    assert not check(twelve_weeks, days("medically-tailored-meals", ON, 84, 2), []).exceeded
    longer = check(twelve_weeks, days("medically-tailored-meals", ON, 85, 2), [])
    assert longer.exceeded and longer.override_allowed  # medically necessary: a reason


def test_a_sobering_center_stay_is_under_24_hours():
    # DOMAIN 9: a sobering center stay is under 24 hours.
    stay = rule("sobering-centers", "per_stay")
    assert not check(stay, days("sobering-centers", ON, 1, "23.5"), []).exceeded
    assert check(stay, days("sobering-centers", ON, 1, 24), []).exceeded


COMBINED = ("post-hospitalization-housing", "recuperative-care", "transitional-rent")


def test_three_housing_services_together_at_most_6_months_in_any_rolling_12():
    # DOMAIN 9: Short-Term Post-Hospitalization Housing + Recuperative Care + Transitional Rent together
    # at most 6 months (183 days) in any rolling 12 (365 days): here across a year end.
    cap = rule("transitional-rent", "combined_rolling")
    assert cap.services == frozenset(COMBINED)
    recuperative = days("recuperative-care", date(2026, 10, 1), 90)  # 10-01 .. 12-29
    housing = days("post-hospitalization-housing", date(2026, 12, 30), 60)  # .. 2027-02-27
    history = [recuperative, housing]
    at_the_cap = check(cap, days("transitional-rent", date(2027, 2, 28), 33), history)
    assert (at_the_cap.exceeded, at_the_cap.used, at_the_cap.proposed) == (False, 150, 33)
    over = check(cap, days("transitional-rent", date(2027, 2, 28), 34), history)
    assert over.exceeded and not over.override_allowed
    # Once the recuperative stay has rolled out of the 12 months, the same rent fits.
    later = check(cap, days("transitional-rent", date(2027, 10, 1), 120), history)
    assert not later.exceeded


def test_the_rolling_window_counts_overlapping_days_once():
    cap = rule("recuperative-care", "combined_rolling")
    overlapping = [
        days("recuperative-care", date(2026, 1, 1), 100),
        days("post-hospitalization-housing", date(2026, 1, 1), 100),
    ]
    assert not check(cap, days("transitional-rent", date(2026, 4, 11), 83), overlapping).exceeded
    assert check(cap, days("transitional-rent", date(2026, 4, 11), 84), overlapping).exceeded


def test_a_limit_that_counts_needs_what_it_counts():
    respite = rule("respite", "per_calendar_year")
    missing_hours = check(respite, Use("respite", ON, ON), [])
    assert missing_hours.exceeded and not missing_hours.override_allowed and "hours" in missing_hours.problem
    missing_period = check(rule("recuperative-care", "continuous_duration"), Use("recuperative-care", None, None), [])
    assert missing_period.exceeded and "period" in missing_period.problem


def test_the_allowance_left_on_a_day():
    # The remaining allowance shown on the member and the request (issue 17).
    respite = rule("respite", "per_calendar_year")
    assert allowance(respite, [days("respite", date(2026, 3, 1), 2, 100)], ON).remaining == Decimal(236)
    assert allowance(respite, [days("respite", date(2025, 3, 1), 2, 100)], ON).remaining == Decimal(336)
    cap = rule("recuperative-care", "combined_rolling")
    left = allowance(cap, [days("recuperative-care", date(2026, 10, 1), 30)], ON)
    assert (left.used, left.remaining) == (30, 153)
