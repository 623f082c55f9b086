"""The letters' contact moves from AuthorizationSettings to the plan (tenancy): real values are
copied, the placeholder defaults are not (a plan left without a contact has its letters held until
the administrator sets one). Reversible: the reverse copies the plan's contact back."""

from django.db import migrations

from ecm_platform.tenancy.scoping import across_plans

PLACEHOLDER_PHONE = "the Member Services number on your card"
PLACEHOLDER_ADDRESS = "the address on your member handbook"


def copy_to_plans(apps, schema_editor):
    settings_model = apps.get_model("authorizations", "AuthorizationSettings")
    plan_model = apps.get_model("tenancy", "HealthPlan")
    # Every plan's row: under forced row-level security (PostgreSQL) only the named bypass sees them.
    with across_plans(reason="migration: the letters' contact moves to the plan"):
        for settings in settings_model.objects.all():
            phone, address = settings.member_services_phone.strip(), settings.appeals_address.strip()
            fields = {}
            if phone and phone != PLACEHOLDER_PHONE:
                fields["member_services_phone"] = phone
            if address and address != PLACEHOLDER_ADDRESS:
                fields["appeals_address"] = address
            if fields:
                plan_model.objects.filter(pk=settings.plan_id).update(**fields)


def copy_to_settings(apps, schema_editor):
    settings_model = apps.get_model("authorizations", "AuthorizationSettings")
    plan_model = apps.get_model("tenancy", "HealthPlan")
    with across_plans(reason="migration reversed: the letters' contact moves back to the settings"):
        for plan in plan_model.objects.exclude(member_services_phone="", appeals_address=""):
            settings, _ = settings_model.objects.get_or_create(plan_id=plan.pk)
            settings.member_services_phone = plan.member_services_phone or PLACEHOLDER_PHONE
            settings.appeals_address = plan.appeals_address or PLACEHOLDER_ADDRESS
            settings.save(update_fields=["member_services_phone", "appeals_address"])


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0001_initial"),
        ("tenancy", "0003_healthplan_contact"),
    ]

    operations = [migrations.RunPython(copy_to_plans, copy_to_settings)]
