"""DOMAIN 7's clocks already running move into the deadline registry (ARCHITECTURE, Deadlines):
the provider not yet told of an open assignment, the PCP not yet told, and the member-requested
changes not yet resolved. A clock the registry has already is left alone."""

from django.db import migrations

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import across_plans

LIVE = ["open", "at_risk", "overdue"]
ASSIGNMENTS_MANAGE, CHANGES_MANAGE = "providers.assignments.manage", "providers.changes.manage"


def register(apps, schema_editor):
    deadline_model = apps.get_model("deadlines", "Deadline")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    now = clocks.now()

    def opened(model_name, target, kind, due_at, owner, label, link):
        content_type, _ = content_type_model.objects.get_or_create(app_label="providers", model=model_name)
        live = deadline_model.objects.filter(
            plan_id=target.plan_id, kind=kind, target_type=content_type, target_id=target.pk, state__in=LIVE
        )
        if not live.exists():
            deadline_model.objects.create(
                plan_id=target.plan_id, kind=kind, target_type=content_type, target_id=target.pk,
                member_id=target.member_id, label=label[:300], link=link, owner=owner, due_at=due_at, opened_at=now,
            )  # fmt: skip

    assignment_model = apps.get_model("providers", "Assignment")
    change_model = apps.get_model("providers", "ProviderChangeRequest")
    with across_plans(reason="migration: running provider clocks move into the deadline registry"):
        for assignment in assignment_model.objects.filter(ended_on__isnull=True).select_related(
            "member", "organization"
        ):
            name = f"{assignment.member.first_name} {assignment.member.last_name}"
            link = f"/providers/assignments/{assignment.pk}/"
            if assignment.communicated_at is None:
                opened(
                    "assignment", assignment, "provider_communication", assignment.communication_due,
                    ASSIGNMENTS_MANAGE, f"Tell {assignment.organization.name} of {name}'s assignment", link,
                )  # fmt: skip
            if assignment.pcp_notification_due is not None and assignment.pcp_notified_at is None:
                opened(
                    "assignment", assignment, "pcp_notice", assignment.pcp_notification_due, ASSIGNMENTS_MANAGE,
                    f"Tell {name}'s PCP of the assignment to {assignment.organization.name}", link,
                )  # fmt: skip
        for change in change_model.objects.filter(resolved_on__isnull=True).select_related(
            "member", "requested_organization"
        ):
            opened(
                "providerchangerequest", change, "provider_change", change.due, CHANGES_MANAGE,
                f"Move {change.member.first_name} {change.member.last_name} to "
                f"{change.requested_organization.name} as they asked",
                "/providers/changes/",
            )  # fmt: skip


def unregister(apps, schema_editor):
    deadline_model = apps.get_model("deadlines", "Deadline")
    with across_plans(reason="migration reversed: provider clocks leave the deadline registry"):
        deadline_model.objects.filter(
            target_type__app_label="providers", kind__in=["provider_communication", "pcp_notice", "provider_change"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0006_vetting_criteria"),
        ("deadlines", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(register, unregister)]
