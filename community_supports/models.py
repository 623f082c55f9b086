"""Community Supports delivered (DOMAIN 9): what a provider reports it gave under an authorization,
checked against the service's limits again before it is recorded."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from authorizations.models import AuthorizationRequest
from ecm_platform.tenancy.models import HealthPlan
from members.models import Member
from providers.models import ProviderOrganization


class Delivery(models.Model):
    """One delivery of an authorized Community Support: the days it covered and, in the service's
    limit unit, how much (hours of respite, dollars of a home modification, meals a day)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="deliveries")
    # The request's, repeated so a member's limits are counted across requests in one query.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    delivered_from = models.DateField()
    delivered_to = models.DateField()
    quantity = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    limit_override_reason = models.TextField(blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        indexes = [models.Index(fields=["plan", "member", "delivered_from"])]
        ordering = ["-delivered_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivered_to__gte=models.F("delivered_from")), name="delivery_ends_after_it_starts"
            )
        ]

    def __str__(self):
        return f"Delivery {self.pk} under request {self.request_id}"


# The closed-loop referrals' models live beside this one and are imported from here, as the app's models.
from community_supports.referral_models import (  # noqa: E402, F401
    ClosureReason,
    DeclineReason,
    NoticeChannel,
    NoticeEvent,
    NoticeRecipient,
    Referral,
    ReferralEvent,
    ReferralNotice,
    ReferralSettings,
    ReferralStatus,
    ReferrerKind,
)
