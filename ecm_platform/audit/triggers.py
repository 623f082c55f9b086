"""The database wall of the append-only tables: PostgreSQL triggers (django-pgtrigger) that refuse
UPDATE, DELETE and TRUNCATE for every role. pgtrigger installs nothing on SQLite, where the
statement guard (`guard.py`) is the only wall.

pgtrigger's own installation SQL begins every trigger function with a check of the
`pgtrigger.ignore` setting, which any session may set: `SET pgtrigger.ignore = '{<trigger>}'` would
open the wall to whoever can run SQL as the application. These triggers are installed from the same
template without that check, so only the tables' owner (`ALTER TABLE ... DISABLE TRIGGER`) or a
superuser gets past them, and deployments give the application neither (README, Docker). The test
suite's flush is the one sanctioned exception, and it lives in tests/conftest.py.
"""

import pgtrigger
from pgtrigger import compiler


class TriggerWithoutIgnoreSql(compiler.UpsertTriggerSql):
    """pgtrigger's v1 installation template less the `pgtrigger.ignore` hook.

    Migrations name this class and rebuild the SQL from it: never edit the template; a change is a
    new class (pgtrigger versions its own template the same way).
    """

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class _WithoutIgnore:
    def compile(self, model) -> compiler.Trigger:
        compiled = super().compile(model)
        return compiler.Trigger(name=compiled.name, sql=TriggerWithoutIgnoreSql(**compiled.sql.kwargs))


class Refuse(_WithoutIgnore, pgtrigger.Trigger):
    """Raises before the statement (level Statement) or before each row it touches (level Row)."""

    when = pgtrigger.Before
    func = "RAISE EXCEPTION 'append-only: % on table % refused', TG_OP, TG_TABLE_NAME;"


def append_only_triggers() -> list[pgtrigger.Trigger]:
    """UPDATE and DELETE row by row (an `INSERT ... ON CONFLICT DO UPDATE` fires the UPDATE too);
    TRUNCATE per statement, which PostgreSQL fires also for a table reached by `TRUNCATE ... CASCADE`."""
    return [
        Refuse(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        Refuse(name="append_only_truncate", level=pgtrigger.Statement, operation=pgtrigger.Truncate),
    ]
