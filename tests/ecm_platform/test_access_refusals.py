"""Every write service refuses a principal without the capability first, with nothing written
(ARCHITECTURE.md, Access: services are safe to call from any entry point).

Services are found, not listed: every public function of the apps that takes a keyword-only
`actor`. The lifecycle transitions check the state first (409 for anyone, DOMAIN 5.2) and are
refused per role in tests/authorizations/test_lifecycle.py (test_roles_take_only_their_own_transitions).
"""

import importlib
import inspect
import pkgutil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform.errors import ActionNotPermitted
from ecm_platform.tenancy.access import Principal
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import across_plans, plan_scope

APPS = ["ecm_platform", "benefits", "members", "eligibility", "providers", "authorizations", "outreach",
        "community_supports", "reporting"]  # fmt: skip
ENTRY_POINTS = {"views", "api", "admin", "forms", "tests", "migrations", "management", "provider_api", "urls"}
TRANSITIONS_CHECKED_BY_STATE_FIRST = {
    "request_start_review", "request_resume", "request_extend", "request_approve", "request_deny",
    "request_withdraw", "request_start_services", "request_discontinue", "request_overturn",
}  # fmt: skip
WRITES = ("INSERT", "UPDATE", "DELETE")
# Not actions: the trail of an action already allowed (audit_record), the unsaved rows a set-based
# import builds after its own check (issue 15), and a job's work, which runs as the principal that
# started it and calls a checked service (transition_import), and a signal's receiver, which runs
# inside the checked action that sent it (an election removal, DOMAIN 9).
NOT_ACTIONS = {
    "audit_record", "audit_event", "assignment_new", "assignment_created_event", "transition_import_job",
    "on_election_removed",
}  # fmt: skip


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ENTRY_POINTS.isdisjoint(info.name.split(".")):
                yield importlib.import_module(info.name)


def write_services():
    found = {}
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameters = inspect.signature(function).parameters
            actor = parameters.get("actor")
            if (
                function.__module__ == module.__name__
                and not name.startswith("_")
                and actor is not None
                and actor.kind is inspect.Parameter.KEYWORD_ONLY
                and name not in TRANSITIONS_CHECKED_BY_STATE_FIRST
                and name not in NOT_ACTIONS
            ):
                found[f"{module.__name__}.{name}"] = function
    return found


SERVICES = write_services()


def test_the_services_are_found():
    assert len(SERVICES) > 40
    assert "authorizations.services.requests.request_submit" in SERVICES
    assert "members.services.member_create" in SERVICES


def _call_with_placeholders(function, *, plan, actor):
    arguments = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "plan":
            arguments[name] = plan
        elif name == "actor":
            arguments[name] = actor
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty:
            arguments[name] = None  # never reached: the check comes first
    return function(**arguments)


# A reporting analyst holds no write capability but building reports (DOMAIN 1), which a reviewer
# may not do.
WITHOUT_THE_CAPABILITY = {"outreach.measure_runs.measure_run_build": Role.REVIEWER}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_principal_without_the_capability_is_refused_with_nothing_written(name, plan_a, make_membership):
    role = WITHOUT_THE_CAPABILITY.get(name, Role.REPORTING_ANALYST)
    principal = Principal.of_membership(make_membership(plan_a, role))
    with plan_scope(plan_a), CaptureQueriesContext(connection) as queries, pytest.raises(ActionNotPermitted) as refused:
        _call_with_placeholders(SERVICES[name], plan=plan_a, actor=principal)
    assert refused.value.status_code == 403
    writes = [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_another_plans_administrator_is_refused(name, plan_a, plan_b, admin_b):
    """A principal of plan B holds nothing in plan A, whatever its role there."""
    with plan_scope(plan_a), pytest.raises(ActionNotPermitted):
        _call_with_placeholders(SERVICES[name], plan=plan_a, actor=Principal.of_membership(admin_b))


def test_a_system_principal_holds_only_its_capabilities(plan_a):
    from eligibility.scan import scan_job

    job = scan_job(plan_a)
    with across_plans(reason="test"), pytest.raises(ActionNotPermitted):
        SERVICES["members.services.member_create"](plan=plan_a, actor=job)
