"""DOMAIN 5.2: a member awaiting an assignment while their services already run (a reinstatement)
is marked so, and their assignment, once made, owes a Lead Care Manager and resumes services."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0008_contract_orientation_completed"),
    ]

    operations = [
        migrations.AddField(
            model_name="awaitingassignment",
            name="services_running",
            field=models.BooleanField(default=False),
        ),
    ]
