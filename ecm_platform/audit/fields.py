"""The seam between the PHI access log's member list and the two databases.

`MemberIdsField` holds the ids of the members one read showed: a `bigint[]` on PostgreSQL, where a
GIN index (`partitions.MEMBER_IDS_INDEX`) serves `member_ids @> ARRAY[x]`, and JSON text on SQLite
(the quick start), where `json_each` reads it. Two lookups ask the questions the audit pages ask:
`member_ids__has=x` (was member x shown?) and `member_ids__has_any=[x, y]`.
"""

import json

from django.db import models
from django.db.models import Lookup


class MemberIdsField(models.Field):
    description = "Member ids (bigint[] on PostgreSQL, JSON text on SQLite)"

    def db_type(self, connection):
        return "bigint[]" if connection.vendor == "postgresql" else "text"

    def get_internal_type(self):
        return "MemberIdsField"

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        ids = [int(member_id) for member_id in value]
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


class _MemberLookup(Lookup):
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [self.rhs_value(value, connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return self.sql_template[connection.vendor == "postgresql"].format(lhs=lhs, rhs=rhs), [*lhs_params, *rhs_params]


@MemberIdsField.register_lookup
class Has(_MemberLookup):
    lookup_name = "has"
    sql_template = {
        True: "{lhs} @> ARRAY[{rhs}]::bigint[]",
        False: "EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})",
    }

    def rhs_value(self, value, connection):
        return int(value)


@MemberIdsField.register_lookup
class HasAny(_MemberLookup):
    lookup_name = "has_any"
    sql_template = {
        True: "{lhs} && {rhs}::bigint[]",
        False: "EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN (SELECT value FROM json_each({rhs})))",
    }

    def rhs_value(self, value, connection):
        ids = [int(member_id) for member_id in value]
        return ids if connection.vendor == "postgresql" else json.dumps(ids)
