"""ANALYZE of the utilization events after a large claims load (eligibility/intake.py), run by the
table's owner: as the application role, which owns nothing, PostgreSQL skipped it with only a
warning, and the scan then planned over never-analyzed events (272-360 s instead of 1.9 s). This
migration, run as the owner, leaves the application role a SECURITY DEFINER function that does it.
"""

from django.db import migrations

from ecm_platform import db


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("eligibility", "UtilizationEvent")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        db.owner_function_install(
            cursor, signature="eligibility_utilizationevent_analyze()", returns="void", body=f"BEGIN ANALYZE {table}; END"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS eligibility_utilizationevent_analyze()")


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0008_scan_indexes"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
