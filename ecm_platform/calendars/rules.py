"""The default office closures of DOMAIN 5.1, dated by the `holidays` library for California.

Only these closures are defaults; the library's days of observance (Susan B. Anthony Day, Diwali,
...) are not. The library joins names that fall on one day ("Presidents' Day; Susan B. Anthony Day")
and marks shifted days "(observed)", sometimes in the previous year (2027-12-31 for New Year's Day
2028), so each name is matched separately and dates are taken from the neighbouring year too.
"""

from datetime import date

import holidays

DEFAULT_CLOSURES = {
    "New Year's Day": "New Year's Day",
    "Martin Luther King Jr. Day": "Martin Luther King Jr. Day",
    "Presidents' Day": "Presidents' Day",
    "Washington's Birthday": "Presidents' Day",
    "Cesar Chavez Day": "Cesar Chavez Day",
    "Memorial Day": "Memorial Day",
    "Juneteenth National Independence Day": "Juneteenth",
    "Independence Day": "Independence Day",
    "Labor Day": "Labor Day",
    "Veterans Day": "Veterans Day",
    "Thanksgiving Day": "Thanksgiving",
    "Thanksgiving": "Thanksgiving",
    "Day After Thanksgiving": "Day after Thanksgiving",
    "Christmas Day": "Christmas",
}
OBSERVED_SUFFIX = " (observed)"
SOURCE = f"holidays {holidays.__version__}, US-CA, DOMAIN 5.1 default closures"


def closure_name(library_name: str) -> str | None:
    """Our name for one of the library's holiday names, or None when it is not an office closure."""
    observed = library_name.endswith(OBSERVED_SUFFIX)
    base = library_name.removesuffix(OBSERVED_SUFFIX)
    name = DEFAULT_CLOSURES.get(base)
    if name is None:
        return None
    return f"{name}{OBSERVED_SUFFIX}" if observed else name


def default_closures(year: int) -> dict[date, str]:
    """The default office closures dated in `year`."""
    calendar = holidays.US(subdiv="CA", years=[year, year + 1])
    closures = {}
    for day, joined_names in calendar.items():
        if day.year != year:
            continue
        names = [closure_name(name) for name in joined_names.split("; ")]
        names = [name for name in names if name]
        if names:
            closures[day] = "; ".join(names)
    return dict(sorted(closures.items()))
