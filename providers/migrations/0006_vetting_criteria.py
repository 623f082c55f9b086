"""DOMAIN 7: a contract is activated only once the organization's vetting (or enrollment pathway)
is complete for the plan. The criteria become data (ECM Policy Guide VII, "Requirements to Be an
ECM Provider"); contracts active before this rule stay active, marked "vetting to complete", with a
vetting deadline on the plan administrator."""

from django.db import migrations, models

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import across_plans

SOURCE = "ECM Policy Guide VII, Requirements to Be an ECM Provider"
MCP_VETTING, STATE_MEDI_CAL = "mcp_vetting", "state_medi_cal"
CRITERIA = [
    # code, pathway, text (the MCP-vetting texts are those checks were recorded under before)
    ("referrals", MCP_VETTING, "Able to receive referrals from the plan for ECM or the authorized Community Supports"),
    ("experience", MCP_VETTING, "Sufficient experience providing services similar to ECM for the Populations of Focus"),
    ("claims", MCP_VETTING, "Able to submit claims or invoices using standardized protocols"),
    ("business_licensing", MCP_VETTING, "Business licensing that meets industry standards"),
    ("reporting", MCP_VETTING, "Able to comply with all reporting and oversight requirements"),
    ("fraud_waste_abuse", MCP_VETTING, "No disqualifying history of fraud, waste or abuse"),
    ("criminal_history", MCP_VETTING, "No recent history of criminal activity endangering members or their families"),
    ("liability_claims", MCP_VETTING, "No disqualifying history of liability claims"),
    (
        "medi_cal_enrollment",
        STATE_MEDI_CAL,
        "Enrolled as a Medi-Cal provider through the state-level pathway (DHCS Provider Enrollment "
        "Division, or the plan's own enrollment process)",
    ),
    ("credentialing", STATE_MEDI_CAL, "Credentialed and screened as APL 19-004 requires"),
]
# The product's interpretation: a month to complete the vetting of a contract already active.
VETTING_TO_COMPLETE_DAYS = 30
OWNER = "providers.manage"  # Capability.PROVIDERS_MANAGE: the plan administrator


def unseed(apps, schema_editor):
    """The criteria only (tests/conftest.py puts the seeded rows back after a flush)."""
    apps.get_model("providers", "VettingCriterion").objects.filter(code__in=[c[0] for c in CRITERIA]).delete()


def seed(apps, schema_editor):
    criterion_model = apps.get_model("providers", "VettingCriterion")
    for position, (code, pathway, text) in enumerate(CRITERIA):
        criterion_model.objects.update_or_create(
            code=code, defaults={"pathway": pathway, "text": text, "source": SOURCE, "position": position}
        )
    contract_model = apps.get_model("providers", "Contract")
    check_model = apps.get_model("providers", "VettingCheck")
    deadline_model = apps.get_model("deadlines", "Deadline")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    now = clocks.now()
    due = clocks.calendar_days_deadline(now, VETTING_TO_COMPLETE_DAYS)
    with across_plans(reason="migration: contracts active before the vetting guard"):
        active = list(contract_model.objects.filter(activated_on__isnull=False).select_related("organization"))
        if not active:
            return
        content_type, _ = content_type_model.objects.get_or_create(app_label="providers", model="contract")
        for contract in active:
            organization = contract.organization
            needed = {text for _, pathway, text in CRITERIA if pathway == organization.enrollment_pathway}
            met = set(
                check_model.objects.filter(plan_id=contract.plan_id, organization=organization).values_list(
                    "criterion", flat=True
                )
            )
            if needed <= met:
                continue
            contract.vetting_to_complete = True
            contract.save(update_fields=["vetting_to_complete"])
            deadline_model.objects.create(
                plan_id=contract.plan_id, kind="vetting", target_type=content_type, target_id=contract.pk,
                label=f"Complete the vetting of {organization.name} (contract active before the vetting guard)"[:300],
                link=f"/providers/{organization.pk}/", owner=OWNER, due_at=due, state="open", opened_at=now,
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0005_assignment_lifecycle"),
        ("deadlines", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="vettingcriterion",
            name="pathway",
            field=models.CharField(
                choices=[
                    ("state_medi_cal", "Enrolled through a state Medi-Cal pathway"),
                    ("mcp_vetting", "Vetted by the plan"),
                ],
                default="mcp_vetting",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="contract",
            name="vetting_to_complete",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
