"""Helpers of the authorization API tests (DOMAIN 5, 6): a denied request, a request's status, a
POST at a frozen instant. Their fixtures (clients, a request under review) are in conftest.py."""

from django_scopes import scope, scopes_disabled

from authorizations.models import AuthorizationRequest, DenialReason
from authorizations.services import request_deny, request_start_review
from ecm_platform import clocks
from tests.authorizations.conftest import MONDAY


def denied(plan, coordinator, reviewer, member, make_request, at=MONDAY):
    """A self-referral denied at `at`, so it has a denial notice (DOMAIN 5.3)."""
    request = make_request(plan, coordinator.user, member, at=at)
    with scopes_disabled(), clocks.frozen(at):
        request_start_review(plan=plan, actor=reviewer.user, request=request)
        return request_deny(
            plan=plan, actor=reviewer.user, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="You do not meet a Population of Focus.",
        )  # fmt: skip


def status_of(plan, request_id) -> str:
    with scope(plan=plan):
        return AuthorizationRequest.objects.get(pk=request_id).status


def post(client, url, data=None, at=MONDAY):
    with clocks.frozen(at):
        return client.post(url, data or {}, format="json")
