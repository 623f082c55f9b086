"""The catalogue loaded from benefits/reference/ (DOMAIN 9): ECM and the 15 Community Supports, their
old names, every (HCPCS, modifiers) pair and every limit of the reference CSVs."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from benefits import selectors
from benefits.models import CatalogueService, LimitType, ServiceAlias, ServiceCode, ServiceKind, ServiceLimit

pytestmark = pytest.mark.django_db
REFERENCE = Path(selectors.__file__).resolve().parent / "reference"
TODAY = date(2026, 12, 1)
DOMAIN_9 = [
    "Housing Transition Navigation Services", "Housing Deposits", "Housing Tenancy and Sustaining Services",
    "Short-Term Post-Hospitalization Housing", "Recuperative Care (Medical Respite)", "Respite Services",
    "Day Habilitation Programs", "Assisted Living Facility (ALF) Transitions",
    "Community or Home Transition Services", "Personal Care and Homemaker Services",
    "Environmental Accessibility Adaptations (Home Modifications)",
    "Medically Tailored Meals/Medically Supportive Food", "Sobering Centers", "Asthma Remediation",
    "Transitional Rent",
]  # fmt: skip


def reference_rows(name):
    with open(REFERENCE / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ecm_and_the_fifteen_community_supports():
    """DOMAIN 9: the 14 pre-approved services plus Transitional Rent, and ECM in the same catalogue."""
    supports = CatalogueService.objects.filter(kind=ServiceKind.COMMUNITY_SUPPORT)
    assert sorted(supports.values_list("name", flat=True)) == sorted(DOMAIN_9)
    assert CatalogueService.objects.get(kind=ServiceKind.ECM).code == "ecm"
    assert set(CatalogueService.objects.values_list("expedited_hours", flat=True)) == {72}
    for service in CatalogueService.objects.all():
        assert service.eligibility_criteria and service.discontinuation_criteria, service


def test_transitional_rent_from_2026_and_mandatory():
    """DOMAIN 9: Transitional Rent is mandatory from 2026-01-01; the others offered from 2022-01-01."""
    rent = CatalogueService.objects.get(name="Transitional Rent")
    assert (rent.effective_from, rent.mandatory_from) == (date(2026, 1, 1), date(2026, 1, 1))
    assert set(CatalogueService.objects.exclude(pk=rent.pk).values_list("effective_from", flat=True)) == {
        date(2022, 1, 1)
    }
    assert rent not in selectors.catalogue_services(on=date(2025, 12, 31))
    assert rent in selectors.catalogue_services(on=date(2026, 1, 1))
    assert len(selectors.catalogue_services(on=TODAY)) == 16


def test_only_sobering_centers_retroactive_and_closed_loop_exempt():
    """DOMAIN 9: sobering centers may be authorized retroactively and are exempt from closed-loop."""
    assert list(CatalogueService.objects.filter(allows_retroactive_authorization=True)) == [
        CatalogueService.objects.get(code="sobering-centers")
    ]
    assert list(CatalogueService.objects.filter(closed_loop_exempt=True).values_list("code", flat=True)) == [
        "sobering-centers"
    ]


def test_the_2025_renames_are_aliases_and_old_names_find_the_service():
    """DOMAIN 9: old names are kept as aliases (renamed 2025)."""
    aliases = dict(ServiceAlias.objects.values_list("name", "service__name"))
    assert aliases == {
        "Nursing Facility Transition/Diversion to Assisted Living Facilities": (
            "Assisted Living Facility (ALF) Transitions"
        ),
        "Community Transition Services/Nursing Facility Transition to a Home": "Community or Home Transition Services",
    }
    assert set(ServiceAlias.objects.values_list("used_until", flat=True)) == {date(2024, 12, 31)}
    old = selectors.service_named("nursing facility transition/diversion to assisted living facilities", on=TODAY)
    assert old.code == "alf-transitions"
    assert selectors.service_named("Sobering Centers", on=TODAY).code == "sobering-centers"
    assert selectors.service_named("Transitional Rent", on=date(2025, 6, 1)) is None
    assert selectors.service_named("Housing", on=TODAY) is None


def test_every_code_pair_loaded_once_per_code():
    """DOMAIN 9: every row of cs-codes.csv, "G9008 or G9012" as two pairs, in guidance v1.3."""
    expected = set()
    for row in reference_rows("cs-codes.csv"):
        for hcpcs in row["hcpcs"].split(" or "):
            expected.add((hcpcs, row["modifiers"]))
    loaded = set(ServiceCode.objects.values_list("hcpcs", "modifiers"))
    assert loaded == expected
    assert ServiceCode.objects.count() == len(expected) == 54
    assert set(ServiceCode.objects.values_list("guidance_version", flat=True)) == {
        "HCPCS Coding Guidance v1.3 (2026-01)"
    }
    assert {("G9008", "U8"), ("G9012", "U8")} <= loaded
    assert ServiceCode.objects.get(hcpcs="S9977", modifiers="U9").effective_from == date(2026, 1, 1)


def test_shared_base_codes_resolve_by_modifier():
    """DOMAIN 9: H0044 U2 deposits, U3 post-hospitalization housing, U6 transitional rent."""
    resolved = {
        modifier: selectors.service_for_code("H0044", [modifier], on=TODAY).code for modifier in ["U2", "U3", "U6"]
    }
    assert resolved == {
        "U2": "housing-deposits", "U3": "post-hospitalization-housing", "U6": "transitional-rent"
    }  # fmt: skip
    assert selectors.service_for_code("S5165", "U5", on=TODAY).code == "asthma-remediation"
    assert selectors.service_for_code("S5165", "U6", on=TODAY).code == "home-modifications"
    assert selectors.service_for_code("H0044", "U9", on=TODAY) is None
    assert selectors.service_for_code("H0044", "U6", on=date(2025, 12, 31)) is not None  # the code row's own date


def test_modifiers_in_any_order_or_position():
    """DOMAIN 9 (cs-codes.csv note): a claim's modifiers may sit in any of its modifier positions."""
    assert selectors.service_for_code("G9008", "GQ U1", on=TODAY).code == "ecm"
    assert selectors.service_for_code("T2038", ["XX", "U4"], on=TODAY).code == "alf-transitions"
    assert selectors.service_for_code("T2038", ["U5"], on=TODAY).code == "community-home-transition"
    assert selectors.service_for_code("T2038", [], on=TODAY) is None


