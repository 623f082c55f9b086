"""/api/v1/provider/outreach/: the ECM Provider's outreach to the members its contracting plans
assigned to it (DOMAIN 8), the plan on every row, across those plans: engagements and their
close-outs, attempts one by one or in bulk. Another organization's engagement, or one the plan's own
staff run, is 404 like a missing one; every read of member data is in the PHI access log.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability
from outreach import selectors, services
from outreach.attempts_api import (
    ATTEMPT_CONFLICTS,
    CLOSE_CONFLICTS,
    AttemptBulkInput,
    AttemptBulkOutput,
    AttemptFilter,
    AttemptInput,
    AttemptOutput,
    BulkBodyMixin,
    CloseInput,
    EngagementDetailOutput,
    EngagementOutput,
    VerdictInput,
    VerdictOutput,
    attempt_create_response,
    attempt_validation_errors,
    attempts_bulk_response,
    verdict_response,
    with_attempt_counts,
)
from outreach.models import Attempt, Engagement
from providers.provider_api import PLAN_FILTER, ProviderViewSet, with_plan

ProviderEngagementOutput = with_plan(EngagementOutput)


ProviderEngagementDetailOutput = with_plan(EngagementDetailOutput)


ProviderAttemptOutput = with_plan(AttemptOutput)


@extend_validation_errors(["attempt_policy_not_met"], field_name="engagement", actions=["unreachable"])
class ProviderEngagementViewSet(mixins.ListModelMixin, ProviderViewSet):
    """Your organization's outreach to the members the plans assigned to it (DOMAIN 8), the plan on
    every row; enroll (services start), decline or unable to reach (once the plan's attempt policy
    is met) end it."""

    queryset = Engagement.objects.none()
    serializer_class = ProviderEngagementOutput
    capability = Capability.OUTREACH_READ
    action_capabilities = {
        "enroll": Capability.PROVIDER_OUTREACH_CLOSE,
        "decline": Capability.PROVIDER_OUTREACH_CLOSE,
        "unreachable": Capability.PROVIDER_OUTREACH_CLOSE,
    }
    ordering = ("-targeted_on", "-id")

    def get_queryset(self):
        engagements = selectors.provider_engagements(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )
        if self.action == "retrieve":
            engagements = with_attempt_counts(engagements)
        state = self.request.query_params.get("state")
        return engagements.filter(state=state) if state and self.action == "list" else engagements

    @extend_schema(
        parameters=[PLAN_FILTER, OpenApiParameter("state", str, description="open, enrolled, declined, ...")]
    )
    def list(self, request):
        rows = self.paginate_queryset(self.get_queryset())
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(responses=ProviderEngagementDetailOutput)
    def retrieve(self, request, pk=None):
        """One engagement with its attempts so far and the plan's attempt policy's status."""
        engagement = self.get_object()
        engagement.policy = selectors.engagement_policy_status(plan=engagement.plan, engagement=engagement)
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[engagement.member])
        return Response(ProviderEngagementDetailOutput(engagement).data)

    def _act(self, request, service):
        engagement = self.get_object()
        payload = CloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        closed = service(plan=engagement.plan, actor=request.principal, engagement=engagement, **payload.validated_data)
        return Response(ProviderEngagementOutput(closed).data)

    @extend_schema(request=CloseInput, responses={200: ProviderEngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def enroll(self, request, pk=None):
        """The member agreed: services start on the approved request (FAQ 9: no consent document)."""
        return self._act(request, services.engagement_enroll)

    @extend_schema(request=CloseInput, responses={200: ProviderEngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The member declined: the request is withdrawn (no NOA) and the plan refers the member to its
        other programs."""
        return self._act(request, services.engagement_decline)

    @extend_schema(request=CloseInput, responses={200: ProviderEngagementOutput, 409: CLOSE_CONFLICTS})
    @action(detail=True, methods=["post"])
    def unreachable(self, request, pk=None):
        """Unable to reach once the plan's attempt policy is met (else 400 `attempt_policy_not_met`)."""
        return self._act(request, services.engagement_unreachable)


@attempt_validation_errors
class ProviderAttemptViewSet(BulkBodyMixin, mixins.ListModelMixin, ProviderViewSet):
    """Your organization's outreach attempts, the plan on every row, each with its verdict."""

    queryset = Attempt.objects.none()
    serializer_class = ProviderAttemptOutput
    filterset_class = AttemptFilter
    capability = Capability.OUTREACH_READ
    action_capabilities = {
        "create": Capability.PROVIDER_OUTREACH_RECORD,
        "bulk": Capability.PROVIDER_OUTREACH_RECORD,
    }
    ordering = ("-attempted_at", "-id")

    def get_queryset(self):
        return selectors.provider_attempts(
            principal=self.request.principal, plan_code=self.request.query_params.get("plan")
        )

    def _engagements(self):
        return selectors.provider_engagements(principal=self.request.principal)

    @extend_schema(parameters=[PLAN_FILTER])
    def list(self, request):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        phi_read_record(principal=request.principal, path=request.get_full_path(), members=[row.member for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=AttemptInput, responses={201: AttemptOutput, 409: ATTEMPT_CONFLICTS})
    def create(self, request):
        """Record an attempt on one of your organization's engagements; the answer carries the verdict."""
        return attempt_create_response(request, engagement_of=lambda pk: self._engagements().filter(pk=pk).first())

    @extend_schema(request=AttemptBulkInput, responses={201: AttemptBulkOutput})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Record many attempts across your plans, all or nothing: 400 lists every error of every row
        at `attempts.<row index>.<field>` and records none. At most 1,000 rows and 12 MiB per request."""

        def plans_of(ids):
            return {engagement.pk: engagement.plan for engagement in self._engagements().filter(pk__in=ids)}

        return attempts_bulk_response(request, plans_of=plans_of)

    @extend_schema(parameters=[VerdictInput], responses=VerdictOutput)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def verdict(self, request):
        """Whether an attempt made this way would count and succeed, and why (DOMAIN 8; FAQ 19-20)."""
        return verdict_response(request)


ROUTES = [
    ("provider/outreach/engagements", ProviderEngagementViewSet, "provider-outreach-engagement"),
    ("provider/outreach/attempts", ProviderAttemptViewSet, "provider-outreach-attempt"),
]
