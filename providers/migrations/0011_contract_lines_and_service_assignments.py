# A contract lists the services it covers, each with its capacity (issue 17): each contract's
# service and capacity become its first line. An ECM contract's line is ECM; a "Community Supports"
# contract of the old two-value enum becomes a line for each Community Support the plan elects in
# the contract's counties (none elected: the contract covers nothing until the administrator lists
# its services). Then the Community Supports providers' assignments, one per member and service.

import benefits.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ecm_platform.tenancy.scoping import across_plans


def lines_from_contracts(apps, schema_editor):
    contract_model = apps.get_model("providers", "Contract")
    line_model = apps.get_model("providers", "ContractService")
    service_model = apps.get_model("benefits", "CatalogueService")
    election_model = apps.get_model("benefits", "Election")
    ecm = service_model.objects.get(code="ecm")
    with across_plans(reason="migration: each contract's service and capacity become its first line"):
        for contract in contract_model.objects.all():
            if contract.service == "ecm":
                services = [ecm.pk]
            else:
                services = election_model.objects.filter(
                    plan_id=contract.plan_id, county__in=contract.counties.all()
                ).values_list("service_id", flat=True).distinct()
            line_model.objects.bulk_create(
                line_model(plan_id=contract.plan_id, contract=contract, service_id=service, capacity=contract.capacity)
                for service in services
            )


def contracts_from_lines(apps, schema_editor):
    contract_model = apps.get_model("providers", "Contract")
    with across_plans(reason="migration reversed: a contract's first line becomes its service and capacity"):
        for contract in contract_model.objects.prefetch_related("lines__service"):
            first = next(iter(sorted(contract.lines.all(), key=lambda line: line.service.position)), None)
            contract.service = "ecm" if first is None or first.service.code == "ecm" else "community_supports"
            contract.capacity = first.capacity if first else 1
            contract.save(update_fields=["service", "capacity"])



class Migration(migrations.Migration):

    dependencies = [
        ('benefits', '0003_service_clocks_and_spanish_names'),
        ('members', '0003_member_name_search_keys'),
        ('providers', '0010_worklist_order_indexes'),
        ('tenancy', '0003_healthplan_contact'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ContractService',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('capacity', models.PositiveIntegerField(help_text='Members the provider can serve in this service at once.')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='providers.contract')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.healthplan')),
                ('service', models.ForeignKey(default=benefits.models.ecm_service_pk, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.catalogueservice')),
            ],
            options={
                'ordering': ['contract', 'service__position'],
            },
        ),
        migrations.RunPython(lines_from_contracts, contracts_from_lines),
        # Reversed, the fields come back with a placeholder the reverse copy then overwrites.
        migrations.AlterField(model_name='contract', name='capacity', field=models.PositiveIntegerField(default=1)),
        migrations.RemoveField(model_name='contract', name='capacity'),
        migrations.AlterField(model_name='contract', name='service', field=models.CharField(default='ecm', max_length=30)),
        migrations.RemoveField(model_name='contract', name='service'),
        migrations.CreateModel(
            name='ServiceAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_on', models.DateField()),
                ('ended_on', models.DateField(blank=True, null=True)),
                ('end_reason', models.CharField(blank=True, choices=[('discontinued', 'ECM discontinued'), ('withdrawn', 'Authorization withdrawn after approval'), ('left_plan', 'Member left the plan'), ('provider_change', 'Moved to another provider'), ('contract_ended', "The provider's contract ended")], max_length=30)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='providers.contractservice')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.providerorganization')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.healthplan')),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.catalogueservice')),
            ],
        ),
        migrations.AddIndex(
            model_name='contractservice',
            index=models.Index(fields=['plan', 'service'], name='providers_c_plan_id_d286ae_idx'),
        ),
        migrations.AddConstraint(
            model_name='contractservice',
            constraint=models.UniqueConstraint(fields=('contract', 'service'), name='one_line_per_contract_service'),
        ),
        migrations.AddIndex(
            model_name='serviceassignment',
            index=models.Index(fields=['plan', 'organization', 'ended_on'], name='providers_s_plan_id_3e730c_idx'),
        ),
        migrations.AddIndex(
            model_name='serviceassignment',
            index=models.Index(fields=['line', 'ended_on'], name='providers_s_line_id_0c29b9_idx'),
        ),
        migrations.AddConstraint(
            model_name='serviceassignment',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('member', 'service'), name='one_current_provider_per_service'),
        ),
    ]
