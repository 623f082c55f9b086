"""The PHI access log's months made and dropped by the tables' owner on the application role's
behalf (ecm_platform/audit/partitions.py): the application role owns nothing, so the daily job's
CREATE TABLE ... PARTITION OF failed there, the months' rows went to DEFAULT and stayed, and
retention never reached them. This migration, run as the owner, installs the SECURITY DEFINER
functions (0004 does on a new database), walls the parents, and makes the next twelve months,
moving any month the DEFAULT partition already holds into its own partition.
"""

from django.db import migrations

from ecm_platform.audit import partitions
from ecm_platform.tenancy.row_security import row_security_wall


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        partitions.functions_install(cursor)
        # The partitions copy the parents' walls: the parents have theirs first (post_migrate keeps them).
        row_security_wall(cursor, list(partitions.TABLES))
    models = [apps.get_model("audit", "PhiAccess"), apps.get_model("audit", "PhiAccessMember")]
    partitions.partitions_ensure(models, ahead=partitions.MONTHS_AHEAD_AT_MIGRATE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_phi_access_read_events"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
