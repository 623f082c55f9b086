"""Exchanged files' column maps (DOMAIN 11; ARCHITECTURE, Catalogue, files and reports).

Each file kind has a DHCS baseline, versioned by effective dates and shared by every plan (reference
data: no `plan` column, so row-level security leaves it readable to all), and each plan may lay an
overlay on it: headers renamed, columns of its own added, more columns required. Overlays are
versioned too: a change takes effect from a day and the earlier version stays, so a file read for
an earlier day is read with the map of that day. The invoice is the first kind; the MIF, RTF, OTF
and the quarterly report tabs add theirs as data.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import HealthPlan


class FileKind(models.TextChoices):
    INVOICE = "invoice", "Provider invoice"


class ColumnMap(models.Model):
    """The DHCS baseline of one file kind: `columns` are {"field", "header", "required",
    "description"} in file order; `field` is the internal record's name, `header` the file's."""

    kind = models.CharField(max_length=40, choices=FileKind.choices)
    version = models.CharField(max_length=40)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    columns = models.JSONField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="one_baseline_per_kind_and_version")]
        ordering = ["kind", "-effective_from"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"


class ColumnMapOverlay(models.Model):
    """A plan's overlay on a baseline from `effective_from`: `renamed` {field: header}, its own
    `extra_columns` ({"field", "header", "required"}) and `extra_required` baseline fields."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=FileKind.choices)
    effective_from = models.DateField()
    renamed = models.JSONField(default=dict, blank=True)
    extra_columns = models.JSONField(default=list, blank=True)
    extra_required = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "effective_from"], name="one_overlay_per_plan_kind_and_day")
        ]
        ordering = ["kind", "-effective_from"]

    def __str__(self):
        return f"{self.get_kind_display()} overlay from {self.effective_from}"
