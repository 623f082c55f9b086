import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('authorizations', '0004_ended_state_and_approval_letter'),
        ('providers', '0004_provider_staff'),
        ('tenancy', '0003_healthplan_contact'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notice',
            name='appeal_by',
            field=models.DateField(blank=True, help_text='60 days after the notice date (not on approvals).', null=True),
        ),
        migrations.CreateModel(
            name='RequesterNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(help_text='approval, modification, denial, deferral, discontinuation', max_length=20)),
                ('channel', models.CharField(choices=[('in_app', 'In the provider portal'), ('email', 'Email')], max_length=10)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, help_text='Emailed (in the portal from creation).', null=True)),
                ('notice', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='requester_notice', to='authorizations.notice')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.providerorganization')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.healthplan')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requester_notices', to='authorizations.authorizationrequest')),
            ],
            options={
                'indexes': [models.Index(fields=['plan', 'organization', '-created_at'], name='requester_notice_org_idx')],
            },
        ),
    ]
