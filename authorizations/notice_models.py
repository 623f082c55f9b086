"""The member's letters and the requester's notices (DOMAIN 5.3): immutable once issued. Loaded
with the app's other models through `authorizations.models`, which imports them."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import HealthPlan
from members.models import Member
from providers.models import ProviderOrganization


class NoticeType(models.TextChoices):
    """The Notices of Action, and the standard approval letter (not a NOA; DOMAIN 5.3)."""

    APPROVAL = "approval", "Approval letter"
    DENIAL = "denial", "Denial"
    DELAY = "delay", "Delay (extension)"
    MODIFICATION = "modification", "Modification"
    DISCONTINUATION = "discontinuation", "Discontinuation"


class Notice(models.Model):
    """A Notice of Action (DOMAIN 5.3): its content is fixed when it is issued, and its PDF, made
    from that content, once it is rendered.

    There is no update path: `save` refuses to change an issued notice. Two writes fill what was
    left empty at issue, each once and never again: the PDF (services.notice_pdf), and, for a
    notice issued while the plan had no contact, the contact. Such a notice is held (`held_since`):
    its content has empty `plan_phone` and `plan_address` and it has no PDF; when the administrator
    sets the contact, the release writes those two keys into the content (`released_at`), and only
    then is the letter rendered (authorizations.services.letter_contact). So the content always holds
    exactly what the letter prints.
    """

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey("authorizations.AuthorizationRequest", on_delete=models.PROTECT, related_name="notices")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="notices")
    notice_type = models.CharField(max_length=20, choices=NoticeType.choices)
    language = models.CharField(max_length=5)
    notice_date = models.DateField()
    effective_on = models.DateField()
    appeal_by = models.DateField(null=True, blank=True, help_text="60 days after the notice date (not on approvals).")
    content = models.JSONField(help_text="Every fact the letter states, frozen at issue.")
    # Rendered from `content` once, after the issuing transaction commits (or at the first
    # download), and never again: see services.notice_pdf.
    pdf = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField()
    held_since = models.DateTimeField(
        null=True, blank=True, help_text="Issued while the plan had no contact: the letter waits for it."
    )
    released_at = models.DateTimeField(null=True, blank=True, help_text="When the plan's contact was written in.")

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["plan", "member"]), models.Index(fields=["plan", "request"])]

    def __str__(self):
        return f"{self.get_notice_type_display()} notice {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An issued Notice of Action cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An issued Notice of Action cannot be deleted.")

    @property
    def is_held(self) -> bool:
        """Issued while the plan had no contact, and not released yet (no letter can be made)."""
        return self.held_since is not None and self.released_at is None


class RequesterChannel(models.TextChoices):
    IN_APP = "in_app", "In the provider portal"
    EMAIL = "email", "Email"


class RequesterNotice(models.Model):
    """A decision told to the provider or entity that asked (DOMAIN 5.3): once per decision (its
    member's notice), in the portal of the requester organization or by email to its contact."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        "authorizations.AuthorizationRequest", on_delete=models.PROTECT, related_name="requester_notices"
    )
    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="requester_notice")
    decision = models.CharField(max_length=20, help_text="approval, modification, denial, deferral, discontinuation")
    channel = models.CharField(max_length=10, choices=RequesterChannel.choices)
    organization = models.ForeignKey(
        ProviderOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Emailed (in the portal from creation).")

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [models.Index(fields=["plan", "organization", "-created_at"], name="requester_notice_org_idx")]

    def __str__(self):
        return f"Requester notice {self.pk} ({self.decision})"
