"""Django's PostgreSQL backend, with the session carrying the tenancy scope for row-level security.

Before a statement runs (a cursor opened, a statement executed) the session's `app.plan_ids` and
`app.rls_bypass` are made to match the django-scopes state in force (`row_security.scope_settings`).
It costs one round trip only when the scope differs from what the session already holds, so a
request pays at most once, not per query: the identity lookups before the scope
(`across_plans(exempt_tables_only=True)`, row_security.KEEP) leave a plan setting in place, so on a
persistent connection a request for the plan of the one before pays nothing.

The values are session-level (`set_config(..., false)`): `SET LOCAL` would vanish after the next
statement in autocommit. A rollback reverts a value set inside the transaction or savepoint it
undoes, so after any rollback the session's values count as unknown and are set again. A value
left on a persistent connection is replaced before the next request's first statement outside an
identity lookup (those read only tables the wall exempts, and never under a bypass); a
transaction-pooling proxy (PgBouncer in transaction mode) would mix sessions and is not supported.
"""

from django.db.backends.postgresql import base
from django_scopes.state import state as scope_state

from ecm_platform.tenancy import row_security

UNKNOWN = object()
TRANSACTION_FAILED = 3  # libpq's PQTRANS_INERROR, as psycopg2 and psycopg 3 report it


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._forget_scope()
        # Also before each statement, for a cursor held across a change of scope.
        self.execute_wrappers.append(self._execute_in_scope)

    def _forget_scope(self):
        self._scope_seen = UNKNOWN  # the django-scopes state last synced (compared by identity)
        self._scope_applied = UNKNOWN  # the (plan ids, bypass) pair the session holds

    def scope_sync(self) -> None:
        scope = scope_state.get()
        if scope is self._scope_seen or self.connection is None:
            return
        wanted = row_security.scope_settings(scope)
        if wanted is row_security.KEEP:
            # A plan setting the session holds admits less than a bypass would; anything else
            # (a bypass, unknown after a rollback) gives way to no plan.
            held = self._scope_applied
            wanted = held if held is not UNKNOWN and held[1] == "off" else row_security.NO_PLAN
        if wanted != self._scope_applied:
            if self.connection.info.transaction_status == TRANSACTION_FAILED:
                return  # only a rollback can run now, and after it the values are set again
            self.scope_apply(wanted)
        self._scope_seen = scope

    def scope_apply(self, wanted: tuple[str, str]) -> None:
        """The one round trip, on the raw connection (not a query of the app's, nor logged as one)."""
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(row_security.SET_SQL, wanted)
        self._scope_applied = wanted

    def _execute_in_scope(self, execute, sql, params, many, context):
        self.scope_sync()
        return execute(sql, params, many, context)

    def init_connection_state(self):
        super().init_connection_state()
        self._forget_scope()
        self._scope_applied = row_security.NO_PLAN  # a new session has neither setting

    def create_cursor(self, name=None):
        self.scope_sync()
        return super().create_cursor(name)

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._forget_scope()

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._forget_scope()
