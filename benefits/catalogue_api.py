"""/api/v1/catalogue/services/: the catalogue, read-only (DOMAIN 9). Shared reference data: every
plan role reads the same rows; nothing plan-owned is in them, so no PHI access is recorded."""

from rest_framework import mixins, serializers

from benefits import selectors
from benefits.models import CatalogueService, ServiceAlias, ServiceCode, ServiceLimit
from ecm_platform import clocks
from ecm_platform.api.views import PlanViewSet
from ecm_platform.tenancy.access import Capability


class AliasOutput(serializers.ModelSerializer):
    class Meta:
        model = ServiceAlias
        fields = ["name", "used_until"]


class CodeOutput(serializers.ModelSerializer):
    class Meta:
        model = ServiceCode
        fields = ["hcpcs", "modifiers", "unit", "note", "guidance_version", "effective_from", "effective_to"]


class LimitOutput(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = ServiceLimit
        fields = [
            "limit_type", "value", "unit", "window", "exception", "override_allowed", "services",
            "effective_from", "effective_to",
        ]  # fmt: skip


SERVICE_FIELDS = [
    "code", "name", "kind", "effective_from", "effective_to", "mandatory_from", "expedited_hours",
    "allows_retroactive_authorization", "closed_loop_exempt",
]  # fmt: skip


class ServiceOutput(serializers.ModelSerializer):
    # A plain string in the schema: an enum named "kind" would collide with outreach's (settings'
    # ENUM_NAME_OVERRIDES would name it; not this module's to change).
    kind = serializers.CharField(read_only=True, help_text='"ecm" or "community_support".')
    aliases = AliasOutput(many=True, read_only=True)
    codes = CodeOutput(many=True, read_only=True, help_text="The (HCPCS, modifiers) pairs in force today.")

    class Meta:
        model = CatalogueService
        fields = [*SERVICE_FIELDS, "aliases", "codes"]


class ServiceDetailOutput(ServiceOutput):
    limits = serializers.SerializerMethodField()

    class Meta:
        model = CatalogueService
        fields = [*SERVICE_FIELDS, "aliases", "codes", "eligibility_criteria", "discontinuation_criteria", "limits"]

    def get_limits(self, service) -> list[dict]:
        return LimitOutput(selectors.limits_of(service, on=self.context["today"]), many=True).data


class CatalogueServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """ECM and the Community Supports in force today, with their old names and code pairs; the
    detail adds the eligibility checklist, discontinuation criteria and limits."""

    queryset = CatalogueService.objects.none()
    serializer_class = ServiceOutput
    capability = Capability.CATALOGUE_READ
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9]+"
    pagination_class = None
    filter_backends: list = []

    def today(self):
        return clocks.local_date(clocks.now())

    def get_queryset(self):
        return selectors.catalogue_services(on=self.today())

    def get_serializer_class(self):
        return ServiceDetailOutput if self.action == "retrieve" else ServiceOutput

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today()}


ROUTES = [("catalogue/services", CatalogueServiceViewSet, "catalogue-service")]
