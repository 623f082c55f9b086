"""The plan administrator's overlay on a file kind's column map (DOMAIN 11), versioned by the day
it takes effect and audited with what it replaced."""

from datetime import date

from django.db import transaction

from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability, actor_user, require
from ecm_platform.tenancy.models import HealthPlan
from exchange import rules, selectors
from exchange.models import ColumnMapOverlay, FileKind


def _fields(overlay: ColumnMapOverlay | None) -> dict:
    if overlay is None:
        return {}
    return {
        "effective_from": overlay.effective_from.isoformat(), "renamed": overlay.renamed,
        "extra_columns": overlay.extra_columns, "extra_required": overlay.extra_required,
    }  # fmt: skip


@transaction.atomic
def column_map_overlay_set(
    *, plan: HealthPlan, actor, kind: str, effective_from: date, renamed: dict, extra_columns: list,
    extra_required: list,
) -> ColumnMapOverlay:  # fmt: skip
    """The plan's overlay of `kind` from `effective_from` (today or later: a file already read
    keeps the map it was read with). Another version starting that day is replaced."""
    require(actor, Capability.COLUMN_MAPS_MANAGE, plan=plan)
    if kind not in FileKind.values:
        raise DomainError(f"No file kind {kind!r}.", field="kind")
    if effective_from < clocks.local_date(clocks.now()):
        raise DomainError("An overlay takes effect today or later.", field="effective_from")
    baseline = selectors.baseline_of(kind, effective_from)
    problems = rules.overlay_problems(
        baseline=baseline.columns, renamed=renamed, extra_columns=extra_columns, extra_required=extra_required
    )
    if problems:
        field = problems[0][0]
        raise DomainError(" ".join(message for _, message in problems), field=field, code="invalid_overlay")
    previous = selectors.overlay_of(plan=plan, kind=kind, on=effective_from)
    overlay, _ = ColumnMapOverlay.objects.update_or_create(
        plan=plan, kind=kind, effective_from=effective_from,
        defaults={
            "renamed": renamed, "extra_columns": extra_columns, "extra_required": extra_required,
            "updated_by": actor_user(actor), "updated_at": clocks.now(),
        },
    )  # fmt: skip
    audit_record(
        code="exchange.column_map_overlay.set", plan=plan, actor=actor, target=overlay,
        payload={"kind": kind, "baseline": baseline.version, **_fields(overlay), "previous": _fields(previous)},
    )  # fmt: skip
    return overlay
