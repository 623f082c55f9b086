"""The data migration that moves the letters' contact from AuthorizationSettings to the plan keeps
real values and drops the placeholder defaults (a plan left without a contact has its letters held).
The settings table is stood in for (its contact columns are gone from the current schema); the
plans are real rows."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django_scopes import scopes_disabled

from ecm_platform.tenancy.models import HealthPlan
from tests.factories import PlanFactory

migration = importlib.import_module("authorizations.migrations.0002_plan_contact_to_tenancy")


class StandInSettings:
    """AuthorizationSettings as it was before the move: rows with the two contact columns."""

    def __init__(self, rows):
        self.rows = rows
        self.objects = self

    def all(self):
        return self.rows

    def get_or_create(self, plan_id):
        row = next((row for row in self.rows if row.plan_id == plan_id), None)
        if row is None:
            row = SimpleNamespace(plan_id=plan_id, member_services_phone="", appeals_address="", save=lambda **_: None)
            self.rows.append(row)
        return row, False


def historical_apps(settings):
    models = {("authorizations", "AuthorizationSettings"): settings, ("tenancy", "HealthPlan"): HealthPlan}
    return SimpleNamespace(get_model=lambda app, model: models.get((app, model)) or django_apps.get_model(app, model))


@pytest.fixture
def plans(db):
    with scopes_disabled():
        return [PlanFactory(member_services_phone="", appeals_address="") for _ in range(3)]


def test_real_contacts_move_to_the_plan_and_placeholders_do_not(plans):
    real, placeholder, half = plans
    settings = StandInSettings(
        [
            SimpleNamespace(
                plan_id=real.pk, member_services_phone="1-800-555-0142", appeals_address="PO Box 1\nFresno, CA 93721"
            ),
            SimpleNamespace(
                plan_id=placeholder.pk,
                member_services_phone=migration.PLACEHOLDER_PHONE,
                appeals_address=migration.PLACEHOLDER_ADDRESS,
            ),
            SimpleNamespace(
                plan_id=half.pk, member_services_phone="1-877-555-0168", appeals_address=migration.PLACEHOLDER_ADDRESS
            ),
        ]
    )

    migration.copy_to_plans(historical_apps(settings), None)

    contacts = dict(HealthPlan.objects.values_list("pk", "member_services_phone"))
    addresses = dict(HealthPlan.objects.values_list("pk", "appeals_address"))
    assert (contacts[real.pk], addresses[real.pk]) == ("1-800-555-0142", "PO Box 1\nFresno, CA 93721")
    assert (contacts[placeholder.pk], addresses[placeholder.pk]) == ("", "")
    assert (contacts[half.pk], addresses[half.pk]) == ("1-877-555-0168", "")  # its letters wait for the address
    assert not HealthPlan.objects.get(pk=half.pk).has_letter_contact


def test_the_reverse_puts_the_plans_contact_back(plans):
    real, *_ = plans
    HealthPlan.objects.filter(pk=real.pk).update(member_services_phone="1-800-555-0142", appeals_address="")
    settings = StandInSettings([])

    migration.copy_to_settings(historical_apps(settings), None)

    [row] = settings.rows
    assert (row.plan_id, row.member_services_phone, row.appeals_address) == (
        real.pk,
        "1-800-555-0142",
        migration.PLACEHOLDER_ADDRESS,
    )
