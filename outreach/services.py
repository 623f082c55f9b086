"""Every write on outreach (DOMAIN 8), one module per use case; callers import the actions from here.

Attempts: outreach.attempts. Close-outs (enrolled, declined, unable to reach) and the referral to
other programs: outreach.closeout. Who is targeted: outreach.targets (the job). The plan's outreach
settings are here.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction

from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import HealthPlan
from outreach.attempts import (
    ASKS_FOR_RESPONSE_NEEDED,
    BULK_ROWS,
    BulkRowsInvalid,
    RowError,
    attempt_record,
    attempts_record_bulk,
    not_staff_message,
)
from outreach.closeout import (
    engagement_decline,
    engagement_enroll,
    engagement_unreachable,
    other_programs_referral_record,
)
from outreach.models import OutreachSettings
from outreach.selectors import outreach_settings_of
from outreach.targets import targets_sync

SETTINGS_FIELDS = (
    "first_attempt_business_days",
    "unreachable_attempts",
    "unreachable_days",
    "unreachable_methods",
    "referral_business_days",
)

__all__ = [
    "ASKS_FOR_RESPONSE_NEEDED",
    "BULK_ROWS",
    "BulkRowsInvalid",
    "RowError",
    "attempt_record",
    "attempts_record_bulk",
    "engagement_decline",
    "engagement_enroll",
    "engagement_unreachable",
    "not_staff_message",
    "other_programs_referral_record",
    "outreach_settings_update",
    "targets_sync",
]  # fmt: skip


def _limits(field_name: str) -> tuple[int, int]:
    validators = OutreachSettings._meta.get_field(field_name).validators
    low = next(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


@transaction.atomic
def outreach_settings_update(*, plan: HealthPlan, actor, **fields) -> OutreachSettings:
    """Change the plan's outreach policy (first-attempt clock, "unable to reach" policy, referral
    clock). Clocks already running keep their due dates; new ones use the new values."""
    require(actor, Capability.PLAN_SETTINGS_MANAGE, plan=plan)
    unknown = sorted(set(fields) - set(SETTINGS_FIELDS))
    if unknown:
        raise DomainError(f"Not an outreach setting: {', '.join(unknown)}.", field=unknown[0], code="unknown_field")
    settings = outreach_settings_of(plan=plan)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name, value in fields.items():
        low, high = _limits(name)
        label = OutreachSettings._meta.get_field(name).verbose_name
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise DomainError(f"The {label} is a whole number from {low} to {high}.", field=name, code="out_of_range")
        setattr(settings, name, value)
    settings.save()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    changed = {name: [before[name], after[name]] for name in SETTINGS_FIELDS if before[name] != after[name]}
    audit_record(code="outreach.settings.updated", plan=plan, actor=actor, target=settings, payload=changed)
    return settings
