# A contract lists the services it covers, each with its capacity (issue 17): the lines' table,
# and the Community Supports providers' assignments, one per member and service. 0012 copies each
# contract's service and capacity into its first line; 0013 drops the old columns.

import benefits.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_service_clocks_and_spanish_names"),
        ("members", "0003_member_name_search_keys"),
        ("providers", "0010_worklist_order_indexes"),
        ("tenancy", "0003_healthplan_contact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContractService",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "capacity",
                    models.PositiveIntegerField(help_text="Members the provider can serve in this service at once."),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="providers.contract"
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tenancy.healthplan"
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        default=benefits.models.ecm_service_pk,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="benefits.catalogueservice",
                    ),
                ),
            ],
            options={
                "ordering": ["contract", "service__position"],
            },
        ),
        migrations.CreateModel(
            name="ServiceAssignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_on", models.DateField()),
                ("ended_on", models.DateField(blank=True, null=True)),
                (
                    "end_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("discontinued", "ECM discontinued"),
                            ("withdrawn", "Authorization withdrawn after approval"),
                            ("left_plan", "Member left the plan"),
                            ("provider_change", "Moved to another provider"),
                            ("contract_ended", "The provider's contract ended"),
                        ],
                        max_length=30,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="providers.contractservice",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="members.member"
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="providers.providerorganization",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tenancy.healthplan"
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="benefits.catalogueservice"
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="contractservice",
            index=models.Index(fields=["plan", "service"], name="providers_c_plan_id_d286ae_idx"),
        ),
        migrations.AddConstraint(
            model_name="contractservice",
            constraint=models.UniqueConstraint(fields=("contract", "service"), name="one_line_per_contract_service"),
        ),
        migrations.AddIndex(
            model_name="serviceassignment",
            index=models.Index(fields=["plan", "organization", "ended_on"], name="providers_s_plan_id_3e730c_idx"),
        ),
        migrations.AddIndex(
            model_name="serviceassignment",
            index=models.Index(fields=["line", "ended_on"], name="providers_s_line_id_0c29b9_idx"),
        ),
        migrations.AddConstraint(
            model_name="serviceassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True)),
                fields=("member", "service"),
                name="one_current_provider_per_service",
            ),
        ),
    ]
