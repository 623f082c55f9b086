"""Fixtures are built through the named cross-plan bypass; test bodies run in a plan's scope, as a
request, a task or a command would (ARCHITECTURE.md, Tenancy)."""

import importlib
import inspect
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from ecm_platform import clocks
from ecm_platform.celery import app as celery_app
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans, plan_scope
from ecm_platform.tenancy.services import api_key_issue, plan_create
from tests.append_only_flush import flush_permitted
from tests.factories import PLAN_CONTACT, MembershipFactory


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Every fixture builds its rows through the bypass, so test bodies need not (pretix's pattern).
    A yield fixture is left alone: a context entered around its setup would end before the test."""
    if inspect.isgeneratorfunction(fixturedef.func):
        yield
    else:
        with across_plans(reason="test fixture setup"):
            yield


@pytest.fixture
def in_plan_a(plan_a):
    """The test body runs in plan A's scope (and, on PostgreSQL, behind its row-level security)."""
    with plan_scope(plan_a):
        yield


@pytest.fixture(autouse=True, scope="session")
def eager_celery():
    """The unit suite runs tasks in-process, whatever REDIS_URL says (ARCHITECTURE.md, Tests)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True, scope="session")
def append_only_tables_flushable():
    """The test database's flush empties the audit tables too (tests/append_only_flush.py)."""
    with flush_permitted():
        yield


SEED_MIGRATIONS = [
    "ecm_platform.tenancy.migrations.0002_seed_counties",
    "ecm_platform.calendars.migrations.0002_seed_decision_timeframes",
    "members.migrations.0002_seed_programs_and_medicare_rules",
    "eligibility.migrations.0002_seed_pofs_and_scan_criteria",
    "providers.migrations.0006_vetting_criteria",
]


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests (browser tests) flush the database after each test, taking the rows the
    migrations seed with them: put those back."""
    for module_name in SEED_MIGRATIONS:
        migration = importlib.import_module(module_name)
        migration.unseed(django_apps, None)
        migration.seed(django_apps, None)


def _seeded(request) -> None:
    """A transactional test's plan needs the seeded rows an earlier flush took: put them back first,
    whatever order the test named its fixtures in (a module's `in_plan_a` comes before them)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("reference_data")


@pytest.fixture
def plan_a(db, request):
    _seeded(request)
    with scopes_disabled():
        return plan_create(
            code="plan-a", name="Alpha Health Plan", county_codes=["01", "07"], actor=OPERATOR, **PLAN_CONTACT
        )


@pytest.fixture
def plan_b(db, request):
    _seeded(request)
    with scopes_disabled():
        return plan_create(
            code="plan-b", name="Bravo Health Plan", county_codes=["01", "19"], actor=OPERATOR, **PLAN_CONTACT
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Password hashing is slow on purpose; the suite needs no protection against cracking."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_membership(db):
    def make(plan, role=Role.CARE_COORDINATOR, **kwargs):
        with scopes_disabled():
            return MembershipFactory(plan=plan, role=role, **kwargs)

    return make


@pytest.fixture
def make_api_client(db):
    """An APIClient authenticated with a fresh key for the membership."""

    def make(membership):
        with scopes_disabled():
            _, raw_key = api_key_issue(
                plan=membership.plan,
                membership=membership,
                name="test",
                expires_at=clocks.now() + timedelta(days=30),
                actor=OPERATOR,
            )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
        return client

    return make


@pytest.fixture
def admin_a(plan_a, make_membership):
    return make_membership(plan_a, Role.PLAN_ADMINISTRATOR)


@pytest.fixture
def admin_b(plan_b, make_membership):
    return make_membership(plan_b, Role.PLAN_ADMINISTRATOR)