def test_every_limit_loaded_with_value_window_and_override():
    """DOMAIN 9: the limits as versioned data; an override where the guide allows exceptions."""
    assert ServiceLimit.objects.count() == len(reference_rows("cs-limits.csv")) == 13
    respite = selectors.limits_of(CatalogueService.objects.get(code="respite"), on=TODAY).get()
    assert (respite.limit_type, respite.value, respite.unit, respite.override_allowed) == (
        LimitType.PER_CALENDAR_YEAR, Decimal(336), "hours", True
    )  # fmt: skip
    recuperative = CatalogueService.objects.get(code="recuperative-care")
    continuous = ServiceLimit.objects.get(limit_type=LimitType.CONTINUOUS_DURATION)
    assert (continuous.value, continuous.override_allowed, continuous.exception) == (Decimal(90), False, "")
    assert list(continuous.services.all()) == [recuperative]
    deposits = ServiceLimit.objects.get(services__code="housing-deposits")
    assert (deposits.limit_type, deposits.value, deposits.override_allowed) == (LimitType.LIFETIME_COUNT, 1, True)
    amounts = ServiceLimit.objects.filter(limit_type=LimitType.LIFETIME_AMOUNT)
    assert set(amounts.values_list("services__code", flat=True)) == {
        "home-modifications", "asthma-remediation", "community-home-transition"
    }  # fmt: skip
    assert set(amounts.values_list("value", flat=True)) == {Decimal(7500)}


def test_the_combined_cap_links_three_services():
    """DOMAIN 9: post-hospitalization housing + recuperative care + transitional rent, 6 months in
    any rolling 12, and each service's limits include it."""
    combined = ServiceLimit.objects.get(limit_type=LimitType.COMBINED_ROLLING)
    assert (combined.value, combined.window, combined.override_allowed) == (Decimal(6), 12, False)
    codes = {"post-hospitalization-housing", "recuperative-care", "transitional-rent"}
    assert set(combined.services.values_list("code", flat=True)) == codes
    for code in codes:
        assert combined in selectors.limits_of(CatalogueService.objects.get(code=code), on=TODAY)
    assert combined not in selectors.limits_of(CatalogueService.objects.get(code="respite"), on=TODAY)


def test_the_data_migration_unloads_and_reloads():
    """The migration is reversible: unapplying removes what it loaded, reapplying loads it again."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("benefits.migrations.0002_catalogue_data")
    migration.unseed(apps, None)
    assert not CatalogueService.objects.exists() and not ServiceCode.objects.exists()
    assert not ServiceLimit.objects.exists() and not ServiceAlias.objects.exists()
    migration.seed(apps, None)
    assert CatalogueService.objects.count() == 16 and ServiceLimit.objects.count() == 13
