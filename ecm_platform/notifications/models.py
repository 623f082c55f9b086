from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import HealthPlan


class Notification(models.Model):
    """An in-app message to one person about something in one plan."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True, help_text="A path inside the platform.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [
            models.Index(fields=["plan", "recipient", "-created_at", "-id"]),
            models.Index(
                fields=["plan", "recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
