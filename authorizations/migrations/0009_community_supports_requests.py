# A request names its service in the catalogue (issue 17, DOMAIN 9): the old two-value code
# becomes a foreign key ("ecm" -> the catalogue's ECM; the product never took a Community Supports
# request before, so no other code is there), and a Community Support's request gets its period,
# quantity, attested criteria, retroactive start and provider.

import benefits.models
import django.db.models.deletion
from django.db import migrations, models

from ecm_platform.tenancy.scoping import across_plans


def service_codes_to_rows(apps, schema_editor):
    request_model = apps.get_model("authorizations", "AuthorizationRequest")
    services = dict(apps.get_model("benefits", "CatalogueService").objects.values_list("code", "pk"))
    with across_plans(reason="migration: a request's service code becomes its catalogue row"):
        unknown = set(request_model.objects.exclude(service__in=services).values_list("service", flat=True))
        if unknown:
            raise RuntimeError(f"Requests name services the catalogue lacks: {sorted(unknown)}")
        for code, pk in services.items():
            request_model.objects.filter(service=code).update(service_row=pk)


def service_rows_to_codes(apps, schema_editor):
    request_model = apps.get_model("authorizations", "AuthorizationRequest")
    with across_plans(reason="migration reversed: a request's catalogue row becomes its service code"):
        for pk, code in apps.get_model("benefits", "CatalogueService").objects.values_list("pk", "code"):
            request_model.objects.filter(service_row=pk).update(service=code)



class Migration(migrations.Migration):

    dependencies = [
        ('authorizations', '0008_open_first_case_indexes'),
        ('benefits', '0003_service_clocks_and_spanish_names'),
        ('providers', '0011_contract_lines_and_service_assignments'),
    ]

    operations = [
        migrations.AddField(
            model_name='authorizationrequest',
            name='criteria_met',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='discontinuation_criterion',
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='limit_override_reason',
            field=models.TextField(blank=True, help_text='Why a limit that allows exceptions is passed.'),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='quantity',
            field=models.DecimalField(blank=True, decimal_places=2, help_text="In the service's limit unit: hours (respite, a sobering stay), dollars, meals a day.", max_digits=10, null=True),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='service_assignment',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='request', to='providers.serviceassignment'),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='service_began_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='service_from',
            field=models.DateField(blank=True, help_text='First day of the service period.', null=True),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='service_to',
            field=models.DateField(blank=True, help_text='Last day of the service period.', null=True),
        ),
        migrations.AlterField(
            model_name='authorizationrequest',
            name='denial_reason',
            field=models.CharField(blank=True, choices=[('no_pof', 'Does not meet the criteria of any Population of Focus'), ('excluded', 'Enrolled in a program that excludes ECM'), ('duplicative', 'Already receives a program that ECM may not duplicate'), ('not_enrolled', 'Not enrolled in the plan'), ('insufficient_information', 'Not enough information to decide'), ('service_criteria_not_met', "Does not meet the service's eligibility criteria"), ('service_not_offered', "The plan does not offer this service in the member's county"), ('service_limit_reached', "The service's limit is reached"), ('other', 'Other (explained)')], max_length=30),
        ),
        migrations.AddField(
            model_name='authorizationrequest',
            name='service_row',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.catalogueservice'),
        ),
        migrations.RunPython(service_codes_to_rows, service_rows_to_codes),
        migrations.AlterField(
            model_name='authorizationrequest', name='service', field=models.CharField(default='ecm', max_length=30),
        ),
        migrations.RemoveField(model_name='authorizationrequest', name='service'),
        migrations.RenameField(model_name='authorizationrequest', old_name='service_row', new_name='service'),
        migrations.AlterField(
            model_name='authorizationrequest',
            name='service',
            field=models.ForeignKey(default=benefits.models.ecm_service_pk, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.catalogueservice'),
        ),
    ]
