"""/api/v1/outreach/attempts/: outreach attempts (DOMAIN 8) for plan staff and integrators, and the
pieces the provider API (provider_api.py) shares: the engagement and attempt shapes, the verdict and
the all-or-nothing bulk load.

Whether an attempt counts and whether it succeeded are `outreach.rules`' verdict, returned with
every attempt and never accepted as input; `verdict/` tells a form before saving. A bulk load checks
every row (types here, content in the service) and reports every error at
`attempts.<index>.<field>`; one bad row records nothing.
"""

from collections.abc import Callable, Mapping

import django_filters
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField, empty
from rest_framework.response import Response

from ecm_platform.api.filters import IdFilter
from ecm_platform.api.schema import conflict_response
from ecm_platform.api.views import PhiReadMixin, PlanViewSet
from ecm_platform.tenancy.access import Capability
from outreach import rules, selectors, services
from outreach.attempts import MAX_MINUTES
from outreach.models import Attempt, Engagement, EngagementState, Method, Outcome, TargetKind

MAX_NOTES = 2000
# The parsers' limit for a bulk load: the documented BULK_ROWS rows fit with notes at their longest,
# every character of them sent as a JSON \u escape (six bytes).
BULK_BYTES = 12 * 1024 * 1024


def choices_text(choices) -> str:
    return "One of: " + ", ".join(value for value, _ in choices) + "."


class EngagementOutput(serializers.ModelSerializer):
    # Plain strings: `kind`, `state` and `outcome` name other choice sets elsewhere in the API, and
    # each choice set has one name in the schema.
    kind = serializers.CharField(read_only=True, help_text=choices_text(TargetKind.choices))
    state = serializers.CharField(read_only=True, help_text=choices_text(EngagementState.choices))
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", default=None, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id", "member", "member_name", "kind", "state", "organization", "county", "targeted_on",
            "first_attempt_due", "request", "closed_at", "closed_by", "close_note", "other_programs_referred_at",
            "other_programs_note", "created_at",
        ]  # fmt: skip


class PolicyOutput(serializers.Serializer):
    met = serializers.BooleanField(help_text="Met: the member may be closed out as unable to reach (DOMAIN 8).")
    explanation = serializers.CharField()


class EngagementDetailOutput(EngagementOutput):
    """An engagement with its attempts so far (`with_attempt_counts`) and `policy`, the plan's attempt
    policy's status (selectors.engagement_policy_status), set on the engagement by the view."""

    attempts_made = serializers.IntegerField(read_only=True)
    counting_attempts = serializers.IntegerField(read_only=True, help_text="Attempts that count (DOMAIN 8).")
    policy = PolicyOutput(read_only=True, help_text="The plan's attempt policy (unable to reach), as of now.")

    class Meta(EngagementOutput.Meta):
        fields = [*EngagementOutput.Meta.fields, "attempts_made", "counting_attempts", "policy"]


