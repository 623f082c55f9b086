"""Entering and leaving a plan's scope: the only ways tenant queries become possible.

Contract:
- `plan_scope(plan)` scopes every plan-owned manager to one plan. It refuses anything but a saved
  HealthPlan: django-scopes treats a scope value of None as "no filter", which would show every
  plan's rows.
- `across_plans(reason=...)` is the one way to query without a plan; it is loud (logged with its
  reason) and used only where the principal has not chosen a plan yet (a user's own memberships, an
  API key lookup by its hash) or for installation-wide maintenance jobs. On PostgreSQL it is also
  the row-level security bypass (row_security.py), so no other module disables a scope
  (tests/architecture/test_tenancy_bypass.py).
- On PostgreSQL every scope is mirrored into the session for row-level security, the second wall:
  raw SQL sees only the scope's plans, and nothing outside a scope.
- `plans_scope(plan_ids)` admits several plans: a provider principal's, the plans contracting with
  its organization today (its selectors filter by organization as well).
- Entry points enter the scope once: PlanScopeMiddleware for pages, the API base view after
  authentication, PlanTask for Celery, PlanCommand (`--plan`) for management commands; for
  provider staff, providers.middleware and the provider API base view (providers/provider_api.py).
"""

import logging
from contextlib import contextmanager

from celery.contrib.django.task import DjangoTask
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_scopes import scope

from ecm_platform.tenancy import row_security
from ecm_platform.tenancy.models import HealthPlan

logger = logging.getLogger("ecm_platform.tenancy")


def _sync_database_sessions() -> None:
    """Bring every open PostgreSQL session in line with the scope now (the backend otherwise does
    it before the next statement), for what reaches the raw connection: a COPY, a raw cursor."""
    for database in connections.all(initialized_only=True):
        sync = getattr(database, "scope_sync", None)
        if sync is not None:
            sync()


@contextmanager
def plan_scope(plan: HealthPlan):
    if not isinstance(plan, HealthPlan) or plan.pk is None:
        raise ValueError(f"plan_scope needs a saved HealthPlan, got {plan!r}")
    with scope(plan=plan.pk):
        _sync_database_sessions()
        yield


@contextmanager
def plans_scope(plan_ids):
    """Several plans at once: a provider principal's, the plans contracting with its organization
    (its selectors filter by organization as well). An empty set admits no row."""
    with scope(plan=sorted(plan_ids)):
        _sync_database_sessions()
        yield


@contextmanager
def across_plans(*, reason: str, resolving_identity: bool = False, exempt_tables_only: bool = False):
    """The named bypass, logged with its reason. Working out who the caller is (their memberships,
    their key, their organization's contracting plans) happens on every request before any scope
    exists: logged at DEBUG, so that the crossings worth reading stand out at INFO.

    `exempt_tables_only` (an identity lookup reading only row_security.EXEMPT_MODELS and the users
    and plans they name) disables django-scopes but sets no database bypass: the session keeps the
    plans it admits, or admits none (row_security.KEEP), which spares a request two round trips."""
    resolving_identity = resolving_identity or exempt_tables_only
    logger.log(logging.DEBUG if resolving_identity else logging.INFO, "tenancy.scope.crossed", extra={"reason": reason})
    try:
        with scope(_enabled=False, **{row_security.BYPASS_KEY: not exempt_tables_only}):
            yield
    finally:
        if not exempt_tables_only:
            _sync_database_sessions()  # the bypass never outlives its block, not even on a raw cursor


class PlanTask(DjangoTask):
    """Celery base class for plan work: the task takes `plan_id` and runs inside that plan's scope;
    `ecm_platform.tasking.enqueue_on_commit` starts it once the caller's transaction commits.

    A plan that has vanished or been deactivated makes the task a no-op (tasks are safe to retry).
    """

    abstract = True
    typing = False  # callers pass plan_id; the task body receives the plan

    def __call__(self, *args, plan_id: int, **kwargs):
        plan = HealthPlan.objects.filter(pk=plan_id, is_active=True).first()
        if plan is None:
            logger.warning("tenancy.task.plan_missing", extra={"task": self.name, "plan_id": plan_id})
            return None
        with plan_scope(plan):
            return super().__call__(*args, plan=plan, **kwargs)


class PlanCommand(BaseCommand):
    """Management command base: `--plan CODE` is required and `handle_plan` runs in its scope."""

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's code.")

    def handle(self, *args, **options):
        code = options.pop("plan")
        plan = HealthPlan.objects.filter(code=code).first()
        if plan is None:
            raise CommandError(f"No plan with code {code!r}.")
        with plan_scope(plan):
            return self.handle_plan(plan, *args, **options)

    def handle_plan(self, plan: HealthPlan, *args, **options):
        raise NotImplementedError
