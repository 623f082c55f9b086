"""Indexes for the high-utilizer scan (DOMAIN 3.3, issue 15): the avoidable events in member order
with what the count reads, and the admissions an ED visit may lead to."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0007_worklist_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="utilizationevent",
            index=models.Index(
                condition=models.Q(("is_avoidable", True)),
                fields=["plan", "member", "service_date"],
                include=("event_type", "is_planned"),
                name="event_scan_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="utilizationevent",
            index=models.Index(
                condition=models.Q(("event_type", "INPATIENT")),
                fields=["plan", "member", "service_date"],
                name="event_admission_idx",
            ),
        ),
    ]
