"""The data migration that moves the running authorization clocks into the deadline registry
(ARCHITECTURE, Deadlines): open decisions keep the state the old monitor had told (no owner is told
twice), unacknowledged and unresolved appeals and grievances and reassessments due get their
clocks, decided requests get none. The requests table is stood in for where the old monitor's
stamps are read (those columns are gone from the current schema); the rows are real."""

import importlib
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from authorizations import services
from authorizations.models import AuthorizationRequest, DenialReason, NoticeType, RequestSource
from ecm_platform import clocks
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.tenancy.models import Role
from tests.authorizations.helpers import homeless_member, in_review, submit
from tests.factories import enrolled_member

migration = importlib.import_module("authorizations.migrations.0006_decision_clocks_in_the_deadline_registry")
LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)

pytestmark = pytest.mark.usefixtures("in_plan_a")


class StandInRequests:
    """AuthorizationRequest as it was before: its real rows, with the old monitor's two stamps."""

    def __init__(self, stamps: dict):
        self.stamps, self.objects = stamps, self

    def filter(self, **lookups):
        rows = AuthorizationRequest.objects.filter(**lookups)
        return SimpleNamespace(select_related=lambda *fields: self._stamped(rows.select_related(*fields)))

    def _stamped(self, rows):
        rows = list(rows)
        for row in rows:
            row.at_risk_notified_at, row.overdue_notified_at = self.stamps.get(row.pk, (None, None))
        return rows


def historical_apps(stamps):
    requests = StandInRequests(stamps)
    return SimpleNamespace(
        get_model=lambda app, model: requests if model == "AuthorizationRequest" else django_apps.get_model(app, model)
    )


def test_running_clocks_move_into_the_registry_with_the_state_already_told(plan_a, make_membership):
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
    reviewer = make_membership(plan_a, Role.REVIEWER).user
    with clocks.frozen(MONDAY):
        told_overdue, told_at_risk, quiet = (submit(plan_a, coordinator, homeless_member(plan_a)) for _ in range(3))
        denied = in_review(plan_a, coordinator, reviewer, enrolled_member(plan_a), source=RequestSource.SELF_REFERRAL)
        services.request_deny(plan=plan_a, actor=reviewer, request=denied, reason=DenialReason.OTHER, explanation="x")
        notice = denied.notices.get(notice_type=NoticeType.DENIAL)
        appeal = services.appeal_file(plan=plan_a, actor=coordinator, notice=notice, reason="x")
        services.appeal_acknowledge(plan=plan_a, actor=coordinator, appeal=appeal)
        services.transition_import(
            plan=plan_a, actor=coordinator, rows=[{"cin": homeless_member(plan_a).cin, "program": "wpc",
                                                   "transition_date": "2026-06-01"}],
        )  # fmt: skip
    Deadline.objects.all().delete()  # as before the registry existed
    stamps = {told_overdue.pk: (MONDAY, MONDAY), told_at_risk.pk: (MONDAY, None)}

    with clocks.frozen(MONDAY):
        migration.register(historical_apps(stamps), None)

    rows = {(d.kind, d.target_id): d for d in Deadline.objects.all()}
    assert {
        request.pk: rows[(DeadlineKind.DECISION, request.pk)].state for request in (told_overdue, told_at_risk, quiet)
    } == {told_overdue.pk: DeadlineState.OVERDUE, told_at_risk.pk: DeadlineState.AT_RISK, quiet.pk: DeadlineState.OPEN}
    assert rows[(DeadlineKind.DECISION, quiet.pk)].due_at == quiet.due_at
    assert (DeadlineKind.DECISION, denied.pk) not in rows
    assert (DeadlineKind.APPEAL_ACKNOWLEDGEMENT, appeal.pk) not in rows  # acknowledged already
    assert rows[(DeadlineKind.APPEAL_RESOLUTION, appeal.pk)].due_at == appeal.resolution_due
    [reassessment] = [d for d in rows.values() if d.kind == DeadlineKind.REASSESSMENT]
    assert clocks.local_date(reassessment.due_at) == date(2026, 12, 1)

    migration.unregister(historical_apps(stamps), None)
    assert not Deadline.objects.exists()
