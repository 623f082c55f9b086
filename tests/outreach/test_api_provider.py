"""The ECM Provider's outreach API (DOMAIN 8): its staff see and work the outreach to the members
their contracting plans assigned to their organization, the plan on every row, across those plans;
another organization's engagement is 404 (the second tenancy axis), plan staff are refused and
provider keys are refused by the plan API; every read is in the PHI access log."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from authorizations.models import AuthorizationRequest, RequestSource, Status
from authorizations.services import request_approve, request_start_review, request_submit
from ecm_platform import clocks
from ecm_platform.audit.models import PhiAccessMember
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, ProviderRole, Role
from ecm_platform.tenancy.scoping import across_plans
from eligibility.models import PopulationOfFocus
from outreach.models import Attempt, Engagement, EngagementState
from providers.services import contract_create
from providers.staff import provider_api_key_issue, provider_membership_create
from tests.conftest import api_client_of, membership_of
from tests.factories import UserFactory, activated
from tests.outreach.test_api import attempt
from tests.outreach.world import MONDAY, NPIS, identified_member, lead_care_manager_named, organization_of, synced

ENGAGEMENTS = "/api/v1/provider/outreach/engagements/"
ATTEMPTS = "/api/v1/provider/outreach/attempts/"


def contract_with(plan, organization):
    activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=5, start_date=date(2025, 1, 1),
    ))  # fmt: skip


def assigned_to(plan, organization) -> Engagement:
    """DOMAIN 8: a member approved and assigned to `organization`, targeted by the job."""
    coordinator = membership_of(plan, Role.CARE_COORDINATOR).user
    reviewer = membership_of(plan, Role.REVIEWER).user
    member = identified_member(plan)
    with clocks.frozen(MONDAY):
        request = request_submit(plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL)
        request = request_start_review(plan=plan, actor=reviewer, request=request)
        request_approve(plan=plan, actor=reviewer, request=request, preferred_organization=organization)
    synced(plan)
    return Engagement.objects.get(plan=plan, member=member)


@pytest.fixture
def world(plan_a, plan_b):
    """Eastbay contracts with plans A and B, Other with plan A only; one assigned member each, and
    one member plan A identified (the plan's own outreach)."""
    eastbay = organization_of(plan_a)
    contract_with(plan_b, eastbay)
    other = organization_of(plan_a, npi=NPIS[1], name="Other ECM")
    return {
        "eastbay": eastbay,
        "own_a": assigned_to(plan_a, eastbay),
        "own_b": assigned_to(plan_b, eastbay),
        "other": assigned_to(plan_a, other),
        "identified": identified(plan_a),
    }


def identified(plan) -> Engagement:
    member = identified_member(plan)
    synced(plan)
    return Engagement.objects.get(plan=plan, member=member)


def provider_client(organization, role=ProviderRole.OUTREACH_STAFF) -> APIClient:
    login = provider_membership_create(actor=OPERATOR, organization=organization, user=UserFactory(), role=role)
    _, raw_key = provider_api_key_issue(actor=OPERATOR, provider_membership=login, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def eastbay_api(world):
    return provider_client(world["eastbay"])


def rows_of(model, **filters):
    with across_plans(reason="test assertion"):
        return list(model.objects.filter(**filters))


def test_the_organizations_outreach_across_its_plans_with_the_plan_on_every_row(world, eastbay_api):
    response = eastbay_api.get(ENGAGEMENTS)
    assert response.status_code == 200, response.content
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {world["own_a"].pk, world["own_b"].pk}
    assert rows[world["own_b"].pk]["plan"] == {"code": "plan-b", "name": "Bravo Health Plan"}
    assert (rows[world["own_a"].pk]["kind"], rows[world["own_a"].pk]["organization"]) == (
        "assigned", world["eastbay"].pk,
    )  # fmt: skip
    only_b = eastbay_api.get(f"{ENGAGEMENTS}?plan=plan-b").json()["results"]
    assert [row["id"] for row in only_b] == [world["own_b"].pk]
    logged = rows_of(PhiAccessMember, member_id__in=[world["own_a"].member_id, world["own_b"].member_id])
    assert len(logged) == 3


@pytest.mark.parametrize("whose", ["other", "identified"])
def test_another_organizations_engagement_is_missing(world, eastbay_api, whose):
    """The second tenancy axis: Other's engagement in the same plan, or the plan's own outreach to a
    member it identified, is 404 on every route."""
    other = world[whose]
    assert eastbay_api.get(f"{ENGAGEMENTS}{other.pk}/").status_code == 404
    for verb in ("enroll", "decline", "unreachable"):
        assert eastbay_api.post(f"{ENGAGEMENTS}{other.pk}/{verb}/", {}).status_code == 404
    recorded = eastbay_api.post(ATTEMPTS, attempt(other))
    assert (recorded.status_code, recorded.json()["errors"][0]["attr"]) == (400, "engagement")
    bulk = eastbay_api.post(f"{ATTEMPTS}bulk/", {"attempts": [attempt(other)]}, format="json")
    assert [error["attr"] for error in bulk.json()["errors"]] == ["attempts.0.engagement"]
    assert rows_of(Attempt) == []
    assert rows_of(Engagement, pk=other.pk)[0].state == EngagementState.OPEN
    assert rows_of(PhiAccessMember, member_id=other.member_id) == []


def test_the_provider_records_an_attempt_and_reads_the_detail(world, eastbay_api):
    """DOMAIN 8: the ECM Provider's staff reach out before services start; a live message counts."""
    own_b = world["own_b"]
    response = eastbay_api.post(ATTEMPTS, attempt(own_b, outcome="live_message"))
    assert response.status_code == 201, response.content
    assert (response.json()["counts"], response.json()["successful"]) == (True, False)
    detail = eastbay_api.get(f"{ENGAGEMENTS}{own_b.pk}/").json()
    assert (detail["plan"]["code"], detail["attempts_made"], detail["counting_attempts"]) == ("plan-b", 1, 1)
    assert detail["policy"]["met"] is False
    listed = eastbay_api.get(f"{ATTEMPTS}?counts=true").json()["results"]
    assert [(row["plan"]["code"], row["engagement"]) for row in listed] == [("plan-b", own_b.pk)]


def test_a_bulk_load_across_plans_is_all_or_nothing(world, eastbay_api):
    rows = [attempt(world["own_a"]), attempt(world["own_b"], method="in_person", outcome="live_message")]
    refused = eastbay_api.post(f"{ATTEMPTS}bulk/", {"attempts": rows}, format="json")
    assert [(e["attr"], e["code"]) for e in refused.json()["errors"]] == [("attempts.1.outcome", "impossible_outcome")]
    assert rows_of(Attempt) == []
    rows[1]["outcome"] = "reached_member"
    loaded = eastbay_api.post(f"{ATTEMPTS}bulk/", {"attempts": rows}, format="json")
    assert loaded.status_code == 201, loaded.content
    assert sorted(attempt.plan_id for attempt in rows_of(Attempt)) == sorted(
        [world["own_a"].plan_id, world["own_b"].plan_id]
    )


def test_enrolling_starts_services_and_declining_withdraws_the_request(world, eastbay_api):
    """DOMAIN 8: an approved member who agrees: the request's start-services transition; one who
    declines: the request is withdrawn, no NOA (5.3)."""
    with across_plans(reason="test fixture setup"):
        lead_care_manager_named(world["own_a"].plan, world["own_a"].member)
    enrolled = eastbay_api.post(f"{ENGAGEMENTS}{world['own_a'].pk}/enroll/", {})
    assert enrolled.status_code == 200, enrolled.content
    assert enrolled.json()["state"] == "enrolled"
    declined = eastbay_api.post(f"{ENGAGEMENTS}{world['own_b'].pk}/decline/", {"note": "Not interested"})
    assert declined.json()["state"] == "declined"
    statuses = {request.pk: request.status for request in rows_of(AuthorizationRequest)}
    assert statuses[world["own_a"].request_id] == Status.ACTIVE
    assert statuses[world["own_b"].request_id] == Status.WITHDRAWN


def test_plan_staff_are_refused_and_provider_keys_cannot_use_the_plan_api(plan_a, world, eastbay_api):
    plan_staff = api_client_of(membership_of(plan_a, Role.CARE_COORDINATOR))
    assert plan_staff.get(ENGAGEMENTS).status_code == 403
    assert plan_staff.post(ATTEMPTS, attempt(world["own_a"])).status_code == 403
    assert eastbay_api.get("/api/v1/outreach/engagements/").status_code == 403
    assert eastbay_api.post("/api/v1/outreach/attempts/", attempt(world["own_a"])).status_code == 403
    assert rows_of(Attempt) == []


def test_the_verdict_is_the_same_for_provider_staff(eastbay_api):
    response = eastbay_api.get(f"{ATTEMPTS}verdict/?method=robocall&outcome=prerecorded_message")
    assert (response.status_code, response.json()["counts"]) == (200, False)


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_lists_and_details_cost_a_bounded_number_of_queries(plan_a, plan_b, world, eastbay_api):
    eastbay_api.post(ATTEMPTS, attempt(world["own_a"]))
    paths = [ENGAGEMENTS, f"{ENGAGEMENTS}{world['own_a'].pk}/", ATTEMPTS]
    few = [_queries(eastbay_api, path) for path in paths]
    with across_plans(reason="test fixture setup"):
        more = [assigned_to(plan, world["eastbay"]) for plan in (plan_a, plan_b, plan_a)]
    for engagement in more:
        eastbay_api.post(ATTEMPTS, attempt(engagement))
    many = [_queries(eastbay_api, path) for path in paths]
    assert (many, max(many) <= 8) == (few, True)
