"""Fixtures are built through the named cross-plan bypass; test bodies run in a plan's scope, as a
request, a task or a command would (ARCHITECTURE.md, Tenancy)."""

import copy
import importlib
import inspect
import os
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
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


def pytest_configure(config):
    """Each pytest-xdist worker has a database of its own (pytest-django names it test_<name>_gw0, ...),
    and here a Celery queue and cache keys of its own on the run's Redis too (tests/redis_server.py
    gives each worker its own ports), before anything publishes or caches."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        celery_app.conf.task_default_queue = f"{celery_app.conf.task_default_queue}-{worker}"
        django_settings.CACHES["default"]["KEY_PREFIX"] = worker


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
    "benefits.migrations.0002_catalogue_data",
    "benefits.migrations.0004_spanish_names_urgent_services_criteria_codes",
    "exchange.migrations.0002_invoice_baseline",
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


PLAN_A = {"code": "plan-a", "name": "Alpha Health Plan", "county_codes": ["01", "07"]}
PLAN_B = {"code": "plan-b", "name": "Bravo Health Plan", "county_codes": ["01", "19"]}


def plan_of(fields: dict):
    with scopes_disabled():
        return plan_create(**fields, actor=OPERATOR, **PLAN_CONTACT)


@pytest.fixture
def plan_a(db, request):
    _seeded(request)
    return plan_of(PLAN_A)


@pytest.fixture
def plan_b(db, request):
    _seeded(request)
    return plan_of(PLAN_B)


def built_once_per_module(build):
    """The module-scoped fixture `module_rows`: the rows `build()` makes, once for the module, its
    tests sharing them. One transaction holds the module and is rolled back at its end; each test's
    own (the `db` fixture) is a savepoint inside it, so what a test writes goes when the test ends
    and the shared rows stay. Not for `transaction=True` tests, whose flush would empty it, nor for
    code that works on a second connection (a live server, a worker), which cannot see the rows. Tests
    take the rows through `module_row_copies`."""

    @pytest.fixture(scope="module", name="module_rows")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            with across_plans(reason="test fixture setup"):
                rows = build()
            with django_db_blocker.block():  # a test reaches the database only through `db`, as elsewhere
                yield rows
            transaction.set_rollback(True)

    return fixture


def module_row_copies(*names: str) -> list:
    """Function-scoped fixtures `names`, each a copy of that entry of the module's `module_rows`
    (`built_once_per_module`), so that a test changing an instance changes only its own, as Django's
    setUpTestData gives. Assign them to module names: `plan_a, plan_b = module_row_copies(...)`."""

    def copy_of(name):
        @pytest.fixture(name=name)
        def fixture(module_rows, db):
            return copy.deepcopy(module_rows[name])

        return fixture

    return [copy_of(name) for name in names]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Password hashing is slow on purpose; the suite needs no protection against cracking (and rows
    built once per module come before any function-scoped setting)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def membership_of(plan, role=Role.CARE_COORDINATOR, **kwargs):
    with scopes_disabled():
        return MembershipFactory(plan=plan, role=role, **kwargs)


def api_client_of(membership) -> APIClient:
    """An APIClient authenticated with a fresh key for the membership."""
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


@pytest.fixture
def make_membership(db):
    return membership_of


@pytest.fixture
def make_api_client(db):
    return api_client_of


@pytest.fixture
def admin_a(plan_a, make_membership):
    return make_membership(plan_a, Role.PLAN_ADMINISTRATOR)


@pytest.fixture
def admin_b(plan_b, make_membership):
    return make_membership(plan_b, Role.PLAN_ADMINISTRATOR)
