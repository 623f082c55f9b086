from collections import defaultdict

import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform.api.fields import PlanRelatedField
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.views import PhiReadMixin, PlanViewSet, service_response
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.models import County
from members import selectors, services
from members.models import EnrollmentSpan, Member, Program, ProgramEnrollment, ProgramRule


class EnrollmentSpanSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrollmentSpan
        fields = ["id", "start_date", "end_date"]
        read_only_fields = ["id"]


# DRF's rendering of a timestamp (the current time zone, "Z" for UTC), shared by every member row.
_TIMESTAMP = serializers.DateTimeField()
# The member columns the output shows (plan and CIN also serve the PHI log); the rest stay unread.
MEMBER_COLUMNS = [
    "id", "plan_id", "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language",
    "address_line", "city", "zip_code", "phone", "email", "county__code", "medicare_model",
    "pcp_npi", "behavioral_health_npi", "created_at", "updated_at",
]  # fmt: skip


def enrollments_of(member_ids: list[int]) -> dict[int, list[dict]]:
    """The members' enrollment spans as the output shows them, in the model's order, in one query
    of plain values: no model instances, no prefetch machinery (issue 15)."""
    spans = defaultdict(list)
    rows = EnrollmentSpan.objects.filter(member_id__in=member_ids).order_by(*EnrollmentSpan._meta.ordering)
    for member_id, pk, start, end in rows.values_list("member_id", "id", "start_date", "end_date"):
        spans[member_id].append({"id": pk, "start_date": start.isoformat(), "end_date": end and end.isoformat()})
    return spans


class MemberListOutput(serializers.ListSerializer):
    """A page of members: their spans read together, one query for the page."""

    def to_representation(self, members):
        members = list(members)
        spans = enrollments_of([member.pk for member in members]) if members else {}
        return [self.child.row(member, spans.get(member.pk, [])) for member in members]


class MemberOutput(serializers.ModelSerializer):
    """The declared fields describe the schema; rows are rendered by a plain dict build, the same
    JSON as the ModelSerializer's field by field (tests/members/test_api_output.py) at a fraction
    of its per-row cost (issue 15)."""

    county = serializers.CharField(source="county.code")
    enrollments = EnrollmentSpanSerializer(many=True)

    class Meta:
        model = Member
        list_serializer_class = MemberListOutput
        fields = [
            "id", "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language",
            "address_line", "city", "zip_code", "phone", "email", "county", "medicare_model",
            "pcp_npi", "behavioral_health_npi", "enrollments", "created_at", "updated_at",
        ]  # fmt: skip

    def to_representation(self, member):
        return self.row(member, enrollments_of([member.pk]).get(member.pk, []))

    @staticmethod
    def row(member, enrollments: list[dict]) -> dict:
        return {
            "id": member.id,
            "cin": member.cin,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(),
            "sex": member.sex,
            "preferred_language": member.preferred_language,
            "address_line": member.address_line,
            "city": member.city,
            "zip_code": member.zip_code,
            "phone": member.phone,
            "email": member.email,
            "county": member.county.code,
            "medicare_model": member.medicare_model,
            "pcp_npi": member.pcp_npi,
            "behavioral_health_npi": member.behavioral_health_npi,
            "enrollments": enrollments,
            "created_at": _TIMESTAMP.to_representation(member.created_at),
            "updated_at": _TIMESTAMP.to_representation(member.updated_at),
        }


class MemberInput(serializers.ModelSerializer):
    """Field types and shapes only; the member services check the rules (CIN, NPI, county)."""

    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all())
    enrolled_from = serializers.DateField(required=False, write_only=True)

    class Meta:
        model = Member
        fields = [
            "cin", "first_name", "last_name", "birth_date", "sex", "preferred_language",
            "address_line", "city", "zip_code", "phone", "email", "county", "medicare_model",
            "pcp_npi", "behavioral_health_npi", "enrolled_from",
        ]  # fmt: skip
        extra_kwargs = {"cin": {"validators": []}}


class MemberFilter(django_filters.FilterSet):
    cin = django_filters.CharFilter(method="filter_search")
    name = django_filters.CharFilter(method="filter_search")
    birth_date = django_filters.DateFilter(method="filter_search")
    county = django_filters.CharFilter(field_name="county__code")

    def filter_search(self, queryset, name, value):
        return queryset & selectors.member_search(plan=self.request.plan, **{name: value})


