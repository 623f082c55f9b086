"""Row-level security on PostgreSQL: the second tenancy wall (ARCHITECTURE.md, Tenancy).

Contract:
- Every table of a model with a `plan` foreign key to HealthPlan has row-level security enabled and
  forced (the app role owns the tables in tests, CI and the quick start, and an owner bypasses
  unforced RLS) and one policy, for reads (USING) and writes (WITH CHECK): a row is visible and
  writable only if its plan is among the session's `app.plan_ids` (a comma list: one plan for plan
  staff, the contracting plans for a provider principal), or if `app.rls_bypass` is `on`.
- The session settings mirror django-scopes' state, synced by the database backend
  (`ecm_platform.tenancy.postgresql`) before a statement runs, only when the scope changed: a plan
  scope admits its plans, a disabled scope (`across_plans`, the one named bypass in the app) sets
  the bypass, no scope admits nothing. Raw SQL therefore runs under the scope unchanged. The
  identity lookups (a key by its hash, a user's memberships) read only EXEMPT_MODELS and set no
  bypass: the session keeps the plans it admits (a persistent connection's last request's plan)
  or admits none, so a request for the same plan as the last one pays no round trip at all.
- The policies are applied after every `migrate` (and test flush) by `row_security_apply`, which
  covers tables added later and is idempotent. SQLite has no RLS: nothing happens there.

Known limits: any SQL session may set these custom settings itself. The wall stops mistakes in the
app's own SQL (a forgotten filter, a raw query, a forward foreign key), not an attacker who can
run SQL as the app role. Superusers and BYPASSRLS roles ignore every policy.
"""

from django.apps import apps
from django.db import connections

PLAN_IDS_SETTING = "app.plan_ids"
BYPASS_SETTING = "app.rls_bypass"
SET_SQL = f"SELECT set_config('{PLAN_IDS_SETTING}', %s, false), set_config('{BYPASS_SETTING}', %s, false)"
NO_PLAN = ("", "off")
BYPASS = ("", "on")
# The django-scopes state key `across_plans(exempt_tables_only=True)` sets False: a disabled scope
# that reads only EXEMPT_MODELS and sets no bypass (scope_settings returns KEEP for it).
BYPASS_KEY = "_rls_bypass"
# "Whatever plans the session admits already, else none": the backend keeps a plan setting the
# session holds, never a bypass, and saves a round trip (ecm_platform/tenancy/postgresql/base.py).
KEEP = None

# Identity tables read before any scope exists, to find out which plan the principal works for.
EXEMPT_MODELS = {
    "tenancy.Membership": "a user's memberships are read to choose the plan",
    "tenancy.PlanApiKey": "an API key is looked up by its hash to learn its plan",
}

# The version is in the name so that a changed expression replaces the old policy.
POLICY_NAME = "plan_scope_v1"
POLICY_PREFIX = "plan_scope"
# Sub-selects: the settings are read once per statement (an InitPlan), not once per row.
ADMITTED = (
    f"((SELECT current_setting('{BYPASS_SETTING}', true)) = 'on' OR plan_id = ANY ("
    f"(SELECT string_to_array(nullif(current_setting('{PLAN_IDS_SETTING}', true), ''), ','))::bigint[]))"
)

STATUS_SQL = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       coalesce(array_agg(p.polname::text) FILTER (WHERE p.polname IS NOT NULL), '{}')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
LEFT JOIN pg_policy p ON p.polrelid = c.oid
WHERE c.relname = ANY (%s)
GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
"""


def scope_settings(scope: dict | None) -> tuple[str, str] | None:
    """(`app.plan_ids`, `app.rls_bypass`) for a django-scopes state, or KEEP."""
    if not scope:
        return NO_PLAN
    if not scope.get("_enabled", True):
        return BYPASS if scope.get(BYPASS_KEY, True) else KEEP
    plans = scope.get("plan")
    if plans is None:  # django-scopes reads None as "no filter"; the wall reads it as no plan
        return NO_PLAN
    if not isinstance(plans, list | tuple):
        plans = (plans,)
    return ",".join(str(int(getattr(plan, "pk", plan))) for plan in plans), "off"


def plan_owned_models() -> list:
    """Models whose rows belong to one plan: a `plan` foreign key to HealthPlan, not exempt."""
    health_plan = apps.get_model("tenancy", "HealthPlan")
    return [
        model
        for model in apps.get_models()
        if model._meta.label not in EXEMPT_MODELS
        and not model._meta.proxy
        and any(field.name == "plan" and field.related_model is health_plan for field in model._meta.concrete_fields)
    ]


def plan_owned_tables() -> list[str]:
    return sorted({model._meta.db_table for model in plan_owned_models()})


def row_security_apply(*, using: str = "default", **kwargs) -> list[str]:
    """Enable, force and add the policy where a plan-owned table lacks one (a post_migrate handler).
    Returns the tables it changed."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        return row_security_wall(cursor, plan_owned_tables())


def row_security_wall(cursor, tables: list[str]) -> list[str]:
    """The wall on the named tables (PostgreSQL), e.g. the partitions of a partitioned table,
    which do not inherit their parent's policies. Returns the tables it changed."""
    quote = cursor.db.ops.quote_name
    changed = []
    cursor.execute(STATUS_SQL, [tables])
    for table, enabled, forced, policies in cursor.fetchall():
        stale = [name for name in policies if name.startswith(POLICY_PREFIX) and name != POLICY_NAME]
        if enabled and forced and POLICY_NAME in policies and not stale:
            continue
        statements = [
            f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {quote(table)} FORCE ROW LEVEL SECURITY",
            *(f"DROP POLICY {quote(name)} ON {quote(table)}" for name in stale),
        ]
        if POLICY_NAME not in policies:
            statements.append(
                f"CREATE POLICY {quote(POLICY_NAME)} ON {quote(table)} USING {ADMITTED} WITH CHECK {ADMITTED}"
            )
        for statement in statements:
            cursor.execute(statement)
        changed.append(table)
    return changed
