"""A contract activates only once the organization's vetting is complete for the plan (DOMAIN 7)."""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as installed_apps

from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR, Capability
from ecm_platform.tenancy.scoping import plan_scope
from providers.models import AwaitingAssignment, Contract, ContractService, EnrollmentPathway, VettingCriterion
from providers.selectors import vetting_criteria, vetting_missing
from providers.services import assignment_request, contract_activate, vetting_check_record
from tests.authorizations.conftest import provider  # noqa: F401 (a fixture)
from tests.authorizations.helpers import start_presumptive
from tests.providers.test_assignments import contract, homeless_member, organization

LA = ZoneInfo("America/Los_Angeles")
pytestmark = pytest.mark.usefixtures("in_plan_a")
seed_migration = importlib.import_module("providers.migrations.0006_vetting_criteria")
orientation_migration = importlib.import_module("providers.migrations.0008_contract_orientation_completed")


def record_all(plan, org, reviewer, skip=0):
    for criterion in list(vetting_criteria(organization=org))[skip:]:
        vetting_check_record(
            plan=plan, organization=org, criterion=criterion.text, met_on=date(2026, 1, 5), actor=reviewer
        )


def test_the_policy_guide_vii_criteria_are_data_per_pathway(plan_a):
    """DOMAIN 7: the Policy Guide VII criteria are a data list (seeded), the enrollment pathway's own."""
    vetted = list(VettingCriterion.objects.filter(pathway=EnrollmentPathway.MCP_VETTING).values_list("code", flat=True))
    assert vetted == [
        "referrals", "experience", "claims", "business_licensing", "reporting", "fraud_waste_abuse",
        "criminal_history", "liability_claims",
    ]  # fmt: skip
    assert VettingCriterion.objects.filter(pathway=EnrollmentPathway.STATE_MEDI_CAL).count() == 2


def test_a_contract_activates_only_with_every_criterion_recorded_as_met(plan_a, admin_a):
    """DOMAIN 7: "a contract is activated only when the organization's vetting is complete for that plan"."""
    org = organization(plan_a, 0)  # vetted by the plan: eight criteria
    agreement = contract(plan_a, org, active=False)
    record_all(plan_a, org, admin_a.user, skip=1)
    with pytest.raises(DomainError, match="1 criteria not recorded as met") as refused:
        contract_activate(plan=plan_a, contract=agreement, activated_on=date(2026, 11, 20), actor=OPERATOR)
    assert refused.value.code == "vetting_incomplete"
    record_all(plan_a, org, admin_a.user)
    activated = contract_activate(plan=plan_a, contract=agreement, activated_on=date(2026, 11, 20), actor=OPERATOR)
    assert activated.activated_on == date(2026, 11, 20)


def test_vetting_is_per_plan(plan_a, plan_b, admin_a):
    org = organization(plan_a, 0)
    record_all(plan_a, org, admin_a.user)
    assert vetting_missing(plan=plan_a, organization=org) == []
    with plan_scope(plan_b):
        assert len(vetting_missing(plan=plan_b, organization=org)) == 8


def test_an_unknown_criterion_is_refused(plan_a):
    with pytest.raises(DomainError, match="Choose one of the vetting criteria"):
        vetting_check_record(
            plan=plan_a, organization=organization(plan_a, 0), criterion="Nice website", met_on=date(2026, 1, 5),
            actor=OPERATOR,
        )  # fmt: skip


def test_contracts_active_before_the_guard_are_marked_with_a_vetting_clock_met_on_completion(plan_a, admin_a):
    """DOMAIN 7: contracts active before this rule are marked "vetting to complete", a deadline on
    the plan administrator, not deactivated; recording the last criterion meets it."""
    org = organization(plan_a, 0)
    agreement = contract(plan_a, org, active=False)
    Contract.objects.filter(pk=agreement.pk).update(activated_on=date(2025, 1, 1))  # active under the old rule
    seed_migration.seed(installed_apps, None)
    agreement.refresh_from_db()
    assert (agreement.vetting_to_complete, agreement.activated_on) == (True, date(2025, 1, 1))
    clock = Deadline.objects.get(kind=DeadlineKind.VETTING, target_id=agreement.pk)
    assert (clock.owner, clock.state) == (Capability.PROVIDERS_MANAGE, DeadlineState.OPEN)
    record_all(plan_a, org, admin_a.user)
    agreement.refresh_from_db()
    clock.refresh_from_db()
    assert (agreement.vetting_to_complete, clock.state) == (False, DeadlineState.MET)


def test_a_contract_already_vetted_is_not_marked(plan_a, admin_a):
    org = organization(plan_a, 0)
    agreement = contract(plan_a, org, active=False)
    record_all(plan_a, org, admin_a.user)
    Contract.objects.filter(pk=agreement.pk).update(activated_on=date(2025, 1, 1))
    seed_migration.seed(installed_apps, None)
    agreement.refresh_from_db()
    assert agreement.vetting_to_complete is False
    assert not Deadline.objects.filter(kind=DeadlineKind.VETTING).exists()


def test_orientations_owed_before_the_registry_become_clocks_once(plan_a):
    """DOMAIN 7: a Community Supports provider activated before the registry still owes its
    orientation: the data migration opens that clock (once), on the plan administrator."""
    agreement = contract(plan_a, organization(plan_a, 0), active=False)
    due = datetime(2026, 12, 8, 23, 59, 59, tzinfo=ZoneInfo("America/Los_Angeles"))
    Contract.objects.filter(pk=agreement.pk).update(activated_on=date(2026, 11, 20), orientation_due=due)
    ContractService.objects.filter(contract=agreement).update(service=service_get("respite"))
    orientation_migration.register(installed_apps, None)
    orientation_migration.register(installed_apps, None)
    clock = Deadline.objects.get(kind=DeadlineKind.ORIENTATION, target_id=agreement.pk)
    assert (clock.due_at, clock.owner, clock.state) == (due, Capability.PROVIDERS_MANAGE, DeadlineState.OPEN)


def test_a_contract_never_activated_takes_no_member_until_its_activation_day(plan_a):
    """DOMAIN 7: "a contract is activated only when the organization's vetting is complete": one in
    its dates but never activated takes no member, by the order or named, until its activation day."""
    org = organization(plan_a, 0)
    agreement = contract(plan_a, org, active=False)
    member = homeless_member(plan_a)
    with clocks.frozen(datetime(2026, 11, 20, 10, tzinfo=LA)):
        assert assignment_request(plan=plan_a, actor=OPERATOR, member=member, authorized_on=date(2026, 11, 20)) is None
        named = assignment_request(
            plan=plan_a, actor=OPERATOR, member=member, authorized_on=date(2026, 11, 20), organization=org
        )
        assert named is None
    assert AwaitingAssignment.objects.filter(member=member, resolved_at__isnull=True).exists()
    Contract.objects.filter(pk=agreement.pk).update(activated_on=date(2026, 11, 23))
    with clocks.frozen(datetime(2026, 11, 23, 10, tzinfo=LA)):
        assignment = assignment_request(plan=plan_a, actor=OPERATOR, member=member, authorized_on=date(2026, 11, 20))
    assert assignment.contract == agreement


def test_a_provider_whose_contract_was_never_activated_cannot_start_presumptively(plan_a, provider):  # noqa: F811
    """DOMAIN 7 (activation after vetting) and 5.1: presumptive authorization needs a contract in force."""
    Contract.objects.filter(organization=provider).update(activated_on=None)
    with pytest.raises(DomainError, match="no contract in force that allows presumptive authorization"):
        start_presumptive(plan_a, homeless_member(plan_a), provider)