# The model's identifier validators and services.member_create/update's duplicate-CIN check.
@extend_validation_errors(
    ["invalid_cin", "duplicate"], field_name="cin", actions=["create", "update", "partial_update"]
)
@extend_validation_errors(["invalid_npi"], field_name="pcp_npi", actions=["create", "update", "partial_update"])
@extend_validation_errors(
    ["invalid_npi"], field_name="behavioral_health_npi", actions=["create", "update", "partial_update"]
)
class MemberViewSet(
    PhiReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    PlanViewSet,
):
    """The plan's members. Every read is recorded in the PHI access log."""

    queryset = Member.objects.none()
    serializer_class = MemberOutput
    filterset_class = MemberFilter
    capability = Capability.MEMBERS_READ
    action_capabilities = {
        "create": Capability.MEMBERS_WRITE,
        "update": Capability.MEMBERS_WRITE,
        "partial_update": Capability.MEMBERS_WRITE,
        "enrollment_spans": Capability.MEMBERS_WRITE,
    }
    ordering = "pk"

    def get_queryset(self):
        # Their spans come with the output (MemberOutput), read once for the page.
        return selectors.member_list(plan=self.request.plan).only(*MEMBER_COLUMNS)

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def create(self, request):
        payload = MemberInput(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.member_create(plan=request.plan, actor=request.principal, **payload.validated_data)
        return Response(MemberOutput(self.get_queryset().get(pk=member.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberInput, responses=MemberOutput)
    def update(self, request, *args, partial=False, **kwargs):
        member = self.get_object()
        payload = MemberInput(member, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        fields = {k: v for k, v in payload.validated_data.items() if k != "enrolled_from"}
        services.member_update(plan=request.plan, member=member, actor=request.principal, **fields)
        return Response(MemberOutput(self.get_queryset().get(pk=member.pk)).data)

    @extend_schema(request=EnrollmentSpanSerializer, responses={201: EnrollmentSpanSerializer})
    @action(detail=True, methods=["post"], url_path="enrollment-spans")
    def enrollment_spans(self, request, pk=None):
        payload = EnrollmentSpanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        span = services.enrollment_span_add(
            plan=request.plan,
            member=self.get_object(),
            actor=request.principal,
            **payload.validated_data,
        )
        return Response(EnrollmentSpanSerializer(span).data, status=status.HTTP_201_CREATED)


class ProgramRuleOutput(serializers.ModelSerializer):
    class Meta:
        model = ProgramRule
        fields = ["treatment", "effective_from", "effective_to", "note"]


class ProgramOutput(serializers.ModelSerializer):
    rules = ProgramRuleOutput(many=True)

    class Meta:
        model = Program
        fields = ["code", "name", "rules"]


class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Other programs and how ECM treats them (DOMAIN 4; reference data)."""

    queryset = Program.objects.none()
    serializer_class = ProgramOutput
    capability = Capability.REFERENCE_READ
    lookup_field = "code"
    ordering = "code"

    def get_queryset(self):
        return selectors.program_list()


class ProgramEnrollmentOutput(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code")

    class Meta:
        model = ProgramEnrollment
        fields = ["id", "member", "program", "start_date", "end_date"]


class ProgramEnrollmentInput(serializers.Serializer):
    member = PlanRelatedField(plan_queryset=selectors.member_list)
    program = serializers.SlugRelatedField(slug_field="code", queryset=Program.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)


class ProgramEndInput(serializers.Serializer):
    end_date = serializers.DateField()


class ProgramEnrollmentFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")


class ProgramEnrollmentViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Members' enrollments in other programs (DOMAIN 4)."""

    queryset = ProgramEnrollment.objects.none()
    serializer_class = ProgramEnrollmentOutput
    filterset_class = ProgramEnrollmentFilter
    capability = Capability.MEMBERS_READ
    action_capabilities = {"create": Capability.MEMBERS_WRITE, "end": Capability.MEMBERS_WRITE}
    ordering = "pk"

    def get_queryset(self):
        return selectors.program_enrollment_list(plan=self.request.plan)

    @extend_schema(request=ProgramEnrollmentInput, responses={201: ProgramEnrollmentOutput})
    def create(self, request):
        return service_response(
            request,
            payload_class=ProgramEnrollmentInput,
            service=services.program_enrollment_add,
            output_class=ProgramEnrollmentOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ProgramEndInput, responses=ProgramEnrollmentOutput)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return service_response(
            request,
            payload_class=ProgramEndInput,
            service=services.program_enrollment_end,
            output_class=ProgramEnrollmentOutput,
            enrollment=self.get_object(),
        )


ROUTES = [
    ("members", MemberViewSet, "member"),
    ("programs", ProgramViewSet, "program"),
    ("program-enrollments", ProgramEnrollmentViewSet, "program-enrollment"),
]
