"""The invoice's baseline column map (DOMAIN 11). DHCS publishes no invoice template in the seeds:
this is the product's baseline, the fields an invoice line needs to become an encounter; a plan
renames headers or adds columns with its overlay."""

from datetime import date

from django.db import migrations

VERSION = "invoice-1.0"
SOURCE = "The product's invoice baseline (no DHCS invoice template in the seeds; DOMAIN 11)."
COLUMNS = [
    ("provider_npi", "Provider NPI", True, "The billing provider's 10-digit NPI."),
    ("invoice_number", "Invoice Number", True, "The provider's invoice number, at most 40 characters."),
    ("line_number", "Line Number", True, "The line's number within the invoice (1 or more)."),
    ("member_cin", "Member CIN", True, "The member's Medi-Cal CIN."),
    ("service_from", "Service Date From", True, "The first day of service, YYYY-MM-DD."),
    ("service_to", "Service Date To", False, "The last day of service; empty for a single day."),
    ("hcpcs", "HCPCS Code", True, "The HCPCS code, e.g. G9008."),
    ("modifier_1", "Modifier 1", False, "Modifiers fill the positions from 1; the pair identifies the service."),
    ("modifier_2", "Modifier 2", False, "GQ: by telephone, video or other electronic means."),
    ("modifier_3", "Modifier 3", False, ""),
    ("modifier_4", "Modifier 4", False, ""),
    ("units", "Units", True, "In the code's unit (per encounter, per diem, per 15 min), more than 0."),
    ("amount", "Billed Amount", False, "USD, two decimals; needed for a service with a dollar limit."),
    ("place_of_service", "Place of Service", False, "The two-digit CMS place of service code."),
    ("notes", "Notes", False, "At most 500 characters."),
]


def seed(apps, schema_editor):
    ColumnMap = apps.get_model("exchange", "ColumnMap")
    ColumnMap.objects.create(
        kind="invoice", version=VERSION, effective_from=date(2022, 1, 1), source=SOURCE,
        columns=[
            {"field": field, "header": header, "required": required, "description": description}
            for field, header, required, description in COLUMNS
        ],
    )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("exchange", "ColumnMap").objects.filter(kind="invoice", version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
