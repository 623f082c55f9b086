"""The base of every plan API view: the plan scope is entered right after authentication.

DRF authenticates inside the view, after middleware, so the scope cannot come from middleware for
API keys. `dispatch` holds an ExitStack so the scope covers permissions, throttles, the handler and
error handling, and is always left again.
"""

from contextlib import ExitStack

from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from ecm_platform.audit.services import phi_read_record
from ecm_platform.tenancy.access import Capability, Principal
from ecm_platform.tenancy.authentication import INVALID, PlanApiKeyAuthentication, api_key_sent
from ecm_platform.tenancy.models import Membership, PlanApiKey
from ecm_platform.tenancy.scoping import plan_scope


def principal_membership(request) -> Membership | None:
    """The membership the request acts as: the API key's, else the browser session's. Any other
    credential (a provider key sent beside a plan session) acts as no plan membership: one request,
    one identity."""
    if isinstance(request.auth, PlanApiKey):
        return request.auth.membership
    if request.auth is None and request.user.is_authenticated:
        return getattr(request._request, "membership", None)
    return None


class PlanScopedMixin:
    """Views name the capability every action needs (`capability`) and, where actions differ,
    `action_capabilities = {action: capability}` (HasCapability checks them)."""

    capability: Capability | None = None
    action_capabilities: dict = {}

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def get_authenticators(self):
        # The plan API's callers hold plan keys: looked up first, in one query, not after a provider
        # key lookup. Any other key passes on to the other classes (a provider key, refused later
        # as no plan membership) and, accepted by none, is refused in perform_authentication.
        others = [auth for auth in super().get_authenticators() if not isinstance(auth, PlanApiKeyAuthentication)]
        return [PlanApiKeyAuthentication(passes_unknown_keys=True), *others]

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.auth is None and api_key_sent(request) is not None:
            raise exceptions.AuthenticationFailed(INVALID)
        request.membership = principal_membership(request)
        request.plan = request.membership.plan if request.membership else None
        request.principal = Principal.of_membership(request.membership) if request.membership else None
        if request.plan is not None:
            self._scope_stack.enter_context(plan_scope(request.plan))


class PlanAPIView(PlanScopedMixin, APIView):
    pass


class PlanViewSet(PlanScopedMixin, viewsets.GenericViewSet):
    pass


def service_response(request, *, payload_class, service, output_class, status_code=200, **arguments):
    """The shape of every write endpoint: validate the payload, call the service with the plan
    and the actor, serialize what it returns."""
    payload = payload_class(data=request.data, context={"request": request})
    payload.is_valid(raise_exception=True)
    result = service(plan=request.plan, actor=request.principal, **arguments, **payload.validated_data)
    return Response(output_class(result).data, status=status_code)


class PhiReadMixin:
    """Lists and details of member-level data: every response is recorded in the PHI access log,
    one row per member it shows. The listed objects are members or rows with a `member`; the
    viewset's queryset selects that member (`select_related`), so recording a page adds one INSERT
    and no query per row."""

    def list(self, request, *args, **kwargs):
        # DRF's ListModelMixin.list, keeping the page's objects: the log needs their members, which
        # the serialized data names only by id.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        data = self.get_serializer(rows, many=True).data
        phi_read_record(
            membership=request.membership,
            path=request.get_full_path(),
            members=[getattr(row, "member", row) for row in rows],
        )
        return Response(data) if page is None else self.get_paginated_response(data)

    def filter_queryset(self, queryset):
        # A detail names its row by its key within get_queryset() (the plan's rows): the list's
        # query-string filters have nothing to narrow there, and their FilterSet and form cost
        # ~0.5 ms a request to build (issue 15).
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def retrieve(self, request, *args, **kwargs):
        # DRF's RetrieveModelMixin.retrieve, keeping the object for the log: fetched once.
        record = self.get_object()
        data = self.get_serializer(record).data
        phi_read_record(
            membership=request.membership, path=request.get_full_path(), members=[getattr(record, "member", record)]
        )
        return Response(data)
