"""The Python wall of the append-only tables: every statement sent through a Django connection is
checked, so the paths the models' own methods never see (the base manager, a bare
`QuerySet(AuditEvent).update()`, `save_base(force_update=True)`, `_raw_delete`, an upsert through
`bulk_create(update_conflicts=True)`, raw SQL on a Django cursor, `manage.py flush`) are refused on
SQLite as on PostgreSQL, where the triggers (`triggers.py`) stand behind it.

It reads the statements Django builds (and plain hand-written ones), not arbitrary SQL: a statement
written to slip past it (a data-modifying CTE, say) is the database's to stop, and only PostgreSQL
does.
"""

import functools
import re
from collections.abc import Callable

from django.apps import apps

from ecm_platform.audit.models import AppendOnlyError, AppendOnlyModel


@functools.cache
def _target() -> re.Pattern:
    """A statement that names an append-only table as what it changes (INSERT: where it inserts)."""
    tables = [model._meta.db_table for model in apps.get_models() if issubclass(model, AppendOnlyModel)]
    name = r'(?:"?\w+"?\.)?"?(?:{})"?(?!\w)'.format("|".join(re.escape(table) for table in tables))
    return re.compile(
        rf"\b(?:UPDATE\s+(?:ONLY\s+)?{name}|DELETE\s+FROM\s+(?:ONLY\s+)?{name}|TRUNCATE\b[^;]*?[\s,]{name}"
        rf"|INSERT\s+INTO\s+{name})",
        re.I,
    )


_UPSERT = re.compile(r"DO\s+UPDATE\b")  # searched in the upper-cased statement


def _changes_append_only_rows(sql: str) -> bool:
    """Plain string tests first: this runs for every statement, and most are SELECTs and INSERTs
    into other tables, which it passes after their first words."""
    statement = sql.lstrip()
    keyword = statement[:8].upper()
    if keyword.startswith(("UPDATE", "DELETE", "TRUNCATE")):
        return _target().match(statement) is not None
    if keyword.startswith("INSERT"):  # an upsert's ON CONFLICT ... DO UPDATE changes rows
        upper = statement.upper()
        return "UPDATE" in upper and _UPSERT.search(upper) is not None and _target().match(statement) is not None
    return False


def refuse_append_only_changes(execute: Callable, sql: str, params, many: bool, context):
    """A Django execute wrapper (docs: "Database instrumentation")."""
    if _changes_append_only_rows(sql):
        raise AppendOnlyError(f"Append-only tables are never changed, deleted or truncated: {sql[:200]}")
    return execute(sql, params, many, context)


def install(*, connection, **kwargs) -> None:
    """`connection_created` receiver: a connection reconnects in the same wrapper, so install once."""
    if refuse_append_only_changes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, refuse_append_only_changes)
