"""Append-only records: who did what to which object in which plan, and who read whose PHI.

Three walls, each tested path by path (tests/ecm_platform/test_audit_append_only.py): the models
refuse to save an existing row or delete one, and their querysets refuse `update()`, `delete()` and
`bulk_update()`; every statement through a Django connection that would update, delete or truncate
these tables is refused (`guard.py`, SQLite and PostgreSQL); on PostgreSQL triggers refuse UPDATE,
DELETE and TRUNCATE for every role (`triggers.py`). Only the tables' owner can disable a trigger,
so deployments migrate as an owner role and run the application as a role that owns nothing
(README, Docker). Retention is a documented, audited partition drop, never a DELETE.
"""

from django.conf import settings
from django.db import models
from django.db.models.query import QuerySet
from django_scopes import ScopedManager

from ecm_platform.audit.fields import MemberIdsField
from ecm_platform.audit.triggers import append_only_triggers
from ecm_platform.tenancy.models import HealthPlan


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    """Concrete subclasses extend `AppendOnlyModel.Meta`, which carries the triggers."""

    class Meta:
        abstract = True
        triggers = append_only_triggers()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class AuditEvent(AppendOnlyModel):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="audit_events")
    code = models.CharField(max_length=100, help_text="Namespaced: tenancy.api_key.issued")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Who, kept even if the user goes.")
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=150, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    objects = ScopedManager(plan="plan", _manager_class=AppendOnlyManager)

    class Meta(AppendOnlyModel.Meta):
        indexes = [
            models.Index(fields=["plan", "-id"]),
            models.Index(fields=["plan", "code", "-at"]),
            models.Index(fields=["plan", "actor", "-at"]),
            # The search by object ("every entry about member 12"), with or without its type.
            models.Index(fields=["plan", "target_id", "-id"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} by {self.actor_label}"


class PhiPurpose(models.TextChoices):
    CARE_COORDINATION = "care_coordination", "Care coordination"
    UTILIZATION_REVIEW = "utilization_review", "Utilization review"
    REPORTING = "reporting", "Reporting"
    INTEGRATION = "integration", "Integration (API)"
    EXPORT = "export", "Export"


class PhiAccess(AppendOnlyModel):
    """One read event of member-level data, naming every member it showed: a member page (one
    member), a list page or API list page (every member on it, in order), an export (`label`, and
    `row_count` rows), or a list that showed nobody (`label` "list", `row_count` 0).

    The log grows with every page read, so it is built to stay cheap and bounded
    (`partitions.py`): one row per read, not per member; on PostgreSQL monthly partitions on `at`
    with a DEFAULT partition, kept six years (HIPAA, 45 CFR 164.316(b)(2)) and then detached and
    dropped whole by the audited `audit_partitions --retention` command, never deleted row by row.
    Its indexes are the audit pages' questions and no more: "by time" (plan, -id), "what user Y
    read" (user, -id); "who saw member X" is `PhiAccessMember`'s key.
    """

    # The composite indexes lead with these columns, so the foreign keys need no index of their own.
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="phi_accesses", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The members app sits above the core, so members are referenced by id, not a foreign key.
    member_ids = MemberIdsField(default=list, blank=True)
    member_labels = models.JSONField(default=list, blank=True, help_text="Their CINs, in the same order.")
    label = models.CharField(max_length=200, blank=True, help_text="What was read when no member is named.")
    purpose = models.CharField(max_length=30, choices=PhiPurpose.choices)
    path = models.CharField(max_length=500, blank=True)
    row_count = models.PositiveIntegerField(default=1, help_text="Members shown, or rows exported.")
    at = models.DateTimeField()

    objects = ScopedManager(plan="plan", _manager_class=AppendOnlyManager)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "PHI access"
        verbose_name_plural = "PHI accesses"
        indexes = [
            models.Index(fields=["plan", "-id"], name="audit_phiaccess_plan_recent"),
            models.Index(fields=["user", "-id"], name="audit_phiaccess_user_recent"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} read {self.label or len(self.member_ids)}"

    @property
    def members(self) -> list[tuple[int, str]]:
        return list(zip(self.member_ids, self.member_labels, strict=False))


class PhiAccessMember(AppendOnlyModel):
    """Who saw member X: one narrow row per member a read named, written by a database trigger
    on each `PhiAccess` insert (partitions.py; the same statement, so the same transaction), never
    by the application. Its key (member_id, access_id, at) is the index that answers the question.

    Why not a GIN index on `PhiAccess.member_ids`: under row-level security PostgreSQL uses an
    index only for leakproof operators, and the array operators (`@>`, `&&`) are not, so a GIN
    index is never used for the application role; `member_id = x` (int8eq) is leakproof.
    """

    pk = models.CompositePrimaryKey("member_id", "access_id", "at")
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+", db_index=False)
    member_id = models.BigIntegerField()
    access_id = models.BigIntegerField(help_text="The PhiAccess row (partitioned: no foreign key).")
    at = models.DateTimeField()

    objects = ScopedManager(plan="plan", _manager_class=AppendOnlyManager)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "PHI access of a member"

    def __str__(self):
        return f"member {self.member_id} in PHI access {self.access_id}"
