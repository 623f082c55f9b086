"""Rows the election tests share: Community Supports of their own (whatever the catalogue migration
loads), an ECM row, and the people of plan A. Import the fixtures into a test module."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from benefits.models import CatalogueService, ServiceKind
from ecm_platform import clocks
from ecm_platform.tenancy.models import County, Role
from tests.conftest import membership_of

# 2026-12-01, noon in California: the next addition anchor is 2027-01-01, the next removal too.
TODAY = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("America/Los_Angeles"))


def service_named(code: str, *, kind=ServiceKind.COMMUNITY_SUPPORT, mandatory_from=None) -> CatalogueService:
    return CatalogueService.objects.create(
        code=f"test-{code}",
        name=f"Test {code}",
        kind=kind,
        effective_from=date(2022, 1, 1),
        mandatory_from=mandatory_from,
    )


@pytest.fixture(name="frozen_today")
def frozen_today_fixture():
    with clocks.frozen(TODAY):
        yield TODAY


@pytest.fixture(name="respite")
def respite_fixture(db):
    return service_named("respite")


@pytest.fixture(name="meals")
def meals_fixture(db):
    return service_named("meals")


@pytest.fixture(name="rent")
def rent_fixture(db):
    return service_named("rent", mandatory_from=date(2026, 1, 1))


@pytest.fixture(name="ecm")
def ecm_fixture(db):
    return service_named("ecm", kind=ServiceKind.ECM)


@pytest.fixture(name="alameda")
def alameda_fixture(plan_a):
    return County.objects.get(code="01")


@pytest.fixture(name="outside")
def outside_fixture(plan_a):
    """A county plan A does not serve (Los Angeles)."""
    return County.objects.get(code="19")


@pytest.fixture(name="administrator")
def administrator_fixture(plan_a):
    return membership_of(plan_a, Role.PLAN_ADMINISTRATOR).user


@pytest.fixture(name="coordinator")
def coordinator_fixture(plan_a):
    return membership_of(plan_a, Role.CARE_COORDINATOR).user
