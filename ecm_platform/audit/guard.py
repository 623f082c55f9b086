"""The Python wall of the append-only tables: every statement sent through a Django connection is
checked, so the paths the models' own methods never see (the base manager, a bare
`QuerySet(AuditEvent).update()`, `save_base(force_update=True)`, `_raw_delete`, an upsert through
`bulk_create(update_conflicts=True)`, raw SQL on a Django cursor, `manage.py flush`) are refused on
SQLite as on PostgreSQL, where the triggers (`triggers.py`) stand behind it.

It reads the statements Django builds, not arbitrary SQL: a statement written to slip past a
regular expression is the database's to stop, and only PostgreSQL does.
"""

import functools
import re
from collections.abc import Callable

from django.apps import apps

from ecm_platform.audit.models import AppendOnlyError, AppendOnlyModel

# Only statements that may change rows are searched: a SELECT costs one anchored match.
_CANDIDATE = re.compile(r"\s*(?:UPDATE|DELETE|TRUNCATE|WITH|INSERT)\b", re.I)


@functools.cache
def _changes() -> re.Pattern:
    tables = [model._meta.db_table for model in apps.get_models() if issubclass(model, AppendOnlyModel)]
    name = r'(?:"?\w+"?\.)?"?(?:{})"?(?!\w)'.format("|".join(re.escape(table) for table in tables))
    return re.compile(
        rf"\b(?:UPDATE\s+(?:ONLY\s+)?{name}|DELETE\s+FROM\s+(?:ONLY\s+)?{name}|TRUNCATE\b[^;]*?[\s,]{name}"
        rf"|INSERT\s+INTO\s+{name}.*\bDO\s+UPDATE\b)",
        re.I | re.S,
    )


def refuse_append_only_changes(execute: Callable, sql: str, params, many: bool, context):
    """A Django execute wrapper (docs: "Database instrumentation")."""
    if _CANDIDATE.match(sql) and _changes().search(sql):
        raise AppendOnlyError(f"Append-only tables are never changed, deleted or truncated: {sql[:200]}")
    return execute(sql, params, many, context)


def install(*, connection, **kwargs) -> None:
    """`connection_created` receiver: a connection reconnects in the same wrapper, so install once."""
    if refuse_append_only_changes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, refuse_append_only_changes)
