"""The deployment's runtime role, in the tests (PostgreSQL).

The test role owns the test database and every table in it, so owner-only work (DDL, ANALYZE)
always succeeds there. The deployment's web, worker and beat processes connect as `ecm_app`, which
owns nothing (docker/postgres-init.sql). `.ci/run` makes `ecm_runtime`, a NOLOGIN role the test role
may `SET ROLE` to; `as_runtime_role()` gives it, inside the test's transaction (rolled back with
it), exactly the privileges postgres-init.sql gives `ecm_app`, read from that file: its grants, and
each of its default privileges both as a default privilege of the test role and granted on what the
migrations made already (in the deployment they were made after it). Without the role the tests
using it skip, except under CI=true, where its absence is a failure.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, transaction

ROLE = "ecm_runtime"
INIT_SQL = Path(__file__).resolve().parent.parent / "docker" / "postgres-init.sql"
DEPLOYED_ROLE, DEPLOYED_OWNER, DATABASE = "ecm_app", "ecm_owner", "ecm"
DEFAULT_PRIVILEGE = re.compile(
    rf"ALTER DEFAULT PRIVILEGES FOR ROLE {DEPLOYED_OWNER} IN SCHEMA (\w+) GRANT (.+) ON (TABLES|SEQUENCES|FUNCTIONS) "
    rf"TO {DEPLOYED_ROLE}"
)


def deployment_grants(owner: str) -> list[str]:
    """postgres-init.sql's statements in the application database, for ROLE and `owner`."""
    text = INIT_SQL.read_text().split(f"\\connect {DATABASE}\n", 1)[1]
    text = re.sub(r"--[^\n]*", "", text)
    statements = []
    for statement in filter(None, (" ".join(part.split()) for part in text.split(";"))):
        match = DEFAULT_PRIVILEGE.fullmatch(statement)
        if match:
            schema, privileges, kind = match.groups()
            statements.append(
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {schema} GRANT {privileges} ON {kind} TO {ROLE}'
            )
            statements.append(f"GRANT {privileges} ON ALL {kind} IN SCHEMA {schema} TO {ROLE}")
        else:
            assert DEPLOYED_OWNER not in statement, statement  # a statement this reading does not know
            statements.append(statement.replace(DEPLOYED_ROLE, ROLE))
    return statements


@contextmanager
def as_runtime_role():
    """The block runs as ROLE with the deployment application role's privileges."""
    assert connection.in_atomic_block, "grants must go with the test's transaction"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [ROLE])
        owner, exists = cursor.fetchone()
        if not exists:
            if os.environ.get("CI") == "true":
                pytest.fail(f"role {ROLE} is missing: .ci/run makes it")
            pytest.skip(f"role {ROLE} is missing (.ci/run makes it)")
        for statement in deployment_grants(owner):
            cursor.execute(statement)
    with transaction.atomic(), connection.cursor() as cursor:  # a failure inside rolls the SET ROLE back too
        cursor.execute(f"SET ROLE {ROLE}")
        yield
        cursor.execute("RESET ROLE")
