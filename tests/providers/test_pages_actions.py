"""The provider actions in the browser (DOMAIN 7): override, Lead Care Manager, a member's change,
activating a contract, adding a care manager, and the assignment worklist past its first page.
Each page calls the service the API calls: the allowed role succeeds, the others get 403, the
service's refusals come back on the form (400), and an override asks once more."""

import re
from datetime import UTC, date, datetime

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.models import (
    Assignment,
    AssignmentRule,
    AwaitingAssignment,
    CareManager,
    Contract,
    ContractService,
    EnrollmentPathway,
    OrganizationType,
    ProviderChangeRequest,
)
from providers.selectors import vetting_criteria
from providers.services import (
    assignment_assign,
    assignment_request,
    care_manager_add,
    contract_create,
    organization_create,
    provider_change_request,
    vetting_check_record,
)
from tests.factories import activated, enrolled_member

pytestmark = pytest.mark.usefixtures("in_plan_a")

NPIS = ["1234567893", "1245319599", "1679576722"]
NOW = datetime(2026, 11, 23, 18, tzinfo=UTC)  # a Monday in Los Angeles
STAFF = [Role.CARE_COORDINATOR, Role.REVIEWER, Role.REPORTING_ANALYST, Role.PLAN_ADMINISTRATOR, Role.INTEGRATOR]


def provider(plan, number, capacity=10):
    organization = organization_create(
        plan=plan, actor=OPERATOR, npi=NPIS[number], tax_id=f"{number:09d}", name=f"Provider {number}",
        organization_type=OrganizationType.CBO, enrollment_pathway=EnrollmentPathway.MCP_VETTING,
    )  # fmt: skip
    activated(contract_create(
        plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
        pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")), capacity=capacity, start_date=date(2025, 1, 1),
    ))  # fmt: skip
    return organization


def assigned_member(plan, **fields):
    member = enrolled_member(plan, **fields)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        return assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR)


@pytest.fixture
def network(plan_a):
    """Provider 0 (capacity 10) serves the member; provider 1 has one place left, provider 2 none."""
    first, second, full = provider(plan_a, 0), provider(plan_a, 1, capacity=1), provider(plan_a, 2, capacity=1)
    assignment = assigned_member(plan_a, first_name="Mo", last_name="Moving")
    ContractService.objects.filter(contract__organization=full).update(capacity=0)
    return {"first": first, "second": second, "full": full, "assignment": assignment}


@pytest.fixture
def login(client, plan_a, make_membership):
    def as_role(role):
        client.force_login(make_membership(plan_a, role).user)
        return client

    return as_role


def post(client, url, data=None):
    with clocks.frozen(NOW):
        return client.post(url, data or {})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_assignment_page_shows_each_role_only_its_actions(network, login):
    # DOMAIN 7: coordinators record the Lead Care Manager and override; reviewers only look.
    url = f"/providers/assignments/{network['assignment'].pk}/"
    seen = {}
    for role in STAFF:
        with clocks.frozen(NOW):
            response = login(role).get(url)
        seen[role] = response.status_code
        if response.status_code == 200:
            page = text_of(response)
            seen[role] = ("Record the Lead Care Manager" in page, "Override…" in page)
    assert seen == {
        Role.CARE_COORDINATOR: (True, True),
        Role.REVIEWER: (False, False),
        Role.REPORTING_ANALYST: 403,
        Role.PLAN_ADMINISTRATOR: (True, True),
        Role.INTEGRATOR: 403,
    }


