"""Fail-closed tenancy (ARCHITECTURE.md, Tenancy)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import ScopeError, scope

from ecm_platform.calendars.models import Holiday, HolidayCalendarYear
from ecm_platform.calendars.tasks import holiday_calendar_extend
from ecm_platform.errors import CrossPlanReference
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import HealthPlan, Membership, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import api_key_issue


def test_a_query_on_a_plan_owned_model_outside_a_scope_raises(plan_a):
    with pytest.raises(ScopeError):
        list(Holiday.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(plan=plan_a).count()


def test_the_scope_shows_only_its_plans_rows(plan_a, plan_b):
    with plan_scope(plan_a):
        plans = set(Holiday.objects.values_list("plan", flat=True).distinct())
    assert plans == {plan_a.pk}


def test_plan_scope_refuses_none_which_django_scopes_would_treat_as_every_plan(plan_a, plan_b):
    with pytest.raises(ValueError), plan_scope(None):
        pass
    with pytest.raises(ValueError), plan_scope(HealthPlan(code="unsaved")):
        pass
    # Why: a raw None scope is "no filter" in django-scopes. On PostgreSQL the second wall (row-level
    # security) reads it as no plan and shows nothing.
    every_plan = set() if connection.vendor == "postgresql" else {plan_a.pk, plan_b.pk}
    with scope(plan=None):
        assert set(Holiday.objects.values_list("plan", flat=True).distinct()) == every_plan


def test_a_task_runs_in_the_scope_of_the_plan_it_is_given(plan_a):
    with plan_scope(plan_a):
        Holiday.objects.all().delete()
        HolidayCalendarYear.objects.all().delete()
    copied = holiday_calendar_extend.delay(plan_id=plan_a.pk).get()
    assert len(copied) == 2
    with pytest.raises(ScopeError):
        Holiday.objects.count()  # the task left its scope


def test_a_task_for_a_vanished_plan_is_a_no_op(db):
    assert holiday_calendar_extend.delay(plan_id=987654).get() is None


def test_commands_need_an_existing_plan(db):
    with pytest.raises(CommandError, match="No plan"):
        call_command("apikey_revoke", "--plan", "nope", "--prefix", "x")


def test_an_api_key_cannot_be_bound_to_another_plans_membership(plan_a, plan_b, make_membership):
    # A child row's plan equals its parent's: scoped managers do not guard forward keys.
    membership_b = make_membership(plan_b, Role.INTEGRATOR)
    with plan_scope(plan_a), pytest.raises(CrossPlanReference):
        api_key_issue(plan=plan_a, membership=membership_b, name="sneaky", actor=OPERATOR)
