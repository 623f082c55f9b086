"""The authorization API (DOMAIN 5 and 6): requests and one action endpoint per lifecycle
transition, Notices of Action with their PDF and the Member Transition List (appeals and grievances:
appeals_api.py).

The services own the rules, including who may take each transition (DOMAIN 5.2): the views let
every plan role reach an action and the service refuses with 403 (wrong role), 409 (wrong state or
a concurrent decision) or 400 (a rule, naming the field). `get_object()` runs first, so another
plan's object is 404 before any rule is asked.
"""

from functools import partial

import django_filters
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from authorizations import appeals_api, provider_api, selectors, services, settings_api
from authorizations.models import (
    OPEN_STATUSES,
    AuthorizationRequest,
    DiscontinuationState,
    Notice,
    NoticeType,
    RequestAttachment,
    RequestSource,
    Status,
    Urgency,
)
from authorizations.request_inputs import (
    ApproveInput,
    AssignServiceProviderInput,
    AttachmentInput,
    DenyInput,
    DiscontinueInput,
    ExtendInput,
    ProposeDiscontinuationInput,
    ReassessedInput,
    StartServicesInput,
    SubmitInput,
    WithdrawInput,
)
from ecm_platform import clocks
from ecm_platform.api.fields import EmptyInput
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.pagination import KeysetPagination
from ecm_platform.api.parsers import MultiPartParser
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanAPIView, PlanViewSet, service_response
from ecm_platform.audit.models import AuditEvent
from ecm_platform.audit.services import phi_read_record
from ecm_platform.jobs.api import ImportJobOutput
from ecm_platform.tenancy.access import Capability

# --- Requests ---------------------------------------------------------------------------------------


class AttachmentSummary(serializers.ModelSerializer):
    class Meta:
        model = RequestAttachment
        fields = ["id", "name", "uploaded_at"]


class AttachmentOutput(serializers.ModelSerializer):
    size = serializers.SerializerMethodField(help_text="Bytes.")

    class Meta:
        model = RequestAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]

    def get_size(self, attachment) -> int:
        return len(attachment.content)


class RequestOutput(serializers.ModelSerializer):
    # Codes whose choice sets are also action inputs are plain strings here, so that each choice
    # set has one name in the schema.
    pofs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True, help_text="POFs claimed.")
    is_open = serializers.BooleanField(read_only=True, help_text="The decision clock runs (DOMAIN 5.2).")
    time_remaining_seconds = serializers.SerializerMethodField(
        help_text="Seconds until the decision is due, negative once overdue; null when no decision is pending."
    )
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)
    denial_reason = serializers.CharField(read_only=True)
    withdrawal_reason = serializers.CharField(read_only=True)
    transition_program = serializers.CharField(read_only=True)
    discontinuation_proposed_reason = serializers.CharField(read_only=True)
    discontinuation_proposed_by = serializers.CharField(read_only=True)
    discontinuation_reason = serializers.CharField(read_only=True)
    discontinuation_state = serializers.ChoiceField(
        choices=DiscontinuationState.choices, read_only=True, allow_blank=True,
        help_text="A decided discontinuation waiting for its effective date (scheduled) or for an appeal under aid "
        "paid pending (pending_appeal); empty when none waits (DOMAIN 5.2).",
    )  # fmt: skip
    service = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="A catalogue code (DOMAIN 9).")
    criteria_met = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The service's checklist items attested at approval."
    )
    service_provider = serializers.IntegerField(
        source="service_assignment.organization_id", default=None, read_only=True,
        help_text="A Community Support's provider (organization id); null: none placed yet (DOMAIN 9).",
    )  # fmt: skip
    notices = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachments = AttachmentSummary(many=True, read_only=True)

    class Meta:
        model = AuthorizationRequest
        fields = [
            "id", "member", "service", "urgency", "source", "status", "is_open", "received_at", "due_at",
            "time_remaining_seconds", "original_due_at", "extension_days", "extension_reason",
            "requester_name", "requester_organization", "requester_contact", "notes", "pofs",
            "decision", "modification", "denial_reason", "decision_explanation", "alternative_services",
            "discretionary_justification", "decided_at", "decided_by", "withdrawal_reason", "services_due_by",
            "presumptive_until", "transition_program", "reassessment_due", "reassessed_on",
            "services_started_on", "discontinuation_proposed_reason", "discontinuation_proposed_by",
            "discontinuation_proposal_note", "discontinuation_reason", "discontinuation_effective_on",
            "discontinuation_state", "needs_lower_level_of_care", "notices", "attachments", "created_at", "updated_at",
            "service_from", "service_to", "quantity", "service_began_at", "criteria_met", "limit_override_reason",
            "service_assignment", "service_provider", "discontinuation_criterion",
        ]  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_time_remaining_seconds(self, request) -> int | None:
        if not request.is_open or request.due_at is None:
            return None
        return int(clocks.time_remaining(request.due_at).total_seconds())


class HistoryOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["code", "actor_label", "at", "payload"]


class RequestFilter(django_filters.FilterSet):
    # Declared explicitly: Meta.fields on a scoped model queries at import (TRAPS.md).
    status = django_filters.ChoiceFilter(choices=Status.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    source = django_filters.ChoiceFilter(choices=RequestSource.choices)
    member = IdFilter(field_name="member_id")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    is_open = django_filters.BooleanFilter(method="filter_is_open", help_text="The decision clock runs.")
    awaiting_provider = django_filters.BooleanFilter(
        method="filter_awaiting_provider",
        help_text="Community Supports approved while no contracted provider had room, still without one (DOMAIN 9).",
    )

    def filter_is_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_awaiting_provider(self, queryset, name, value):
        awaiting = selectors.AWAITING_PROVIDER
        return queryset.filter(awaiting) if value else queryset.exclude(awaiting)


class RequestViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Authorization requests on the DOMAIN 5.2 state machine: one POST per transition, never a
    writable status. Every read is recorded in the PHI access log."""

    queryset = AuthorizationRequest.objects.none()
    serializer_class = RequestOutput
    filterset_class = RequestFilter
    capability = Capability.AUTHORIZATIONS_READ
    # Transitions are checked by their services (state before role: DOMAIN 5.2).
    action_capabilities = {"attachments": Capability.ATTACHMENTS_ADD}
    # By due instant, the most urgent first (DOMAIN 5.1), as an index serves it (selectors.by_due).
    ordering = ("due_sort", "id")

    def get_queryset(self):
        requests = selectors.request_list(plan=self.request.plan)
        if self.action in ("list", "retrieve"):
            # Actions serialize what they just changed (a new notice): nothing prefetched goes stale.
            requests = requests.prefetch_related(
                Prefetch(
                    "notices",
                    queryset=selectors.notice_list(plan=self.request.plan)
                    .select_related(None)
                    .only("id", "request_id"),
                ),
                Prefetch("attachments", queryset=selectors.attachment_list(plan=self.request.plan).order_by("id")),
            )
        return selectors.by_due(requests)

    def _act(self, request, service, payload_class=EmptyInput, **arguments):
        """Run a transition's service on the request named in the URL (404 when not the plan's)."""
        return service_response(
            request,
            payload_class=payload_class,
            service=partial(service, request=self.get_object(), **arguments),
            output_class=RequestOutput,
        )

    @extend_schema(request=SubmitInput, responses={201: RequestOutput, 409: conflict_response("open_request_exists")})
    def create(self, request):
        """Submit a request for ECM or a Community Support (DOMAIN 5.1, 9): its decision is due by the clock in
        force on the day of receipt (an urgent service always expedited, on the plan's clock for it). 400 names the
        field (a period ending before it starts, a retroactive stay for a service other than sobering centers);
        409 when the member has a live request for the service."""
        return service_response(
            request,
            payload_class=SubmitInput,
            service=services.request_submit,
            output_class=RequestOutput,
            status_code=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None, responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._act(request, services.request_start_review)

    @extend_schema(
        request=ExtendInput,
        responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict", "already_extended")},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """The one extension of up to 14 calendar days, with a reason; a delay notice when due (DOMAIN 5.1, 5.3)."""
        return self._act(request, services.request_extend, ExtendInput)

    @extend_schema(
        request=None, responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act(request, services.request_resume)

    @extend_schema(
        request=ApproveInput, responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve in full or modified (reviewers); the member is assigned an ECM Provider (DOMAIN 5.2, 7). A
        Community Support needs every checklist item in `criteria_met`, the service offered in the member's county
        and its limits kept (or `limit_override_reason` where they allow it); the member is placed with a contracted
        provider of it, or none yet (`service_provider` null; DOMAIN 9)."""
        return self._act(request, services.request_approve, ApproveInput)

    @extend_schema(
        request=AssignServiceProviderInput,
        responses={200: RequestOutput, 409: conflict_response("invalid_transition", "already_placed")},
    )
    @action(detail=True, methods=["post"], url_path="assign-service-provider")
    def assign_service_provider(self, request, pk=None):
        """Place an approved or active Community Support without a provider with one (coordinators; DOMAIN 9):
        400 when no contracted provider of the service in the member's county has room."""
        return self._act(request, services.request_assign_service_provider, AssignServiceProviderInput)

    @extend_schema(
        request=DenyInput, responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    @action(detail=True, methods=["post"])
    def deny(self, request, pk=None):
        """Deny with a reason code and a plain-language explanation (reviewers; DOMAIN 5.2, 5.3)."""
        return self._act(request, services.request_deny, DenyInput)

    @extend_schema(
        request=WithdrawInput, responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw before services began: never a notice (DOMAIN 5.3)."""
        return self._act(request, services.request_withdraw, WithdrawInput)

    @extend_schema(
        request=StartServicesInput,
        responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")},
    )
    @action(detail=True, methods=["post"], url_path="start-services")
    def start_services(self, request, pk=None):
        return self._act(request, services.request_start_services, StartServicesInput)

    @extend_schema(
        request=ProposeDiscontinuationInput,
        responses={200: RequestOutput, 409: conflict_response("invalid_transition", "conflict")},
    )
    @action(detail=True, methods=["post"], url_path="propose-discontinuation")
    def propose_discontinuation(self, request, pk=None):
        """The provider asks, or the plan proposes, to discontinue; a reviewer decides (DOMAIN 6)."""
        return self._act(request, services.request_propose_discontinuation, ProposeDiscontinuationInput)

    @extend_schema(
        request=DiscontinueInput,
        responses={200: RequestOutput, 409: conflict_response("invalid_transition", "discontinuation_scheduled")},
    )
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        """Decide to end services for one of the four reasons, with a notice at least 10 days ahead (DOMAIN 6,
        5.3). The request stays active, `discontinuation_state` scheduled, until the effective date, when a
        daily job discontinues it and ends the assignment; a timely appeal holds it (DOMAIN 5.2)."""
        return self._act(request, services.request_discontinue, DiscontinueInput)

    @extend_schema(request=ReassessedInput, responses=RequestOutput)
    @action(detail=True, methods=["post"])
    def reassessed(self, request, pk=None):
        """A transition member's six-month reassessment is done (DOMAIN 3.5)."""
        return self._act(request, services.transition_reassessment_record, ReassessedInput)

    @extend_schema(request=None, responses=HistoryOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=KeysetPagination, filter_backends=[])
    def history(self, request, pk=None):
        """Who did what to the request, when and why (its audit events); a PHI read of the member."""
        authorization = self.get_object()
        page = self.paginate_queryset(selectors.request_history(plan=request.plan, request=authorization))
        phi_read_record(membership=request.membership, path=request.get_full_path(), members=[authorization.member])
        return self.get_paginated_response(HistoryOutput(page, many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentOutput})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """Attach a document (a referral form, an assessment): PDF, PNG, JPEG, TIFF, DOCX or plain text,
        recognised by its content and matching its extension; at most 10 MB."""
        authorization = self.get_object()
        payload = AttachmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        attachment = services.attachment_add(
            plan=request.plan,
            actor=request.principal,
            request=authorization,
            name=upload.name,
            content_type=upload.content_type or "",
            content=upload.read(),
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


# --- Notices of Action ------------------------------------------------------------------------------


class NoticeOutput(serializers.ModelSerializer):
    content = serializers.JSONField(read_only=True, help_text="Every fact the letter states, frozen at issue.")

    class Meta:
        model = Notice
        fields = [
            "id", "request", "member", "notice_type", "language", "notice_date", "effective_on", "appeal_by",
            "content", "sha256", "issued_at", "held_since", "released_at",
        ]  # fmt: skip


class NoticeFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    request = IdFilter(field_name="request_id")
    notice_type = django_filters.ChoiceFilter(choices=NoticeType.choices)


class PdfNegotiation(DefaultContentNegotiation):
    """The PDF is an HttpResponse, not rendered: a client that accepts only `application/pdf` gets
    it (and JSON errors) instead of a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class NoticeViewSet(PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Notices of Action (DOMAIN 5.3): immutable once issued; the letter itself is at `pdf/`."""

    queryset = Notice.objects.none()
    serializer_class = NoticeOutput
    filterset_class = NoticeFilter
    capability = Capability.AUTHORIZATIONS_READ
    ordering = "pk"

    def get_queryset(self):
        return selectors.notice_list(plan=self.request.plan)

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: conflict_response("letter_held")},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=PdfNegotiation)
    def pdf(self, request, pk=None):
        """The letter as issued (PDF); the download is recorded in the PHI access log."""
        notice = selectors.notice_get(plan=request.plan, pk=self.get_object().pk)
        phi_read_record(membership=request.membership, path=request.get_full_path(), members=[notice.member])
        pdf = services.notice_pdf(plan=request.plan, notice=notice)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.pdf"'
        return response


# --- The Member Transition List (DOMAIN 3.5) ------------------------------------------------------


class TransitionRowInput(serializers.Serializer):
    # Shapes only: the service checks every row and reports each bad field.
    cin = serializers.CharField(allow_blank=True)
    program = serializers.CharField(allow_blank=True, help_text="hhp or wpc")
    transition_date = serializers.CharField(allow_blank=True, help_text="YYYY-MM-DD")
    provider_npi = serializers.CharField(
        allow_blank=True, required=False, default="",
        help_text="The member's WPC/HHP provider, assigned at the transition (DOMAIN 5.2); empty: by the DOMAIN 7 order.",
    )  # fmt: skip
    community_supports = serializers.CharField(
        allow_blank=True, required=False, default="",
        help_text="WPC only (FAQ 50): the Community Supports the member moves into, catalogue codes or names, "
        "separated by ';'.",
    )  # fmt: skip
    ecm = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="yes (default) or no: Community Supports only."
    )


class TransitionImportInput(serializers.Serializer):
    rows = TransitionRowInput(many=True, allow_empty=False)


# Errors of the `rows` list itself carry `attr` = `rows`, and those of a row that is no object
# `rows.<index>` (the schema would otherwise only name `rows.non_field_errors` and
# `rows.INDEX.non_field_errors`).
@extend_validation_errors(["empty", "not_a_list", "null", "required"], field_name="rows")
@extend_validation_errors(["invalid", "null"], field_name="rows.INDEX")
class TransitionImportView(PlanAPIView):
    """Import the Member Transition List as a background job: 202 with the job, whose `url` gives
    its state and progress. Each HHP/WPC member is authorized from the transition date with the
    six-month reassessment due (DOMAIN 3.5, 5.1). One bad row imports nothing: the job fails with
    one error per row and field in `report.errors` (`row` counts from 1); on success the report
    gives `created` and `unchanged` (rows imported before). 409 while another list is importing."""

    capability = Capability.TRANSITIONS_IMPORT

    @extend_schema(
        request=TransitionImportInput, responses={202: ImportJobOutput, 409: conflict_response("import_running")}
    )
    def post(self, request):
        return service_response(
            request, payload_class=TransitionImportInput, service=services.transition_import_start,
            output_class=ImportJobOutput, status_code=202,
        )  # fmt: skip


ROUTES = [
    ("authorizations", RequestViewSet, "authorization"),
    ("notices", NoticeViewSet, "notice"),
    *appeals_api.ROUTES,
    *provider_api.ROUTES,
]
PATHS = [
    path("transition-imports/", TransitionImportView.as_view(), name="transition-import"),
    *settings_api.PATHS,
]
