"""A presumptive-capable provider starts ECM itself, only where its contract allows (issue 13;
DOMAIN 5.1): through /api/v1/provider/presumptive-starts/, for its own organization only."""

import pytest
from rest_framework.test import APIClient

from authorizations import services
from authorizations.models import AuthorizationRequest, Status
from ecm_platform.audit.selectors import phi_accesses_naming
from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import ProviderRole
from ecm_platform.tenancy.scoping import across_plans
from providers.models import AwaitingAssignment, Contract, ContractService
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.authorizations.conftest import VALID_NPIS
from tests.factories import UserFactory

URL = "/api/v1/provider/presumptive-starts/"
pytestmark = pytest.mark.usefixtures("in_plan_a")


@pytest.fixture
def login(provider_a):
    def make(organization=None, role=ProviderRole.CARE_MANAGER):
        return provider_membership_create(
            actor=OPERATOR, organization=organization or provider_a, user=UserFactory(), role=role
        )

    return make


def client_of(provider_membership):
    _, raw_key = provider_api_key_issue(actor=OPERATOR, provider_membership=provider_membership, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def live_requests(member):
    with across_plans(reason="test: every request of the member"):
        return list(AuthorizationRequest.objects.filter(member=member).values_list("status", "requester_organization"))


def test_a_care_manager_starts_ecm_presumptively_for_a_plan_member(plan_a, provider_a, eligible_member_a, login):
    response = client_of(login()).post(URL, {"plan": plan_a.code, "cin": eligible_member_a.cin}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["plan"]["code"]) == (Status.PRESUMPTIVE, plan_a.code)
    assert set(body) == {"id", "plan", "status", "received_at", "presumptive_until", "due_at"}
    assert live_requests(eligible_member_a) == [(Status.PRESUMPTIVE, provider_a.pk)]


def test_without_a_presumptive_capable_contract_nothing_starts(plan_a, provider_a, eligible_member_a, login):
    with across_plans(reason="test"):
        Contract.objects.filter(organization=provider_a).update(is_presumptive_capable=False)
    response = client_of(login()).post(URL, {"plan": plan_a.code, "cin": eligible_member_a.cin}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "organization"
    assert live_requests(eligible_member_a) == []


def test_a_provider_with_no_place_left_cannot_start(plan_a, provider_a, eligible_member_a, login):
    # DOMAIN 5.2: a presumptive start assigns the presumptive provider, so none starts where it is
    # full; the member is not left on the awaiting-assignment list for another provider either
    with across_plans(reason="test"):
        ContractService.objects.filter(contract__organization=provider_a).update(capacity=0)
    response = client_of(login()).post(URL, {"plan": plan_a.code, "cin": eligible_member_a.cin}, format="json")
    assert response.status_code == 400
    assert (response.json()["errors"][0]["attr"], response.json()["errors"][0]["code"]) == (
        "organization", "no_capacity",
    )  # fmt: skip
    assert live_requests(eligible_member_a) == []
    with across_plans(reason="test"):
        assert not AwaitingAssignment.objects.filter(member=eligible_member_a).exists()


def test_a_plan_the_organization_does_not_contract_with_or_an_unknown_cin_is_refused(
    plan_a, plan_b, provider_a, eligible_member_a, login
):
    client = client_of(login())
    other_plan = client.post(URL, {"plan": plan_b.code, "cin": eligible_member_a.cin}, format="json")
    assert other_plan.status_code == 400 and other_plan.json()["errors"][0]["attr"] == "plan"
    unknown = client.post(URL, {"plan": plan_a.code, "cin": "99999999Z"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "unknown_member"
    assert live_requests(eligible_member_a) == []


def test_outreach_staff_and_plan_staff_may_not_use_the_provider_endpoint(
    plan_a, provider_a, eligible_member_a, login, make_membership, make_api_client
):
    payload = {"plan": plan_a.code, "cin": eligible_member_a.cin}
    assert client_of(login(role=ProviderRole.OUTREACH_STAFF)).post(URL, payload, format="json").status_code == 403
    coordinator = make_membership(plan_a)
    assert make_api_client(coordinator).post(URL, payload, format="json").status_code == 403
    assert live_requests(eligible_member_a) == []


def test_a_provider_acts_for_its_own_organization_only(plan_a, provider_a, make_provider, eligible_member_a, login):
    """The service itself refuses another organization's start (require with organization=)."""
    other = make_provider(plan_a, npi=VALID_NPIS[1])
    with across_plans(reason="test"):
        principal = Principal.of_provider_membership(login(organization=other), plan_ids=[plan_a.pk])
    with pytest.raises(ActionNotPermitted):
        services.request_start_presumptive(
            plan=plan_a, actor=principal, member=eligible_member_a, organization=provider_a
        )
    assert live_requests(eligible_member_a) == []


def test_a_refusal_names_neither_the_member_nor_their_open_request(
    plan_a, provider_a, eligible_member_a, login, coordinator_a
):
    # DOMAIN 5.1: one live request per member; the provider learns why (the code), not whose
    services.request_submit(plan=plan_a, actor=coordinator_a.user, member=eligible_member_a, source="self_referral")
    response = client_of(login()).post(URL, {"plan": plan_a.code, "cin": eligible_member_a.cin}, format="json")
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["code"] == "open_request_exists"
    assert eligible_member_a.last_name not in error["detail"] and "request" not in error["detail"].split()
    with across_plans(reason="test: the log"):
        assert phi_accesses_naming(eligible_member_a.pk).filter(path=URL).count() == 1


def test_provider_staff_stop_their_presumptive_start_at_the_members_request(
    plan_a, provider_a, eligible_member_a, login
):
    # DOMAIN 5.2 and 5.3: presumptive → withdrawn by provider staff; the member's discontinuation
    # notice is dated and effective the same day; outreach staff may not
    client = client_of(login())
    started = client.post(URL, {"plan": plan_a.code, "cin": eligible_member_a.cin}, format="json").json()
    url = f"{URL}{started['id']}/withdraw/"
    outreach = client_of(login(role=ProviderRole.OUTREACH_STAFF))
    assert outreach.post(url, {"reason": "member_declined"}, format="json").status_code == 403
    assert client.post(url, {"reason": "member_unreachable"}, format="json").status_code == 400
    response = client.post(url, {"reason": "member_declined"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, Status.WITHDRAWN)
    request = AuthorizationRequest.objects.get(pk=started["id"])
    notice = request.notices.get()
    assert (notice.notice_type, notice.notice_date, notice.effective_on) == (
        "discontinuation", request.discontinuation_effective_on, request.discontinuation_effective_on,
    )  # fmt: skip
