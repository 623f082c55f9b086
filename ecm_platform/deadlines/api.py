"""/api/v1/deadlines/: the running clocks the caller's role owns, or one member's (ARCHITECTURE,
Deadlines), the soonest due first."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from ecm_platform import clocks
from ecm_platform.api.filters import IdFilter
from ecm_platform.api.views import PlanViewSet
from ecm_platform.audit.services import phi_read_record
from ecm_platform.deadlines import selectors
from ecm_platform.deadlines.models import LIVE_STATES, Deadline, DeadlineKind, DeadlineState
from ecm_platform.tenancy.access import Capability


class DeadlineOutput(serializers.ModelSerializer):
    state = serializers.ChoiceField(
        source="live_state", choices=[(s.value, s.label) for s in LIVE_STATES], read_only=True,
        help_text="Where the clock stands now: at risk with less than 24 hours left (DOMAIN 5.1), overdue past due_at.",
    )  # fmt: skip
    target_type = serializers.SerializerMethodField(help_text="What the clock is on, as app_label.model.")

    class Meta:
        model = Deadline
        fields = ["id", "kind", "label", "link", "member", "target_type", "target_id", "owner", "due_at", "state",
                  "opened_at"]  # fmt: skip

    @extend_schema_field(serializers.CharField())
    def get_target_type(self, deadline) -> str:
        content_type = ContentType.objects.get_for_id(deadline.target_type_id)  # cached per process
        return f"{content_type.app_label}.{content_type.model}"


class DeadlineFilter(django_filters.FilterSet):
    # Declared explicitly: Meta.fields on a scoped model queries at import (TRAPS.md).
    member = IdFilter(
        method="of_member",
        help_text="Every running clock of this member, whoever owns it (as on the member page), "
        "instead of the caller's own.",
    )
    kind = django_filters.ChoiceFilter(choices=DeadlineKind.choices)
    state = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in LIVE_STATES], method="in_state", help_text="As of now."
    )

    def of_member(self, queryset, name, value):
        # Declared first, so the kind and state filters narrow the member's clocks too.
        return selectors.deadlines_of_member(plan=self.request.plan, member=value)

    def in_state(self, queryset, name, value):
        return selectors.deadlines_in_state(queryset, state=DeadlineState(value), now=clocks.now())


class DeadlineViewSet(mixins.ListModelMixin, PlanViewSet):
    """The running clocks the caller's role owns (those of the capabilities it holds), the soonest
    due first; or, with `member`, that member's."""

    queryset = Deadline.objects.none()
    serializer_class = DeadlineOutput
    filterset_class = DeadlineFilter
    capability = Capability.DEADLINES_READ
    ordering = ("due_at", "id")

    def get_queryset(self):
        return selectors.deadlines_owned_by(plan=self.request.plan, principal=self.request.principal)

    def list(self, request, *args, **kwargs):
        # DRF's list, keeping the page's rows: each gets its state now, and the log their members.
        rows = selectors.with_live_states(
            self.paginate_queryset(self.filter_queryset(self.get_queryset())), clocks.now()
        )
        phi_read_record(
            membership=request.membership, path=request.get_full_path(), members=[r.member for r in rows if r.member]
        )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


ROUTES = [("deadlines", DeadlineViewSet, "deadline")]
