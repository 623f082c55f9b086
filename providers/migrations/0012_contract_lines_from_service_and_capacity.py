"""Each contract's service and capacity become its first line (issue 17). An ECM contract's line is
ECM; a "Community Supports" contract of the old two-value enum becomes a line for each Community
Support the plan elects in the contract's counties (none elected: the contract covers nothing until
the administrator lists its services); each line takes the contract's capacity, for the
administrator to divide where needed.

Its own migration, after the lines' table and its foreign keys exist: the rows are written, and
their foreign keys checked, inside the one bypass of the row-level-security wall (on PostgreSQL a
deferred check at commit would run outside it and find no contract)."""

from django.db import migrations

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import across_plans


def _checked_now(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
                services = (
                    election_model.objects.filter(plan_id=contract.plan_id, county__in=contract.counties.all())
                    .exclude(
                        effective_to__lt=clocks.local_date(clocks.now())
                    )  # in force or planned, not removed already
                    .values_list("service_id", flat=True)
                    .distinct()
                )
            line_model.objects.bulk_create(
                line_model(plan_id=contract.plan_id, contract=contract, service_id=service, capacity=contract.capacity)
                for service in services
            )
        _checked_now(schema_editor)


def contracts_from_lines(apps, schema_editor):
    contract_model = apps.get_model("providers", "Contract")
    with across_plans(reason="migration reversed: a contract's first line becomes its service and capacity"):
        for contract in contract_model.objects.prefetch_related("lines__service"):
            first = next(iter(sorted(contract.lines.all(), key=lambda line: line.service.position)), None)
            contract.service = "ecm" if first is None or first.service.code == "ecm" else "community_supports"
            contract.capacity = first.capacity if first else 1
            contract.save(update_fields=["service", "capacity"])
        _checked_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("providers", "0011_contract_lines_and_service_assignments")]

    operations = [migrations.RunPython(lines_from_contracts, contracts_from_lines)]