class AttemptOutput(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text=choices_text(Outcome.choices))
    staff = serializers.CharField(source="staff.username", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", default=None, read_only=True)
    counts = serializers.BooleanField(read_only=True, help_text="Counts as outreach (DOMAIN 8): the rules' verdict.")
    successful = serializers.BooleanField(read_only=True, help_text="An actual interaction with the member.")
    count_reason = serializers.CharField(read_only=True, help_text="Why it counts or not, in words.")

    class Meta:
        model = Attempt
        fields = [
            "id", "engagement", "member", "organization", "staff", "attempted_at", "method", "asks_for_response",
            "outcome", "minutes", "notes", "counts", "successful", "count_reason", "recorded_at", "recorded_by",
        ]  # fmt: skip


class OutcomeField(serializers.CharField):
    """An outcome, checked here as a string (see EngagementOutput for why no enum)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=30, help_text=choices_text(Outcome.choices), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in Outcome.values:
            raise serializers.ValidationError(f'"{value}" is not a valid choice.', code="invalid_choice")
        return value


class CloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AttemptInput(serializers.Serializer):
    engagement = serializers.IntegerField(min_value=1, help_text="The outreach (engagement) the attempt belongs to.")
    attempted_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=Method.choices)
    asks_for_response = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="The message asked the member to respond: required for an email, a text or another electronic "
        "message, which count only when they do (DOMAIN 8); ignored for the other methods.",
    )  # fmt: skip
    outcome = OutcomeField()
    minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, help_text="Time spent.")
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")
    staff = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="",
        help_text="The username of who made the attempt; default: the caller.",
    )  # fmt: skip


class VerdictInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.choices)
    asks_for_response = serializers.BooleanField(required=False, allow_null=True, default=None)
    outcome = OutcomeField()

    def validate(self, data):
        if data["asks_for_response"] is None:
            if data["method"] in rules.WRITTEN_ELECTRONIC:
                raise serializers.ValidationError(
                    {"asks_for_response": [ErrorDetail(services.ASKS_FOR_RESPONSE_NEEDED, code="required")]}
                )
            data["asks_for_response"] = False
        if problem := rules.outcome_problem(data["method"], data["outcome"]):
            raise serializers.ValidationError({"outcome": [ErrorDetail(problem, code="impossible_outcome")]})
        return data


class VerdictOutput(serializers.Serializer):
    counts = serializers.BooleanField()
    successful = serializers.BooleanField()
    reason = serializers.CharField()


class AttemptBulkInput(serializers.Serializer):
    """Attempts to record, all or nothing."""

    attempts = AttemptInput(
        many=True,
        help_text=f"At most {services.BULK_ROWS:,} rows and {BULK_BYTES:,} bytes per request.",
    )


AttemptBulkOutput = inline_serializer(
    "OutreachAttemptBulkOutput", {"recorded": serializers.IntegerField(), "attempts": AttemptOutput(many=True)}
)

ATTEMPT_CONFLICTS = conflict_response("engagement_closed")
CLOSE_CONFLICTS = conflict_response("engagement_closed", "invalid_transition", "conflict")


def with_attempt_counts(engagements):
    """Each engagement's attempts so far, and how many of them count."""
    return engagements.annotate(
        attempts_made=Count("attempts"), counting_attempts=Count("attempts", filter=Q(attempts__counts=True))
    )


def verdict_response(request) -> Response:
    """Whether an attempt made so would count and succeed, and why (400 for an impossible outcome)."""
    payload = VerdictInput(data=request.query_params.dict())
    payload.is_valid(raise_exception=True)
    found = rules.verdict(**payload.validated_data)
    return Response(
        VerdictOutput({"counts": found.counts, "successful": found.successful, "reason": found.reason}).data
    )


def attempt_create_response(request, *, engagement_of: Callable[[int], Engagement | None]) -> Response:
    """Record one attempt on the engagement `engagement_of(id)` finds among the caller's (else 400)."""
    payload = AttemptInput(data=request.data)
    payload.is_valid(raise_exception=True)
    fields = dict(payload.validated_data)
    engagement = engagement_of(fields.pop("engagement"))
    if engagement is None:
        raise exceptions.ValidationError(
            {"engagement": [ErrorDetail("No such outreach among those you may see.", code="not_found")]}
        )
    username = fields.pop("staff")
    staff = get_user_model().objects.filter(username=username).first() if username else None
    if username and staff is None:
        message = services.not_staff_message(engagement, username)
        raise exceptions.ValidationError({"staff": [ErrorDetail(message, code="invalid_staff")]})
    attempt = services.attempt_record(
        plan=request.plan or engagement.plan, actor=request.principal, engagement=engagement, staff=staff, **fields
    )
    return Response(AttemptOutput(attempt).data, status=status.HTTP_201_CREATED)


def bulk_rows(data) -> list:
    """The request's `attempts`, refused before any row is read when it is no list, empty or too long."""
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError(
            {"non_field_errors": [ErrorDetail("Send an object with an `attempts` list.", code="invalid")]}
        )
    rows = data.get("attempts")
    if "attempts" not in data:
        refusal = ErrorDetail("This field is required.", code="required")
    elif rows is None:
        refusal = ErrorDetail("This field may not be null.", code="null")
    elif not isinstance(rows, list):
        refusal = ErrorDetail("Send the rows as a list.", code="not_a_list")
    elif not rows:
        refusal = ErrorDetail("Send at least one row.", code="empty")
    elif len(rows) > services.BULK_ROWS:
        refusal = ErrorDetail(
            f"Send at most {services.BULK_ROWS:,} rows per request ({len(rows):,} sent); nothing was checked.",
            code="max_length",
        )
    else:
        return rows
    raise exceptions.ValidationError({"attempts": [refusal]})


def _typed(index: int, row, errors: dict) -> dict:
    """The row's values the input types accept; each refused one's errors at `attempts.<index>.<field>`."""
    if not isinstance(row, Mapping):
        errors[f"attempts.{index}"] = [ErrorDetail("Send each row as an object.", code="invalid")]
        return {}
    typed = {}
    for name, field in AttemptInput().fields.items():
        try:
            typed[name] = field.run_validation(row.get(name, empty))
        except SkipField:
            continue
        except exceptions.ValidationError as refused:
            errors[f"attempts.{index}.{name}"] = refused.detail
    return typed


def attempts_bulk_response(request, *, plans_of: Callable[[set[int]], Mapping[int, object]]) -> Response:
    """Record the rows, all or nothing. `plans_of(engagement ids)` maps each engagement the caller may
    see to the plan its attempts are recorded in (an id left out: no such engagement for the caller);
    each plan's rows go to the service together, and the errors of all of them come back in one answer."""
    rows = bulk_rows(request.data)
    errors: dict[str, list] = {}
    typed = [_typed(index, row, errors) for index, row in enumerate(rows)]
    refused_here = set(errors)
    plans = plans_of({row["engagement"] for row in typed if "engagement" in row})
    groups: dict = {}
    for index, row in enumerate(typed):
        if "engagement" not in row:
            continue
        if row["engagement"] in plans:
            groups.setdefault(plans[row["engagement"]], []).append(index)
        else:
            errors[f"attempts.{index}.engagement"] = [
                ErrorDetail("No such outreach among those you may see.", code="not_found")
            ]
    recorded = []
    with transaction.atomic():
        for plan, indexes in groups.items():
            try:
                recorded += services.attempts_record_bulk(
                    plan=plan, actor=request.principal, rows=[typed[index] for index in indexes]
                )
            except services.BulkRowsInvalid as invalid:
                for error in invalid.errors:
                    attr = f"attempts.{indexes[error.row]}" + (f".{error.field}" if error.field else "")
                    if attr not in refused_here:  # the type error already says what is wrong
                        errors.setdefault(attr, []).append(ErrorDetail(error.message, code=error.code))
        if errors:
            # Raised inside the transaction: rows another plan's load saved are undone too.
            raise exceptions.ValidationError(dict(sorted(errors.items(), key=_row_order)))
    body = {"recorded": len(recorded), "attempts": AttemptOutput(recorded, many=True).data}
    return Response(body, status=status.HTTP_201_CREATED)


def _row_order(item) -> tuple:
    index, _, field = item[0].removeprefix("attempts.").partition(".")
    return int(index), field


class AttemptFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id")
    member = IdFilter(field_name="member_id")
    method = django_filters.ChoiceFilter(choices=Method.choices)
    counts = django_filters.BooleanFilter()
    successful = django_filters.BooleanFilter()
    attempted_from = django_filters.IsoDateTimeFilter(field_name="attempted_at", lookup_expr="gte")
    attempted_to = django_filters.IsoDateTimeFilter(field_name="attempted_at", lookup_expr="lte")


# The codes the service (outreach.attempts) and the checks here answer beside each field's own.
ATTEMPT_ERROR_CODES = {
    "engagement": ["not_found", "not_permitted", "engagement_closed"],
    "attempted_at": ["required", "future", "early"],
    "method": ["invalid_choice"],
    "outcome": ["invalid_choice", "impossible_outcome"],
    "minutes": ["out_of_range"],
    "asks_for_response": ["required"],
    "notes": ["too_long"],
    "staff": ["invalid_staff"],
}


# The verdict's query parameters are read by VerdictInput: its fields' codes, and the rules'.
TEXT_CODES = ["blank", "invalid", "max_length", "null", "null_characters_not_allowed", "required",
              "surrogate_characters_not_allowed"]  # fmt: skip
VERDICT_ERROR_CODES = {
    "method": ["invalid_choice", "null", "required"],
    "asks_for_response": ["invalid", "null"],
    "outcome": [*TEXT_CODES, "invalid_choice", "impossible_outcome"],
}


def attempt_validation_errors(viewset):
    """The schema's 400s of the attempt actions: the service's codes of each field (create, and each
    row of a bulk load), the bulk load's list-level errors (`attempts`) and a row that is no object
    (`attempts.INDEX`), and the verdict's impossible outcome."""
    for name, codes in ATTEMPT_ERROR_CODES.items():
        viewset = extend_validation_errors(codes, field_name=name, actions=["create"])(viewset)
        viewset = extend_validation_errors(codes, field_name=f"attempts.INDEX.{name}", actions=["bulk"])(viewset)
    viewset = extend_validation_errors(
        ["invalid", "not_a_list", "null", "required", "empty", "max_length"], field_name="attempts", actions=["bulk"]
    )(viewset)
    viewset = extend_validation_errors(["invalid"], field_name="attempts.INDEX", actions=["bulk"])(viewset)
    for name, codes in VERDICT_ERROR_CODES.items():
        viewset = extend_validation_errors(codes, field_name=name, actions=["verdict"])(viewset)
    return viewset


class BulkBodyMixin:
    @property
    def max_body_bytes(self) -> int | None:
        """The parsers' limit (ecm_platform/api/parsers.py): larger for a bulk load only."""
        return BULK_BYTES if getattr(self, "action", None) == "bulk" else None


@attempt_validation_errors
class AttemptViewSet(BulkBodyMixin, PhiReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    """Outreach attempts (DOMAIN 8), newest first, each with its verdict: whether it counts, whether
    it succeeded, and why. Every list and detail is in the PHI access log."""

    queryset = Attempt.objects.none()
    serializer_class = AttemptOutput
    filterset_class = AttemptFilter
    capability = Capability.OUTREACH_READ
    action_capabilities = {"create": Capability.OUTREACH_RECORD, "bulk": Capability.OUTREACH_RECORD}
    ordering = ("-attempted_at", "-id")

    def get_queryset(self):
        return selectors.attempt_list(plan=self.request.plan, principal=self.request.principal).select_related(
            "recorded_by"
        )

    def _engagement(self, pk):
        return selectors.engagement_list(plan=self.request.plan, principal=self.request.principal).filter(pk=pk).first()

    @extend_schema(request=AttemptInput, responses={201: AttemptOutput, 409: ATTEMPT_CONFLICTS})
    def create(self, request):
        """Record an attempt on an identified member's outreach (the plan's coordinators and integrators).
        The answer carries the verdict: counts, successful, count_reason."""
        return attempt_create_response(request, engagement_of=self._engagement)

    @extend_schema(request=AttemptBulkInput, responses={201: AttemptBulkOutput})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Record many attempts, all or nothing: 400 lists every error of every row at
        `attempts.<row index>.<field>` and records none. At most 1,000 rows and 12 MiB (12,582,912 bytes)
        per request: a longer list is refused before any row is read, a larger body is 413
        `request_too_large`."""
        return attempts_bulk_response(request, plans_of=lambda ids: dict.fromkeys(ids, request.plan))

    @extend_schema(parameters=[VerdictInput], responses=VerdictOutput)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def verdict(self, request):
        """Whether an attempt made this way would count and succeed, and why (DOMAIN 8; FAQ 19-20);
        400 at `outcome` for an outcome the method cannot have."""
        return verdict_response(request)
