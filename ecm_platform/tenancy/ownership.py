"""The one "same plan" check of every write (ARCHITECTURE, Tenancy): a service acting for a plan
touches or links only that plan's rows, whatever the caller passed in."""

from ecm_platform.errors import CrossPlanReference


def require_same_plan(plan, obj, *, field: str | None = None) -> None:
    """Refuse `obj` unless it belongs to `plan`; the message names the kind of row, never its data."""
    if obj.plan_id != plan.pk:
        raise CrossPlanReference(f"The {obj._meta.verbose_name} belongs to another plan.", field=field)
