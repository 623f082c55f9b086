"""Isolation specs for the deadline registry (merged into test_isolation.py's specs): a plan B user
never sees plan A's clocks on the deadlines page, in the API list or a member's list; provider staff
are refused both (test_provider_isolation.py runs every plan route).

Plan A object: {deadline}, a running clock on {member}, owned by a capability every plan role holds,
so any role's list would show it if the plan wall failed.
"""

from datetime import UTC, datetime

from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind
from ecm_platform.deadlines.services import deadline_open
from ecm_platform.tenancy.access import Capability
from tests.isolation.harness import Call

PAGE_SPECS: dict = {
    "deadline-list": [
        Call("get", "/deadlines/"),
        Call("get", "/deadlines/?kind=decision&state=overdue"),
    ],
}
API_SPECS: dict = {
    ("GET", "/api/v1/deadlines/"): [
        Call("get", "/api/v1/deadlines/", lists="deadline"),
        Call("get", "/api/v1/deadlines/?member={member}", lists="deadline"),
        Call("get", "/api/v1/deadlines/?state=overdue", lists="deadline"),
    ],
}


def deadline_world(plan, member, name):
    """An overdue clock on the member, its label carrying the plan's marker."""
    with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
        deadline_open(
            plan=plan, kind=DeadlineKind.DECISION, target=member, due_at=datetime(2026, 11, 21, 18, tzinfo=UTC),
            owner=Capability.MEMBERS_READ, label=f"{name} decision due", link="/", member=member,
        )  # fmt: skip


def objects_of(plan) -> dict:
    with scopes_disabled():
        return {"deadline": Deadline.objects.filter(plan=plan).values_list("pk", flat=True).first()}
