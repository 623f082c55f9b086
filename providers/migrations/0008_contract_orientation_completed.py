"""DOMAIN 7: a Community Supports provider completes its orientation within 10 working days of
becoming active. The completion is recorded, and the orientations still owed become clocks in the
deadline registry (ARCHITECTURE, Deadlines)."""

from django.db import migrations, models

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import across_plans

LIVE = ["open", "at_risk", "overdue"]


def register(apps, schema_editor):
    contract_model = apps.get_model("providers", "Contract")
    deadline_model = apps.get_model("deadlines", "Deadline")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    now = clocks.now()
    with across_plans(reason="migration: orientations owed move into the deadline registry"):
        owed = list(contract_model.objects.filter(orientation_due__isnull=False).select_related("organization"))
        if not owed:
            return
        content_type, _ = content_type_model.objects.get_or_create(app_label="providers", model="contract")
        for contract in owed:
            live = deadline_model.objects.filter(
                kind="orientation", target_type=content_type, target_id=contract.pk, state__in=LIVE
            )
            if not live.exists():
                deadline_model.objects.create(
                    plan_id=contract.plan_id, kind="orientation", target_type=content_type, target_id=contract.pk,
                    label=f"Orientation of {contract.organization.name} (Community Supports)"[:300],
                    link=f"/providers/{contract.organization_id}/", owner="providers.manage",
                    due_at=contract.orientation_due, opened_at=now,
                )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0007_assignment_clocks_in_the_deadline_registry"),
        ("deadlines", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="orientation_completed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(register, migrations.RunPython.noop),
    ]
