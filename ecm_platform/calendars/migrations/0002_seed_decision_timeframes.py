"""The decision clocks of DOMAIN 5.1 as versioned rules: a later rule is a new row, never an edit."""

import datetime

from django.db import migrations

ALWAYS = datetime.date(2000, 1, 1)
TIMEFRAMES = [
    ("routine_working_days", ALWAYS, 5, "ECM Policy Guide VIII; H&S Code 1367.01"),
    ("routine_outer_limit_days", ALWAYS, 14, "42 CFR 438.210(d)(1)"),
    (
        "routine_outer_limit_days",
        datetime.date(2026, 1, 1),
        7,
        "CMS-0057-F amending 42 CFR 438.210(d)(1); DHCS APL 26-008",
    ),
    ("expedited_hours", ALWAYS, 72, "ECM Policy Guide VIII; 42 CFR 438.210(d)(2)"),
    ("extension_max_days", ALWAYS, 14, "42 CFR 438.210(d)(1)(ii), 438.404(c)(4)"),
]


def seed(apps, schema_editor):
    DecisionTimeframe = apps.get_model("calendars", "DecisionTimeframe")
    DecisionTimeframe.objects.bulk_create(
        DecisionTimeframe(rule=rule, effective_from=start, amount=amount, citation=citation)
        for rule, start, amount, citation in TIMEFRAMES
    )


def unseed(apps, schema_editor):
    DecisionTimeframe = apps.get_model("calendars", "DecisionTimeframe")
    for rule, start, _, _ in TIMEFRAMES:
        DecisionTimeframe.objects.filter(rule=rule, effective_from=start).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
