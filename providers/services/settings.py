"""The plan's choices for the assignment order (DOMAIN 7)."""

from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from providers.models import (
    AssignmentSettings,
)


def assignment_settings_get(*, plan: HealthPlan) -> AssignmentSettings:
    """The plan's assignment settings; an unsaved row with the defaults when it has none."""
    return AssignmentSettings.objects.filter(plan=plan).first() or AssignmentSettings(plan=plan)


@transaction.atomic
def assignment_settings_set(*, plan: HealthPlan, actor, pcp_before_behavioral_health: bool) -> AssignmentSettings:
    """A plan administrator chooses whether the PCP step comes before the behavioral-health one."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    settings, _ = AssignmentSettings.objects.update_or_create(
        plan=plan, defaults={"pcp_before_behavioral_health": pcp_before_behavioral_health}
    )
    audit_record(
        code="providers.assignment_settings.changed",
        plan=plan,
        actor=actor,
        target=settings,
        payload={"pcp_before_behavioral_health": pcp_before_behavioral_health},
    )
    return settings
