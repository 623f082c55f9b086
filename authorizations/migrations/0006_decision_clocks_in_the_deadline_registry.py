# The decision-clock monitor's stamps and runs give way to the core deadline registry
# (ecm_platform.deadlines): its rows say what was told when.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('authorizations', '0005_requester_notices_and_approval_letters'),
    ]

    operations = [
        migrations.RemoveField(model_name='authorizationrequest', name='at_risk_notified_at'),
        migrations.RemoveField(model_name='authorizationrequest', name='overdue_notified_at'),
        migrations.DeleteModel(name='ClockCheckRun'),
    ]