def test_a_coordinator_records_the_lead_care_manager(plan_a, network, login):
    # DOMAIN 7: "the Lead Care Manager is recorded", a person at the assigned provider.
    assignment = network["assignment"]
    manager = care_manager_add(plan=plan_a, actor=OPERATOR, organization=network["first"], name="Lee Manager")
    elsewhere = care_manager_add(plan=plan_a, actor=OPERATOR, organization=network["second"], name="Other Org")
    url = f"/providers/assignments/{assignment.pk}/lead-care-manager/"
    assert post(login(Role.REVIEWER), url, {"care_manager": manager.pk}).status_code == 403

    client = login(Role.CARE_COORDINATOR)
    refused = post(client, url, {"care_manager": elsewhere.pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in text_of(refused)
    response = post(client, url, {"care_manager": manager.pk})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).lead_care_manager == manager
    assert AuditEvent.objects.filter(code="providers.assignment.lead_care_manager_set").count() == 1
    with clocks.frozen(NOW):
        assert "Lee Manager is the member&#x27;s Lead Care Manager." in text_of(client.get(response.url))


def test_an_override_asks_once_more_then_moves_the_member(plan_a, network, login):
    # DOMAIN 7: a coordinator moves the member to another contracted provider, with a reason.
    assignment = network["assignment"]
    url = f"/providers/assignments/{assignment.pk}/override/"
    data = {"organization": network["second"].pk, "reason": "Closer to home"}
    assert post(login(Role.REVIEWER), url, data).status_code == 403

    client = login(Role.CARE_COORDINATOR)
    asked = post(client, url, data)
    assert asked.status_code == 200
    assert "Move Mo Moving from Provider 0 to Provider 1?" in text_of(asked) and "Yes, move the member" in text_of(
        asked
    )
    assert Assignment.objects.get(pk=assignment.pk).ended_on is None  # nothing happens unconfirmed

    done = post(client, url, data | {"confirmed": "yes"})
    assert done.status_code == 302
    current = Assignment.objects.get(member=assignment.member, ended_on__isnull=True)
    assert (current.organization, current.rule, current.reason) == (
        network["second"],
        AssignmentRule.OVERRIDE,
        "Closer to home",
    )
    assert done.url == f"/providers/assignments/{current.pk}/"
    assert Assignment.objects.get(pk=assignment.pk).ended_on == date(2026, 11, 23)


def test_an_override_the_service_refuses_is_shown_on_its_field(plan_a, network, login):
    assignment = network["assignment"]
    client = login(Role.PLAN_ADMINISTRATOR)
    url = f"/providers/assignments/{assignment.pk}/override/"
    refused = post(client, url, {"organization": network["full"].pk, "reason": "x", "confirmed": "yes"})
    assert refused.status_code == 400
    assert '<p class="error" role="alert">Provider 2 has no capacity left.</p>' in text_of(refused)
    missing_reason = post(client, url, {"organization": network["second"].pk, "reason": ""})
    assert missing_reason.status_code == 400
    assert Assignment.objects.get(pk=assignment.pk).ended_on is None


def test_a_members_change_is_recorded_and_implemented(plan_a, network, login):
    # DOMAIN 7: members may change provider at any time; implemented within 30 days where possible.
    assignment = network["assignment"]
    client = login(Role.CARE_COORDINATOR)
    response = post(
        client,
        f"/providers/assignments/{assignment.pk}/change/",
        {"organization": network["full"].pk, "requested_on": "2026-11-23"},
    )
    assert response.status_code == 302
    change = ProviderChangeRequest.objects.get(member=assignment.member)
    assert change.due.astimezone(clocks.LOCAL_ZONE).date() == date(2026, 12, 23)

    implement = f"/providers/changes/{change.pk}/implement/"
    assert post(login(Role.REVIEWER), implement).status_code == 403
    client = login(Role.CARE_COORDINATOR)
    post(client, implement)  # the full provider cannot take the member: refused, kept on the request
    with clocks.frozen(NOW):
        listed = text_of(client.get("/providers/changes/"))
    assert "Not implemented: Provider 2 has no capacity left." in listed
    assert "Not implemented on 2026-11-23: Provider 2 has no capacity left." in listed

    ContractService.objects.filter(contract__organization=network["full"]).update(capacity=1)
    post(client, implement)
    moved = Assignment.objects.get(member=assignment.member, ended_on__isnull=True)
    assert (moved.organization, moved.rule) == (network["full"], AssignmentRule.MEMBER_CHANGE)
    assert ProviderChangeRequest.objects.get(pk=change.pk).resolved_on == date(2026, 11, 23)


def test_the_change_list_is_for_the_worklist_roles(plan_a, network, login):
    provider_change_request(
        plan=plan_a, member=network["assignment"].member, organization=network["second"],
        requested_on=date(2026, 11, 21), actor=OPERATOR,
    )  # fmt: skip
    statuses = {}
    for role in STAFF:
        with clocks.frozen(NOW):
            response = login(role).get("/providers/changes/")
        statuses[role] = (response.status_code, "Implement" in text_of(response))
    assert statuses == {
        Role.CARE_COORDINATOR: (200, True),
        Role.REVIEWER: (200, False),
        Role.REPORTING_ANALYST: (403, False),
        Role.PLAN_ADMINISTRATOR: (200, True),
        Role.INTEGRATOR: (403, False),
    }


def test_the_plan_administrator_activates_a_contract(plan_a, network, login, make_membership):
    # DOMAIN 7: a contract is activated by the plan (once the organization's vetting is complete).
    contract = Contract.objects.get(organization=network["second"])
    Contract.objects.filter(pk=contract.pk).update(activated_on=None)  # a contract not yet activated
    url = f"/providers/contracts/{contract.pk}/activate/"
    assert post(login(Role.CARE_COORDINATOR), url, {"activated_on": "2026-11-23"}).status_code == 403

    client = login(Role.PLAN_ADMINISTRATOR)
    with clocks.frozen(NOW):
        assert client.get(url).status_code == 200
        assert "Activate…" in text_of(client.get(f"/providers/{network['second'].pk}/"))
    assert post(client, url, {"activated_on": ""}).status_code == 400
    # DOMAIN 7: a contract activates only once the organization's vetting is complete.
    unvetted = post(client, url, {"activated_on": "2026-11-23"})
    assert unvetted.status_code == 400
    assert "The vetting of Provider 1 is not complete: 8 criteria not recorded as met" in text_of(unvetted)
    criteria = list(vetting_criteria(organization=network["second"]))
    recorded = post(
        client, f"/providers/{network['second'].pk}/vetting/", {"criterion": criteria[0].text, "met_on": "2026-11-02"}
    )
    assert recorded.status_code == 302
    with clocks.frozen(NOW):
        profile = text_of(client.get(recorded.url))
    assert "Vetting check recorded." in profile and "To record before a contract activates:" in profile
    vetted_by = make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user
    for criterion in criteria[1:]:
        vetting_check_record(
            plan=plan_a, organization=network["second"], criterion=criterion.text, met_on=date(2026, 11, 2),
            actor=vetted_by,
        )  # fmt: skip
    activated = post(client, url, {"activated_on": "2026-11-23"})
    assert activated.status_code == 302
    assert Contract.objects.get(pk=contract.pk).activated_on == date(2026, 11, 23)
    again = post(client, url, {"activated_on": "2026-11-23"})
    assert again.status_code == 400
    assert '<p class="error" role="alert">The contract is active already.</p>' in text_of(again)


def test_coordinators_and_administrators_add_care_managers(plan_a, network, login):
    url = f"/providers/{network['first'].pk}/care-managers/new/"
    for role, status in [(Role.REVIEWER, 403), (Role.REPORTING_ANALYST, 403), (Role.CARE_COORDINATOR, 302)]:
        assert post(login(role), url, {"name": f"Added by {role}"}).status_code == status, role
    client = login(Role.PLAN_ADMINISTRATOR)
    bad = post(client, url, {"name": "Bad Email", "email": "not-an-email"})
    assert bad.status_code == 400
    assert "Enter a valid email address." in text_of(bad)
    assert list(CareManager.objects.filter(organization=network["first"]).values_list("name", flat=True)) == [
        "Added by care_coordinator"
    ]
    unknown = post(client, "/providers/999999/care-managers/new/", {"name": "Nobody"})
    assert unknown.status_code == 404


def test_the_assignment_worklist_reaches_rows_past_the_first_fifty(plan_a, login):
    # Rows past 50 of the worklist were unreachable (issue 14): the pager leads to them.
    provider(plan_a, 0, capacity=60)
    for number in range(51):
        assigned_member(plan_a, first_name="Paged", last_name=f"Row{number:02d}", cin=f"9{number:07d}A")
    client = login(Role.CARE_COORDINATOR)
    with clocks.frozen(NOW):
        first = text_of(client.get("/providers/assignments/"))
        # Keyset pages (issue 15): a "Next" link past the last row shown, no page count.
        after_fifty = re.search(r'href="\?(before=[\w-]+)">Next', first)[1]
        second = text_of(client.get(f"/providers/assignments/?{after_fifty}"))
    assert len(re.findall(r"Row\d\d,", first)) == 50
    assert "Page 1 of" not in first and "Previous" not in first
    assert len(re.findall(r"Row\d\d,", second)) == 1
    shown = set(re.findall(r"Row\d\d", first)) | set(re.findall(r"Row\d\d", second))
    assert len(shown) == 51


@pytest.fixture
def waiting(plan_a, network):
    """An authorized member in county 01 whom no provider could take on 2026-11-20."""
    ContractService.objects.filter(contract__plan=plan_a).update(capacity=0)
    member = enrolled_member(plan_a, first_name="Wai", last_name="Ting")
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan_a, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        assert assignment_request(plan=plan_a, actor=OPERATOR, member=member, authorized_on=date(2026, 11, 20)) is None
    return AwaitingAssignment.objects.get(member=member, resolved_at__isnull=True)


def test_the_awaiting_list_shows_the_days_waited_to_the_worklist_roles(waiting, login):
    # DOMAIN 7: an approved member with no provider stays on a worklist with the days waited.
    seen = {}
    for role in STAFF:
        with clocks.frozen(NOW):
            response = login(role).get("/providers/awaiting/")
        seen[role] = response.status_code
        if response.status_code == 200:
            page = text_of(response)
            seen[role] = ("Ting, Wai" in page and "3 days" in page, "Assign now" in page)
    assert seen == {
        Role.CARE_COORDINATOR: (True, True),
        Role.REVIEWER: (True, True),
        Role.REPORTING_ANALYST: 403,
        Role.PLAN_ADMINISTRATOR: (True, True),
        Role.INTEGRATOR: 403,
    }


def test_a_waiting_member_is_assigned_later_once_a_place_frees_up(plan_a, network, waiting, login):
    # DOMAIN 7: the communication clock starts when the assignment is made, not at authorization.
    url = f"/providers/awaiting/{waiting.pk}/assign/"
    prefix = f"waiting-{waiting.pk}"
    assert post(login(Role.REPORTING_ANALYST), url).status_code == 403
    client = login(Role.REVIEWER)
    still = post(client, url, {f"{prefix}-organization": network["second"].pk, f"{prefix}-reason": "Near"})
    assert still.status_code == 400
    assert "Provider 1 cannot take the member now; they stay on the list." in text_of(still)
    assert not Assignment.objects.filter(member=waiting.member).exists()

    ContractService.objects.filter(contract__organization=network["second"]).update(capacity=1)
    done = post(client, url, {f"{prefix}-organization": network["second"].pk, f"{prefix}-reason": "Near"})
    assignment = Assignment.objects.get(member=waiting.member, ended_on__isnull=True)
    assert done.status_code == 302 and done.url == f"/providers/assignments/{assignment.pk}/"
    assert assignment.organization == network["second"]
    assert clocks.local_date(assignment.communication_due) > date(2026, 12, 4)  # 10 business days from 11-23
    assert AwaitingAssignment.objects.get(pk=waiting.pk).resolved_at is not None
    with clocks.frozen(NOW):
        assert "No authorized member is waiting for a provider." in text_of(client.get("/providers/awaiting/"))


def test_the_plan_administrator_edits_a_contracts_terms(plan_a, network, login):
    # DOMAIN 7: providers declare counties, POFs and capacity; capacity respects the assignments.
    contract = Contract.objects.get(organization=network["first"])
    url = f"/providers/contracts/{contract.pk}/edit/"
    terms = {
        "counties": County.objects.get(code="01").pk,
        "pofs": PopulationOfFocus.objects.get(code="HOMELESS").pk,
        "capacity": "4",
    }
    assert post(login(Role.CARE_COORDINATOR), url, terms).status_code == 403
    client = login(Role.PLAN_ADMINISTRATOR)
    with clocks.frozen(NOW):
        assert 'value="10"' in text_of(client.get(url))  # the current terms, to change
    assert post(client, url, terms | {"capacity": "0"}).status_code == 400  # the form's own floor
    saved = post(client, url, terms)
    assert saved.status_code == 302, re.findall(r'role="alert">([^<]*)', text_of(saved))
    updated = Contract.objects.get(pk=contract.pk)
    assert (updated.lines.get().capacity, updated.is_presumptive_capable) == (4, False)  # its ECM line
    assigned_member(plan_a, first_name="Second", last_name="Member", cin="98888888A")  # two assigned now
    refused = post(client, url, terms | {"capacity": "1"})
    assert refused.status_code == 400
    assert (
        '<p class="error" role="alert">2 members are assigned under the contract&#x27;s Enhanced Care Management '
        "line today; end or move them before lowering its capacity to 1.</p>"
    ) in text_of(refused)
    assert Contract.objects.get(pk=contract.pk).lines.get().capacity == 4


def test_ending_a_contract_asks_once_more_then_moves_its_members(plan_a, network, login):
    # DOMAIN 7: when a contract ends its members are reassigned by the same order.
    contract = Contract.objects.get(organization=network["first"])
    url = f"/providers/contracts/{contract.pk}/end/"
    assert post(login(Role.REVIEWER), url, {"end_date": "2026-11-23"}).status_code == 403
    client = login(Role.PLAN_ADMINISTRATOR)
    assert post(client, url, {"end_date": "2024-01-01", "confirmed": "yes"}).status_code == 400  # before its start
    asked = post(client, url, {"end_date": "2026-11-23"})
    assert asked.status_code == 200
    assert "End it on 2026-11-23?" in text_of(asked)
    assert "<dt>Members assigned under it</dt><dd>1: each is reassigned" in text_of(asked)
    assert Contract.objects.get(pk=contract.pk).end_date is None  # nothing happens unconfirmed

    assert post(client, url, {"end_date": "2026-11-23", "confirmed": "yes"}).status_code == 302
    assert Contract.objects.get(pk=contract.pk).end_date == date(2026, 11, 23)
    member = network["assignment"].member
    assert Assignment.objects.get(pk=network["assignment"].pk).ended_on == date(2026, 11, 23)
    assert Assignment.objects.get(member=member, ended_on__isnull=True).organization == network["second"]
