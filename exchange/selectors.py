"""Reading column maps (DOMAIN 11): the baseline in force on a day, the plan's overlay of that day,
and the effective map they make."""

from datetime import date

from django.db.models import Q

from ecm_platform.errors import DomainError
from ecm_platform.tenancy.models import HealthPlan
from exchange import rules
from exchange.models import ColumnMap, ColumnMapOverlay, FileKind


def baseline_of(kind: str, on: date) -> ColumnMap:
    """The DHCS baseline of `kind` in force on `on` (the latest one started by then)."""
    in_force = Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    baseline = ColumnMap.objects.filter(in_force, kind=kind).order_by("-effective_from").first()
    if baseline is None:
        raise DomainError(f"No {FileKind(kind).label} column map is in force on {on}.", code="no_column_map")
    return baseline


def overlay_of(*, plan: HealthPlan, kind: str, on: date) -> ColumnMapOverlay | None:
    return (
        ColumnMapOverlay.objects.filter(plan=plan, kind=kind, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def column_map_effective(*, plan: HealthPlan, kind: str, on: date) -> rules.EffectiveMap:
    """The map a plan's file of `kind` is read with on `on`: the baseline with the plan's overlay."""
    baseline = baseline_of(kind, on)
    overlay = overlay_of(plan=plan, kind=kind, on=on)
    if overlay is None:
        return rules.effective_map(kind=kind, version=baseline.version, baseline=baseline.columns)
    return rules.effective_map(
        kind=kind, version=baseline.version, baseline=baseline.columns, overlay_from=overlay.effective_from,
        renamed=overlay.renamed, extra_columns=overlay.extra_columns, extra_required=overlay.extra_required,
    )  # fmt: skip


def overlays_of(*, plan: HealthPlan, kind: str):
    """Every version of the plan's overlay of `kind`, newest first."""
    return ColumnMapOverlay.objects.filter(plan=plan, kind=kind).select_related("updated_by")
