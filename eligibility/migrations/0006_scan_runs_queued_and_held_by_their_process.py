from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0005_diagnosis_codes_stored_whole"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="scanrun",
            name="one_running_scan_per_plan",
        ),
        migrations.AddField(
            model_name="scanrun",
            name="runner",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="scanrun",
            name="status",
            field=models.CharField(
                choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")],
                default="queued",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="scanrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("queued", "running"))),
                fields=("plan",),
                name="one_active_scan_per_plan",
            ),
        ),
    ]
