"""The 58 California counties seeded by the tenancy migration (DOMAIN 3.4)."""

from ecm_platform.tenancy.models import County

# DOMAIN 3.4: counties that ran Whole Person Care pilots and/or Health Homes Program.
WPC_OR_HHP = {
    "Alameda",
    "Contra Costa",
    "Imperial",
    "Kern",
    "Kings",
    "Los Angeles",
    "Marin",
    "Mendocino",
    "Monterey",
    "Napa",
    "Orange",
    "Placer",
    "Riverside",
    "Sacramento",
    "San Bernardino",
    "San Diego",
    "San Francisco",
    "San Joaquin",
    "San Mateo",
    "Santa Clara",
    "Santa Cruz",
    "Shasta",
    "Sonoma",
    "Tulare",
    "Ventura",
}


def test_the_seed_codes_58_counties_01_to_58_in_alphabetical_order(db):
    counties = list(County.objects.order_by("code").values_list("code", "name"))
    assert [code for code, _ in counties] == [f"{number:02d}" for number in range(1, 59)]
    names = [name for _, name in counties]
    assert names == sorted(names)
    assert len(set(names)) == 58
    # The state's own county codes, at both ends and in between.
    assert {"01": "Alameda", "07": "Contra Costa", "19": "Los Angeles", "37": "San Diego", "58": "Yuba"}.items() <= (
        dict(counties).items()
    )


def test_exactly_the_25_wpc_or_hhp_counties_carry_the_flag(db):
    # DOMAIN 3.4
    flagged = set(County.objects.filter(has_wpc_or_hhp=True).values_list("name", flat=True))
    assert len(WPC_OR_HHP) == 25
    assert flagged == WPC_OR_HHP
    assert County.objects.filter(has_wpc_or_hhp=False).count() == 58 - 25
