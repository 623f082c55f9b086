"""Encounters (DOMAIN 10, 11): each service a provider gave a member, coded by HCPCS code and the
modifiers as the provider wrote them, in every position, with the catalogue service and the coding
guidance row the (code, modifiers) pair identified. They come from provider invoices (converted for
providers without X12 837P) and from unsuccessful outreach attempts (U8); claims come later.

An encounter is written once: its `idempotency_key` (provider NPI, invoice number and line number
for an invoice line; the attempt for outreach) makes a file sent again change nothing.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from authorizations.models import AuthorizationRequest
from benefits.models import CatalogueService, ServiceCode
from ecm_platform.tenancy.models import HealthPlan
from members.models import Member
from outreach.models import Attempt
from providers.models import ProviderOrganization

MODIFIER_POSITIONS = 4


class EncounterSource(models.TextChoices):
    INVOICE = "invoice", "Provider invoice"
    OUTREACH_ATTEMPT = "outreach_attempt", "Unsuccessful outreach attempt"


class Encounter(models.Model):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(CatalogueService, on_delete=models.PROTECT, related_name="+")
    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="+")
    hcpcs = models.CharField("HCPCS", max_length=5)
    modifier_1 = models.CharField(max_length=2, blank=True)
    modifier_2 = models.CharField(max_length=2, blank=True)
    modifier_3 = models.CharField(max_length=2, blank=True)
    modifier_4 = models.CharField(max_length=2, blank=True)
    service_from = models.DateField()
    service_to = models.DateField()
    units = models.DecimalField(max_digits=9, decimal_places=2)
    amount = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True)
    # GQ: telephonic, video or other electronic (DOMAIN 10's in-person and telephonic counts).
    in_person = models.BooleanField()
    place_of_service = models.CharField(max_length=2, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=20, choices=EncounterSource.choices)
    idempotency_key = models.CharField(max_length=120)
    invoice_number = models.CharField(max_length=40, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    authorization_request = models.ForeignKey(
        AuthorizationRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outreach_attempt = models.OneToOneField(
        Attempt, on_delete=models.PROTECT, null=True, blank=True, related_name="encounter"
    )
    plan_columns = models.JSONField(default=dict, blank=True, help_text="The plan's own columns, as read.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "idempotency_key"], name="one_encounter_per_key"),
            models.CheckConstraint(
                condition=models.Q(service_to__gte=models.F("service_from")), name="encounter_ends_after_it_starts"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "member", "service_from"]),
            models.Index(fields=["plan", "service_from", "id"]),
        ]
        ordering = ["-service_from", "-id"]

    def __str__(self):
        return f"Encounter {self.pk}: {self.hcpcs} {self.modifiers}"

    @property
    def modifiers(self) -> str:
        return " ".join(m for m in (self.modifier_1, self.modifier_2, self.modifier_3, self.modifier_4) if m)
