"""The assignment lifecycle through the API (DOMAIN 7): contract edit and end, the awaiting-assignment
worklist and assigning later, vetting."""

from datetime import UTC, date, datetime

import pytest
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from providers.models import AwaitingAssignment, Contract
from providers.services import assignment_request
from tests.providers.test_assignments import contract, homeless_member, organization


@pytest.fixture
def admin_api(admin_a, make_api_client):
    return make_api_client(admin_a)


@pytest.fixture
def network(plan_a):
    """Provider 0 with one place, taken; a second member waiting for a provider."""
    with scopes_disabled():
        full = contract(plan_a, organization(plan_a, 0), capacity=1)
        occupant, waiting = homeless_member(plan_a), homeless_member(plan_a)
    return {"full": full, "occupant": occupant, "waiting": waiting}


def approve(api, member):
    return api.post("/api/v1/assignments/", {"member": member.pk, "authorized_on": "2026-11-20"}, format="json")


def test_the_awaiting_list_shows_days_waited_and_assigning_later_is_a_post(plan_a, admin_api, network):
    """DOMAIN 7: the member stays on an "awaiting assignment" worklist with the days waited; once a
    place exists, a POST assigns them (409 until then)."""
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        assert approve(admin_api, network["occupant"]).status_code == 201
        with scopes_disabled():
            assert (
                assignment_request(
                    plan=plan_a, actor=OPERATOR, member=network["waiting"], authorized_on=date(2026, 11, 20)
                )
                is None
            )
    with clocks.frozen(datetime(2026, 11, 30, 18, tzinfo=UTC)):
        listed = admin_api.get("/api/v1/awaiting-assignments/").json()["results"]
        assert [(row["member"], row["days_waited"], row["cause"]) for row in listed] == [
            (network["waiting"].pk, 10, "no_provider")
        ]
        refused = admin_api.post(f"/api/v1/awaiting-assignments/{listed[0]['id']}/assign/", {}, format="json")
        assert refused.status_code == 409
        assert "capacity left" in refused.json()["errors"][0]["detail"]
        raised = admin_api.patch(f"/api/v1/contracts/{network['full'].pk}/", {"capacity": 2}, format="json")
        assert (raised.status_code, raised.json()["capacity_left"]) == (200, 1)
        assigned = admin_api.post(f"/api/v1/awaiting-assignments/{listed[0]['id']}/assign/", {}, format="json")
        assert assigned.status_code == 201, assigned.json()
        assert assigned.json()["communication_due"].startswith("2026-12-14")  # 10 business days from today
        assert admin_api.get("/api/v1/awaiting-assignments/").json()["results"] == []


def test_ending_a_contract_through_the_api_puts_its_members_on_the_reassignment_worklist(plan_a, admin_api, network):
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        approve(admin_api, network["occupant"])
    with clocks.frozen(datetime(2027, 1, 29, 18, tzinfo=UTC)):
        ended = admin_api.post(
            f"/api/v1/contracts/{network['full'].pk}/end/", {"end_date": "2027-01-29"}, format="json"
        )
        assert (ended.status_code, ended.json()["end_date"]) == (200, "2027-01-29")
        rows = admin_api.get("/api/v1/awaiting-assignments/").json()["results"]
    assert [(row["member"], row["cause"]) for row in rows] == [(network["occupant"].pk, "contract_ended")]
    history = admin_api.get(f"/api/v1/assignments/?member={network['occupant'].pk}").json()["results"]
    assert [(row["ended_on"], row["end_reason"]) for row in history] == [("2027-01-29", "contract_ended")]


def test_who_may_see_and_act_on_the_lifecycle(plan_a, admin_api, network, make_membership, make_api_client):
    """Reviewers and coordinators see the worklist and assign later; contracts are the plan
    administrator's; a reporting analyst sees no member on the worklist."""
    reviewer = make_api_client(make_membership(plan_a, Role.REVIEWER))
    analyst = make_api_client(make_membership(plan_a, Role.REPORTING_ANALYST))
    assert approve(admin_api, network["occupant"]).status_code == 201  # the one place is taken
    with scopes_disabled():
        waiting = AwaitingAssignment.objects.create(
            plan=plan_a, member=network["waiting"], authorized_on=date(2026, 11, 20),
            cause=AwaitingAssignment.Cause.NO_PROVIDER, since=clocks.now(),
        )  # fmt: skip
    assert reviewer.get("/api/v1/awaiting-assignments/").status_code == 200
    assert analyst.get("/api/v1/awaiting-assignments/").status_code == 403
    assert reviewer.post(f"/api/v1/awaiting-assignments/{waiting.pk}/assign/", {}, format="json").status_code == 409
    assert reviewer.patch(f"/api/v1/contracts/{network['full'].pk}/", {"capacity": 5}, format="json").status_code == 403
    assert reviewer.post(f"/api/v1/contracts/{network['full'].pk}/end/", {"end_date": "2027-01-01"}).status_code == 403


def test_vetting_through_the_api(plan_a, admin_api, network):
    """DOMAIN 7: the criteria of the organization's pathway, each met or not for this plan."""
    org = network["full"].organization_id
    with scopes_disabled():  # a contract not yet activated
        Contract.objects.filter(pk=network["full"].pk).update(activated_on=None)
    before = admin_api.get(f"/api/v1/provider-organizations/{org}/vetting/").json()
    assert (before["complete"], len(before["criteria"])) == (False, 8)
    recorded = admin_api.post(
        f"/api/v1/provider-organizations/{org}/vetting-checks/",
        {"criterion": before["criteria"][0]["text"], "met_on": "2026-01-05"},
        format="json",
    )
    assert recorded.status_code == 201
    after = admin_api.get(f"/api/v1/provider-organizations/{org}/vetting/").json()
    assert after["criteria"][0]["met_on"] == "2026-01-05"
    refused = admin_api.post(f"/api/v1/contracts/{network['full'].pk}/activate/", {"activated_on": "2026-11-20"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "vetting_incomplete"
