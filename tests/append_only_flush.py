"""The one bypass of the append-only walls, and it exists only in the test suite.

pytest-django empties the test database after every `transaction=True` test (Django's `flush`: a
`TRUNCATE` of every table on PostgreSQL, a `DELETE` per table on SQLite), and the audit tables
refuse both. For the flush's statements alone, on the flushing connection alone, this lifts the
statement guard and, on PostgreSQL, disables the TRUNCATE triggers inside the flush's own
transaction, so they are enabled again when it commits and stay enabled if it fails. Disabling a
trigger takes the tables' owner: the test role owns them, a deployed application role owns nothing
(README, Docker).
"""

from contextlib import contextmanager

import pgtrigger
import pytest
from django.apps import apps
from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations

from ecm_platform.audit.guard import refuse_append_only_changes
from ecm_platform.audit.models import AppendOnlyModel
from ecm_platform.audit.partitions import partitions_of

REFUSING_FLUSH = BaseDatabaseOperations.execute_sql_flush


def truncate_triggers():
    for model in apps.get_models():
        if issubclass(model, AppendOnlyModel):
            for trigger in model._meta.triggers:
                if trigger.operation is pgtrigger.Truncate:
                    yield trigger.compile(model)


@contextmanager
def guard_lifted(connection):
    connection.execute_wrappers.remove(refuse_append_only_changes)
    try:
        yield
    finally:
        connection.execute_wrappers.insert(0, refuse_append_only_changes)


def execute_sql_flush(ops, sql_list):
    connection = ops.connection
    triggers = list(truncate_triggers()) if connection.vendor == "postgresql" else []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # A partitioned table's partitions carry TRUNCATE triggers of their own (audit/partitions.py).
        toggles = [
            (f'ALTER TABLE "{table}" DISABLE TRIGGER {pgid}', f'ALTER TABLE "{table}" ENABLE TRIGGER {pgid}')
            for trigger in triggers
            for pgid, parent in [(trigger.sql.kwargs["pgid"], trigger.sql.kwargs["table"])]
            for table in [parent, *partitions_of(cursor, parent)]
        ]
        for disable, _ in toggles:
            cursor.execute(disable)
        with guard_lifted(connection):
            REFUSING_FLUSH(ops, sql_list)
        for _, enable in toggles:
            cursor.execute(enable)


@contextmanager
def flush_permitted():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield
