"""Recording outreach attempts, one at a time and in bulk, the reads the pages and the API use, and
the plan's outreach settings (DOMAIN 8)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline, DeadlineKind, DeadlineState
from ecm_platform.errors import ActionNotPermitted, ConflictError, DomainError
from ecm_platform.tenancy.access import Capability, require
from ecm_platform.tenancy.models import Role
from ecm_platform.tenancy.scoping import plan_scope
from outreach import selectors, services
from outreach.models import Attempt, Engagement, EngagementState, Method, Outcome, TargetKind
from tests.conftest import membership_of
from tests.outreach.world import (  # noqa: F401
    MONDAY,
    NPIS,
    approved_member,
    at_monday_fixture,
    coordinator_fixture,
    engagement_of,
    identified_member,
    organization_of,
    provider_fixture,
    provider_staff_fixture,
    reviewer_fixture,
    staff_of,
    synced,
)

pytestmark = pytest.mark.usefixtures("in_plan_a")
CALL = {"method": Method.TELEPHONE, "asks_for_response": True, "outcome": Outcome.NO_ANSWER, "minutes": 5}
ROBOCALL = {"method": Method.ROBOCALL, "asks_for_response": False, "outcome": Outcome.PRERECORDED_MESSAGE, "minutes": 0}


@pytest.fixture
def assigned(plan_a, coordinator, reviewer, provider):
    request = approved_member(plan_a, coordinator, reviewer)
    synced(plan_a)
    return engagement_of(plan_a, request.member)


@pytest.fixture
def identified(plan_a):
    member = identified_member(plan_a)
    synced(plan_a)
    return engagement_of(plan_a, member)


def first_attempt_clock(engagement):
    return Deadline.objects.get(kind=DeadlineKind.OUTREACH_FIRST_ATTEMPT, target_id=engagement.pk)


def record(plan, actor, engagement, at=None, **fields):
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        return services.attempt_record(
            plan=plan, actor=actor, engagement=engagement, attempted_at=at or MONDAY + timedelta(hours=1),
            **{**CALL, **fields},
        )  # fmt: skip


def test_provider_staff_record_an_attempt_with_its_verdict_and_the_first_one_meets_the_clock(
    plan_a, assigned, provider_staff
):
    """DOMAIN 8: date/time, method, outcome, staff, minutes; counts and successful from the rules;
    the first counting attempt meets the first-attempt clock (at the attempt's time)."""
    attempt = record(plan_a, provider_staff, assigned)
    assert (attempt.counts, attempt.successful, attempt.staff) == (True, False, provider_staff.user)
    assert (attempt.organization_id, attempt.member_id) == (assigned.organization_id, assigned.member_id)
    assert attempt.count_reason.startswith("A telephone call by staff counts")
    clock = first_attempt_clock(assigned)
    assert (clock.state, clock.met_at) == (DeadlineState.MET, MONDAY + timedelta(hours=1))
    event = AuditEvent.objects.get(code="outreach.attempt.recorded")
    assert (event.target_id, event.payload["counts"]) == (str(attempt.pk), True)


def test_a_robocall_that_does_not_count_is_kept_and_meets_nothing(plan_a, assigned, provider_staff):
    """DOMAIN 8, FAQ 20: a robo-call without live staff is kept and shown, never outreach."""
    attempt = record(plan_a, provider_staff, assigned, **ROBOCALL)
    assert (attempt.counts, attempt.successful) == (False, False)
    assert first_attempt_clock(assigned).state == DeadlineState.OPEN


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"at": MONDAY + timedelta(hours=3)}, "attempted_at", "future"),
        ({"at": MONDAY - timedelta(days=1)}, "attempted_at", "early"),
        ({"method": Method.IN_PERSON, "outcome": Outcome.LIVE_MESSAGE}, "outcome", "impossible_outcome"),
        ({"minutes": 601}, "minutes", "out_of_range"),
        ({"minutes": -1}, "minutes", "out_of_range"),
    ],
)
def test_an_impossible_attempt_is_refused(plan_a, assigned, provider_staff, fields, field, code):
    """DOMAIN 8: no attempt in the future or before targeting, no impossible outcome, 0-600 minutes."""
    with pytest.raises(DomainError) as refused:
        record(plan_a, provider_staff, assigned, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not Attempt.objects.exists()


def test_a_closed_engagement_takes_no_attempt(plan_a, assigned, provider_staff):
    """DOMAIN 8: attempts are made before enrollment or close-out."""
    Engagement.objects.filter(pk=assigned.pk).update(state=EngagementState.DECLINED)
    with pytest.raises(ConflictError, match="closed"):
        record(plan_a, provider_staff, assigned)


def test_only_the_engagements_own_side_records_it(plan_a, assigned, identified, provider_staff, coordinator):
    """DOMAIN 8: the ECM Provider reaches its assigned members, the plan's staff the identified
    ones; another organization's staff may not record on this one's engagement."""
    with pytest.raises(ActionNotPermitted):
        record(plan_a, coordinator, assigned)
    with pytest.raises(ActionNotPermitted):
        record(plan_a, provider_staff, identified)
    stranger = staff_of(plan_a, organization_of(plan_a, npi=NPIS[1], name="Westside Care"))
    with pytest.raises(ActionNotPermitted):
        record(plan_a, stranger, assigned)
    assert record(plan_a, coordinator, identified).staff == coordinator


def test_the_staff_named_must_work_for_the_engagements_side(plan_a, assigned, identified, provider_staff):
    """DOMAIN 8: an integrator loads attempts made by the plan's staff, who must work for the plan."""
    integrator = membership_of(plan_a, Role.INTEGRATOR).user
    with pytest.raises(DomainError) as refused:
        record(plan_a, integrator, identified, staff=provider_staff.user)
    assert (refused.value.field, refused.value.code) == ("staff", "invalid_staff")
    colleague = membership_of(plan_a, Role.CARE_COORDINATOR).user
    assert record(plan_a, integrator, identified, staff=colleague).recorded_by == integrator


def bulk(plan, actor, rows):
    with clocks.frozen(MONDAY + timedelta(hours=2)):
        return services.attempts_record_bulk(plan=plan, actor=actor, rows=rows)


def row(engagement, **fields):
    return {"engagement": engagement.pk, "attempted_at": MONDAY + timedelta(hours=1), **CALL, **fields}


def test_a_bulk_load_reports_every_rows_errors_and_saves_nothing(plan_a, identified, assigned, coordinator):
    """DOMAIN 8: all or nothing; each row's problems by 0-based row and field."""
    rows = [
        row(identified),
        row(identified, minutes=900, outcome=Outcome.PRERECORDED_MESSAGE),
        row(assigned),  # the provider's to record
        {"engagement": 999999, **CALL},
        row(identified, staff="nobody-by-this-name"),
    ]
    with pytest.raises(services.BulkRowsInvalid) as refused:
        bulk(plan_a, coordinator, rows)
    assert [(error.row, error.field, error.code) for error in refused.value.errors] == [
        (1, "outcome", "impossible_outcome"),
        (1, "minutes", "out_of_range"),
        (2, "engagement", "not_permitted"),
        (3, "engagement", "not_found"),
        (4, "staff", "invalid_staff"),
    ]
    assert not Attempt.objects.exists()


def test_a_valid_bulk_load_records_every_row_and_meets_the_clocks(plan_a, coordinator):
    """DOMAIN 8: each row's verdict stored; each engagement's first counting attempt meets its clock."""
    members = [identified_member(plan_a) for _ in range(3)]
    synced(plan_a)
    engagements = [engagement_of(plan_a, member) for member in members]
    colleague = membership_of(plan_a, Role.CARE_COORDINATOR).user
    rows = [row(engagements[0], **ROBOCALL), row(engagements[1], staff=colleague.username)]
    rows.append(row(engagements[2], attempted_at=MONDAY + timedelta(minutes=30), method=Method.IN_PERSON))
    attempts = bulk(plan_a, coordinator, rows)
    assert [(attempt.counts, attempt.staff) for attempt in attempts] == [
        (False, coordinator), (True, colleague), (True, coordinator),
    ]  # fmt: skip
    assert [first_attempt_clock(engagement).met_at for engagement in engagements] == [
        None, MONDAY + timedelta(hours=1), MONDAY + timedelta(minutes=30),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(code="outreach.attempt.recorded").count() == 3


def test_a_bulk_load_has_a_size_limit(plan_a, identified, coordinator):
    """At most BULK_ROWS rows at a time."""
    with pytest.raises(DomainError) as refused:
        bulk(plan_a, coordinator, [row(identified)] * (services.BULK_ROWS + 1))
    assert refused.value.code == "too_many_rows"


def test_the_worklist_shows_progress_and_puts_the_most_overdue_first(plan_a, assigned, identified, coordinator):
    """DOMAIN 8: attempts made, counting ones, the last, and when the next is due: the first
    attempt's due instant, then the last counting attempt plus the policy's cadence (30 days over
    3 attempts: 15 days)."""
    record(plan_a, coordinator, identified, **ROBOCALL)
    record(plan_a, coordinator, identified)
    rows = list(selectors.worklist(plan=plan_a, principal=coordinator))
    assert [engagement.pk for engagement in rows] == [identified.pk, assigned.pk]
    done = rows[0]
    assert (done.attempts_made, done.counting_attempts) == (2, 1)
    assert done.last_attempt_at == MONDAY + timedelta(hours=1)
    assert done.next_attempt_due == MONDAY + timedelta(hours=1, days=15)
    assert (rows[1].attempts_made, rows[1].next_attempt_due) == (0, assigned.first_attempt_due)
    assert [e.pk for e in selectors.worklist(plan=plan_a, principal=coordinator, filters={"kind": "assigned"})] == [
        assigned.pk
    ]
    with clocks.frozen(done.next_attempt_due + timedelta(minutes=1)):
        overdue = selectors.worklist(plan=plan_a, principal=coordinator, filters={"overdue": "1"})
        assert [engagement.pk for engagement in overdue] == [identified.pk]


def test_provider_staff_see_only_their_organizations_engagements(plan_a, assigned, identified, provider_staff):
    """DOMAIN 8 and ARCHITECTURE (second tenancy axis): the plan's own outreach, and another
    organization's, are missing for them."""
    assert [e.pk for e in selectors.worklist(plan=plan_a, principal=provider_staff)] == [assigned.pk]
    assert selectors.engagement_get(plan=plan_a, principal=provider_staff, pk=assigned.pk) == assigned
    with pytest.raises(Engagement.DoesNotExist):
        selectors.engagement_get(plan=plan_a, principal=provider_staff, pk=identified.pk)
    stranger = staff_of(plan_a, organization_of(plan_a, npi=NPIS[1], name="Westside Care"))
    with pytest.raises(Engagement.DoesNotExist):
        selectors.engagement_get(plan=plan_a, principal=stranger, pk=assigned.pk)
    record(plan_a, provider_staff, assigned)
    assert selectors.attempt_list(plan=plan_a, principal=stranger).count() == 0
    assert selectors.attempt_list(plan=plan_a, principal=provider_staff).count() == 1


def test_another_plans_engagement_is_missing(plan_a, plan_b, identified):
    """ARCHITECTURE: another plan's object is 404, not 403."""
    coordinator_b = membership_of(plan_b, Role.CARE_COORDINATOR).user
    with plan_scope(plan_b), pytest.raises(Engagement.DoesNotExist):
        selectors.engagement_get(plan=plan_b, principal=coordinator_b, pk=identified.pk)


def test_a_members_outreach_comes_with_its_attempts_in_two_queries(plan_a, identified, coordinator):
    """DOMAIN 8: the member page lists each engagement's attempts (no query per engagement)."""
    record(plan_a, coordinator, identified)
    record(plan_a, coordinator, identified, **ROBOCALL)
    principal, member = require(coordinator, Capability.OUTREACH_READ, plan=plan_a), identified.member
    with CaptureQueriesContext(connection) as queries:
        engagements = selectors.member_outreach(plan=plan_a, principal=principal, member=member)
        assert [len(engagement.attempts.all()) for engagement in engagements] == [2]
    assert len(queries) == 2


def test_the_worklist_is_one_query(plan_a, assigned, identified, coordinator):
    """ARCHITECTURE: bounded queries; progress is annotated, not read per row."""
    principal = require(coordinator, Capability.OUTREACH_READ, plan=plan_a)
    selectors.outreach_settings_of(plan=plan_a)
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.worklist(plan=plan_a, principal=principal))
        assert [row.member.full_name for row in rows]
    assert len(queries) == 2  # the plan's settings, then the rows


def test_the_policy_status_reads_the_attempts(plan_a, identified, coordinator):
    """DOMAIN 8: unable to reach needs the plan's attempt policy met."""
    record(plan_a, coordinator, identified)
    status = selectors.engagement_policy_status(plan=plan_a, engagement=identified)
    assert not status.met
    assert "2 more counting attempt(s) (of 3)" in status.explanation


def test_the_plan_administrator_sets_the_policy_within_its_ranges(plan_a, coordinator):
    """DOMAIN 8: the plan's outreach settings, each within its range, with a field message."""
    administrator = membership_of(plan_a, Role.PLAN_ADMINISTRATOR).user
    settings = services.outreach_settings_update(
        plan=plan_a, actor=administrator, first_attempt_business_days=5, unreachable_attempts=4
    )
    assert (settings.first_attempt_business_days, settings.unreachable_attempts) == (5, 4)
    assert selectors.outreach_settings_of(plan=plan_a).pk == settings.pk
    event = AuditEvent.objects.get(code="outreach.settings.updated")
    assert event.payload == {"first_attempt_business_days": [10, 5], "unreachable_attempts": [3, 4]}
    with pytest.raises(DomainError) as refused:
        services.outreach_settings_update(plan=plan_a, actor=administrator, unreachable_days=366)
    assert (refused.value.field, refused.value.code) == ("unreachable_days", "out_of_range")
    with pytest.raises(ActionNotPermitted):
        services.outreach_settings_update(plan=plan_a, actor=coordinator, unreachable_days=10)


def test_new_engagements_follow_the_new_first_attempt_setting(plan_a):
    """DOMAIN 8: the first attempt is due within the plan's setting of business days."""
    administrator = membership_of(plan_a, Role.PLAN_ADMINISTRATOR).user
    services.outreach_settings_update(plan=plan_a, actor=administrator, first_attempt_business_days=1)
    member = identified_member(plan_a)
    synced(plan_a)
    engagement = engagement_of(plan_a, member)
    assert engagement.kind == TargetKind.IDENTIFIED
    assert engagement.first_attempt_due == clocks.end_of_day(engagement.targeted_on + timedelta(days=1))


def test_provider_staff_load_their_own_attempts_in_bulk(plan_a, assigned, identified, provider_staff):
    """DOMAIN 8: a provider's file of attempts; the plan's own engagements are missing for them."""
    with pytest.raises(services.BulkRowsInvalid) as refused:
        bulk(plan_a, provider_staff, [row(assigned), row(identified)])
    assert [(error.row, error.code) for error in refused.value.errors] == [(1, "not_found")]
    [attempt] = bulk(plan_a, provider_staff, [row(assigned, method=Method.IN_PERSON, outcome=Outcome.REACHED_MEMBER)])
    assert (attempt.staff, attempt.successful, attempt.organization_id) == (
        provider_staff.user, True, assigned.organization_id,
    )  # fmt: skip
