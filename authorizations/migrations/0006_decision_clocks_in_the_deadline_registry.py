# The decision-clock monitor's stamps and runs give way to the core deadline registry
# (ecm_platform.deadlines). The clocks already running move into it first, the states the old
# monitor had told kept (so no owner is told twice): open decisions, unacknowledged and unresolved
# appeals and grievances, and reassessments not yet recorded.

from django.db import migrations

from ecm_platform import clocks
from ecm_platform.tenancy.scoping import across_plans

OPEN_STATUSES = ["received", "in_review", "deferred", "presumptive"]


def _name(member) -> str:
    return f"{member.first_name} {member.last_name}"


def register(apps, schema_editor):
    deadline_model = apps.get_model("deadlines", "Deadline")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    now = clocks.now()

    def opened(model_name, target, kind, due_at, owner, label, link, state="open"):
        content_type, _ = content_type_model.objects.get_or_create(app_label="authorizations", model=model_name)
        deadline_model.objects.create(
            plan_id=target.plan_id, kind=kind, target_type=content_type, target_id=target.pk,
            member_id=target.member_id, label=label[:300], link=link, owner=owner, due_at=due_at, state=state,
            opened_at=now,
        )  # fmt: skip

    request_model = apps.get_model("authorizations", "AuthorizationRequest")
    with across_plans(reason="migration: running authorization clocks move into the deadline registry"):
        for request in request_model.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False).select_related(
            "member"
        ):
            state = "overdue" if request.overdue_notified_at else "at_risk" if request.at_risk_notified_at else "open"
            opened(
                "authorizationrequest", request, "decision", request.due_at, "authorizations.approve",
                f"Decision for {_name(request.member)} (request {request.pk})", f"/authorizations/{request.pk}/",
                state,
            )  # fmt: skip
        for request in request_model.objects.filter(
            status="active", reassessment_due__isnull=False, reassessed_on__isnull=True
        ).select_related("member"):
            opened(
                "authorizationrequest", request, "reassessment", clocks.end_of_day(request.reassessment_due),
                "authorizations.reassessments.record",
                f"Six-month reassessment of {_name(request.member)} (request {request.pk})",
                f"/authorizations/{request.pk}/",
            )  # fmt: skip
        for model_name, what, resolver in (
            ("appeal", "Appeal", "authorizations.appeals.resolve"),
            ("grievance", "Grievance", "authorizations.grievances.resolve"),
        ):
            model = apps.get_model("authorizations", model_name)
            short = "appeal" if model_name == "appeal" else "grievance"
            for case in model.objects.filter(resolved_at__isnull=True).select_related("member"):
                link = f"/authorizations/{model_name}s/{case.pk}/"
                if case.acknowledged_at is None:
                    opened(
                        model_name, case, f"{short}_ack", case.acknowledgement_due, "authorizations.appeals.acknowledge",
                        f"{what} {case.pk} of {_name(case.member)}: acknowledgement", link,
                    )  # fmt: skip
                opened(
                    model_name, case, f"{short}_resolution", case.resolution_due, resolver,
                    f"{what} {case.pk} of {_name(case.member)}: resolution", link,
                )  # fmt: skip


def unregister(apps, schema_editor):
    deadline_model = apps.get_model("deadlines", "Deadline")
    with across_plans(reason="migration reversed: authorization clocks leave the deadline registry"):
        deadline_model.objects.filter(target_type__app_label="authorizations").exclude(kind="letter_contact").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('authorizations', '0005_requester_notices_and_approval_letters'),
        ('deadlines', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(register, unregister),
        migrations.RemoveField(model_name='authorizationrequest', name='at_risk_notified_at'),
        migrations.RemoveField(model_name='authorizationrequest', name='overdue_notified_at'),
        migrations.DeleteModel(name='ClockCheckRun'),
    ]
