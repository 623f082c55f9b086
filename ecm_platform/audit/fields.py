"""The seam between the PHI access log's member list and the two databases.

`MemberIdsField` holds the ids of the members one read showed: a `bigint[]` on PostgreSQL, JSON
text on SQLite (the quick start). The database reads it itself: the trigger that fills the member
table (`partitions.MEMBERS_FILL`) unnests it (`unnest` / `json_each`).
"""

import json

from django.db import models


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
