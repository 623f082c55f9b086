"""When a plan's Community Supports elections may change (DOMAIN 9; FAQ 24, 32): pure functions of
dates and the plan-independent anchor setting.

The product's reading, since offering began on 2022-01-01: additions take effect on 1 January or 1
July (every six months), removals on 1 January (once a year). The anchors are month-day strings in
`settings.COMMUNITY_SUPPORTS_ANCHORS`, the same for every plan.
"""

from datetime import date

from django.conf import settings

# Community Supports were first offered on this day (DOMAIN 9): no election takes effect before it.
OFFERING_BEGAN = date(2022, 1, 1)


def _anchors(kind: str) -> list[tuple[int, int]]:
    return sorted(
        tuple(int(part) for part in anchor.split("-")) for anchor in settings.COMMUNITY_SUPPORTS_ANCHORS[kind]
    )


def _is_anchor(kind: str, day: date) -> bool:
    return (day.month, day.day) in _anchors(kind)


def _next_anchor(kind: str, after: date) -> date:
    """The first anchor date of `kind` strictly after `after`."""
    for year in (after.year, after.year + 1):
        for month, day in _anchors(kind):
            candidate = date(year, month, day)
            if candidate > after:
                return candidate
    raise AssertionError(f"No {kind} anchor configured.")


def _listed(kind: str) -> str:
    return " or ".join(date(2000, month, day).strftime("%-d %B") for month, day in _anchors(kind))


def next_addition_date(after: date) -> date:
    """The first day after `after` on which an addition may take effect."""
    return _next_anchor("additions", after)


def next_removal_date(after: date) -> date:
    """The first day after `after` on which a removal may take effect (the first day not offered)."""
    return _next_anchor("removals", after)


def why_not_an_addition_date(day: date) -> str:
    """Why an election cannot start on `day`, or "" when it can."""
    if day < OFFERING_BEGAN:
        return f"Community Supports were first offered on {OFFERING_BEGAN:%Y-%m-%d}; an election cannot start before."
    if not _is_anchor("additions", day):
        return (
            f"An addition takes effect on {_listed('additions')} (DOMAIN 9); "
            f"the next valid date is {next_addition_date(day):%Y-%m-%d}."
        )
    return ""


def why_not_a_removal_date(day: date) -> str:
    """Why a removal cannot take effect on `day` (the first day the service is no longer offered),
    or "" when it can."""
    if not _is_anchor("removals", day):
        return (
            f"A removal takes effect on {_listed('removals')} (DOMAIN 9); "
            f"the next valid date is {next_removal_date(day):%Y-%m-%d}."
        )
    return ""
