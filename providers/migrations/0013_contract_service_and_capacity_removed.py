"""The contract's old service and capacity columns, copied into its lines by 0012 (issue 17)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("providers", "0012_contract_lines_from_service_and_capacity")]

    # Reversed, the columns come back with a placeholder that 0012's reverse copy overwrites.
    operations = [
        migrations.AlterField(model_name="contract", name="capacity", field=models.PositiveIntegerField(default=1)),
        migrations.RemoveField(model_name="contract", name="capacity"),
        migrations.AlterField(
            model_name="contract", name="service", field=models.CharField(default="ecm", max_length=30)
        ),
        migrations.RemoveField(model_name="contract", name="service"),
    ]
