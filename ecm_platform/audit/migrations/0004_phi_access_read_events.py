"""The PHI access log becomes one row per read event naming every member it showed (issue 15),
with a narrow member table that a trigger fills (who saw member X), both partitioned by month on
PostgreSQL (ecm_platform/audit/partitions.py).

Rows are never updated, so the table is rebuilt: the old one is renamed, the new one created from
the new state (on PostgreSQL as the partitioned parent with its month partitions, walls and
triggers), the fill trigger installed, the rows copied across in one INSERT ... SELECT (a
per-member row becomes a one-member event; a row without a member keeps its label) and the old
table dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import pgtrigger.compiler
import pgtrigger.migrations

import ecm_platform.audit.fields
import ecm_platform.audit.triggers
from ecm_platform.audit import partitions
from ecm_platform.tenancy.scoping import across_plans

OLD = "audit_phiaccess_unpartitioned"
COLUMNS = "id, plan_id, user_id, member_ids, member_labels, label, purpose, path, row_count, at"
COPY_SQL = {
    "postgresql": f"""
        INSERT INTO audit_phiaccess ({COLUMNS})
        SELECT id, plan_id, user_id,
               CASE WHEN member_id IS NULL THEN '{{}}'::bigint[] ELSE ARRAY[member_id] END,
               CASE WHEN member_id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(member_label) END,
               CASE WHEN member_id IS NULL THEN member_label ELSE '' END,
               purpose, path, row_count, at
        FROM {OLD}
    """,
    "sqlite": f"""
        INSERT INTO audit_phiaccess ({COLUMNS})
        SELECT id, plan_id, user_id,
               CASE WHEN member_id IS NULL THEN '[]' ELSE json_array(member_id) END,
               CASE WHEN member_id IS NULL THEN '[]' ELSE json_array(member_label) END,
               CASE WHEN member_id IS NULL THEN member_label ELSE '' END,
               purpose, path, row_count, at
        FROM {OLD}
    """,
}


def rebuild(apps, schema_editor):
    events, members = apps.get_model("audit", "PhiAccess"), apps.get_model("audit", "PhiAccessMember")
    vendor = schema_editor.connection.vendor
    with across_plans(reason="the PHI access log of every plan is rebuilt"):
        schema_editor.execute(f'ALTER TABLE "audit_phiaccess" RENAME TO "{OLD}"')
        if vendor == "postgresql":
            # Constraint and sequence names are the schema's: free them for the new table (the old
            # indexes have names of their own and go with the old table).
            schema_editor.execute(f'ALTER TABLE "{OLD}" RENAME CONSTRAINT "audit_phiaccess_pkey" TO "{OLD}_pkey"')
            schema_editor.execute(f'ALTER SEQUENCE "audit_phiaccess_id_seq" RENAME TO "{OLD}_id_seq"')
            for model in (events, members):
                partitions.create_partitioned_table(schema_editor, model)
                for trigger in partitions.compiled_triggers(model):
                    schema_editor.execute(trigger.install_sql, None)  # its RAISE format has a literal %
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f'SELECT min(at) FROM "{OLD}"')
                (oldest,) = cursor.fetchone()
                partitions.functions_install(cursor)  # partitions_ensure calls them (0005 for older databases)
            partitions.partitions_ensure([events, members], first=oldest.date() if oldest else None)
        else:
            schema_editor.create_model(events)
            schema_editor.create_model(members)
        for statement in partitions.MEMBERS_FILL[vendor]:
            schema_editor.execute(statement, None)
        schema_editor.execute(COPY_SQL[vendor])  # the fill trigger writes the member rows
        schema_editor.execute(f'DROP TABLE "{OLD}"')
        if vendor == "postgresql":
            schema_editor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_phiaccess', 'id'), coalesce(max(id), 0) + 1, false) "
                "FROM audit_phiaccess"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_triggers"),
        ("tenancy", "0002_seed_counties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="phiaccess", name="audit_phiac_plan_id_724a8a_idx"),
                migrations.RemoveIndex(model_name="phiaccess", name="audit_phiac_plan_id_220b75_idx"),
                migrations.RemoveIndex(model_name="phiaccess", name="audit_phiac_plan_id_d0b0bc_idx"),
                migrations.RemoveField(model_name="phiaccess", name="member_id"),
                migrations.RemoveField(model_name="phiaccess", name="member_label"),
                migrations.AddField(
                    model_name="phiaccess",
                    name="member_ids",
                    field=ecm_platform.audit.fields.MemberIdsField(blank=True, default=list),
                ),
                migrations.AddField(
                    model_name="phiaccess",
                    name="member_labels",
                    field=models.JSONField(blank=True, default=list, help_text="Their CINs, in the same order."),
                ),
                migrations.AddField(
                    model_name="phiaccess",
                    name="label",
                    field=models.CharField(
                        blank=True, help_text="What was read when no member is named.", max_length=200
                    ),
                ),
                migrations.AlterField(
                    model_name="phiaccess",
                    name="plan",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="phi_accesses",
                        to="tenancy.healthplan",
                    ),
                ),
                migrations.AlterField(
                    model_name="phiaccess",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="phiaccess",
                    name="row_count",
                    field=models.PositiveIntegerField(default=1, help_text="Members shown, or rows exported."),
                ),
                migrations.AddIndex(
                    model_name="phiaccess",
                    index=models.Index(fields=["plan", "-id"], name="audit_phiaccess_plan_recent"),
                ),
                migrations.AddIndex(
                    model_name="phiaccess",
                    index=models.Index(fields=["user", "-id"], name="audit_phiaccess_user_recent"),
                ),
                migrations.CreateModel(
                    name="PhiAccessMember",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "member_id",
                                "access_id",
                                "at",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("member_id", models.BigIntegerField()),
                        (
                            "access_id",
                            models.BigIntegerField(help_text="The PhiAccess row (partitioned: no foreign key)."),
                        ),
                        ("at", models.DateTimeField()),
                        (
                            "plan",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tenancy.healthplan",
                            ),
                        ),
                    ],
                    options={"verbose_name": "PHI access of a member", "abstract": False},
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name="phiaccessmember",
                    trigger=pgtrigger.compiler.Trigger(
                        name="append_only",
                        sql=ecm_platform.audit.triggers.TriggerWithoutIgnoreSql(
                            func="RAISE EXCEPTION 'append-only: % on table % refused', TG_OP, TG_TABLE_NAME;",
                            hash="07b40835e182f5b77558b3601cecd2fc213740ab",
                            operation="UPDATE OR DELETE",
                            pgid="pgtrigger_append_only_0eaeb",
                            table="audit_phiaccessmember",
                            when="BEFORE",
                        ),
                    ),
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name="phiaccessmember",
                    trigger=pgtrigger.compiler.Trigger(
                        name="append_only_truncate",
                        sql=ecm_platform.audit.triggers.TriggerWithoutIgnoreSql(
                            func="RAISE EXCEPTION 'append-only: % on table % refused', TG_OP, TG_TABLE_NAME;",
                            hash="023afb412e003b5dc19587e87c38cd38ee814b2a",
                            level="STATEMENT",
                            operation="TRUNCATE",
                            pgid="pgtrigger_append_only_truncate_1c02f",
                            table="audit_phiaccessmember",
                            when="BEFORE",
                        ),
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rebuild, elidable=False),
    ]
