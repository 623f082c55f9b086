"""The nightly high-utilizer scan (DOMAIN 3.3)."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.scoping import plan_scope
from eligibility import scan
from eligibility.models import Determination, EventType, ScanRun, ScanStatus, UtilizationEvent
from eligibility.scan import high_utilizer_scan
from members.models import EnrollmentSpan
from tests.factories import EventFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
SEPTEMBER = date(2026, 9, 1)  # data month 2026-09 -> window 2026-04-01 .. 2026-09-30
RUN_AT = datetime(2026, 10, 5, 2, 0, tzinfo=LA)


pytestmark = pytest.mark.usefixtures("in_plan_a")


def run(plan, data_month=SEPTEMBER, at=RUN_AT):
    """The scan as its task runs it: in the plan's own scope."""
    with clocks.frozen(at), plan_scope(plan):
        return high_utilizer_scan(plan=plan, data_month=data_month, actor=OPERATOR)


def ed_visits(member, count, start=date(2026, 5, 4), **kwargs):
    for day in range(count):
        EventFactory(
            member=member,
            event_type=EventType.ED,
            service_date=start + timedelta(days=7 * day),
            **kwargs,
        )


def stays(member, count, start=date(2026, 5, 4), event_type=EventType.INPATIENT, **kwargs):
    for day in range(count):
        EventFactory(
            member=member,
            event_type=event_type,
            service_date=start + timedelta(days=9 * day),
            **kwargs,
        )


def open_determinations(plan):
    return Determination.objects.filter(plan=plan, end_date__isnull=True)


def flagged(plan):
    with plan_scope(plan):
        return set(open_determinations(plan).values_list("member_id", flat=True))


def test_five_avoidable_ed_visits_qualify_four_do_not(plan_a):
    # DOMAIN 3.3: avoidable ED visits >= 5
    five, four = enrolled_member(plan_a), enrolled_member(plan_a)
    ed_visits(five, 5)
    ed_visits(four, 4)
    result = run(plan_a)
    assert flagged(plan_a) == {five.pk}
    assert (result.status, result.qualified, result.opened) == (ScanStatus.SUCCEEDED, 1, 1)


def test_unavoidable_ed_visits_do_not_count(plan_a):
    # DOMAIN 3.3: only avoidable ED visits
    member = enrolled_member(plan_a)
    ed_visits(member, 4)
    EventFactory(member=member, service_date=date(2026, 9, 2), is_avoidable=False)
    run(plan_a)
    assert flagged(plan_a) == set()


def test_three_unplanned_avoidable_stays_qualify_inpatient_and_short_term_snf(plan_a):
    # DOMAIN 3.3: stays (inpatient or short-term SNF) that are unplanned and avoidable >= 3
    member = enrolled_member(plan_a)
    stays(member, 2)
    stays(member, 1, start=date(2026, 8, 1), event_type=EventType.SNF_SHORT_TERM)
    run(plan_a)
    evidence = open_determinations(plan_a).get().evidence
    assert (evidence["stays"], evidence["ed_visits"]) == (3, 0)
    assert [e["type"] for e in evidence["events"]] == ["INPATIENT", "INPATIENT", "SNF_SHORT_TERM"]


@pytest.mark.parametrize("event_type", [EventType.INPATIENT, EventType.SNF_SHORT_TERM])
@pytest.mark.parametrize("flags", [{"is_planned": True}, {"is_avoidable": False}])
def test_planned_or_unavoidable_stays_do_not_count(plan_a, flags, event_type):
    # DOMAIN 3.3: a stay (inpatient or short-term SNF) counts only when unplanned and avoidable
    member = enrolled_member(plan_a)
    stays(member, 2)
    stays(member, 1, start=date(2026, 8, 1), event_type=event_type, **flags)
    run(plan_a)
    assert flagged(plan_a) == set()


@pytest.mark.parametrize("event_type", [EventType.INPATIENT, EventType.SNF_SHORT_TERM])
def test_a_stay_admitted_before_the_window_is_not_counted_even_if_discharged_inside(plan_a, event_type):
    # DOMAIN 3.3: a stay is in the window when its admission date is (window 2026-04-01 .. 2026-09-30)
    member = enrolled_member(plan_a)
    stays(member, 2)
    EventFactory(member=member, event_type=event_type, service_date=date(2026, 3, 31), discharge_date=date(2026, 4, 10))
    run(plan_a)
    assert flagged(plan_a) == set()
    EventFactory(member=member, event_type=event_type, service_date=date(2026, 4, 1))
    run(plan_a, at=RUN_AT + timedelta(days=1))
    assert open_determinations(plan_a).get().evidence["stays"] == 3


def test_window_edges(plan_a):
    # DOMAIN 3.3: the window is 2026-04-01 .. 2026-09-30 for data month 2026-09
    inside = enrolled_member(plan_a)
    for day in [
        date(2026, 4, 1),
        date(2026, 9, 30),
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 8, 1),
    ]:
        EventFactory(member=inside, service_date=day)
    outside = enrolled_member(plan_a)
    for day in [
        date(2026, 3, 31),
        date(2026, 10, 1),
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 8, 1),
    ]:
        EventFactory(member=outside, service_date=day)
    result = run(plan_a)
    assert flagged(plan_a) == {inside.pk}
    assert (result.window_start, result.window_end) == (date(2026, 4, 1), date(2026, 9, 30))


def test_an_ed_visit_followed_by_an_admission_counts_once_as_the_stay(plan_a):
    # DOMAIN 3.3: ED then admission the same or next day -> the stay only
    member = enrolled_member(plan_a)
    ed_visits(member, 4)
    same_day = EventFactory(member=member, service_date=date(2026, 8, 10))
    EventFactory(member=member, event_type=EventType.INPATIENT, service_date=date(2026, 8, 10))
    next_day = EventFactory(member=member, service_date=date(2026, 8, 20))
    EventFactory(member=member, event_type=EventType.INPATIENT, service_date=date(2026, 8, 21))
    run(plan_a)
    assert flagged(plan_a) == set()  # 4 ED visits + 2 stays
    two_days_later = EventFactory(member=member, service_date=date(2026, 9, 1))
    EventFactory(
        member=member,
        event_type=EventType.INPATIENT,
        service_date=date(2026, 9, 3),
        is_avoidable=False,
    )
    run(plan_a)
    evidence = open_determinations(plan_a).get().evidence
    assert evidence["ed_visits"] == 5
    counted = {e["claim_id"] for e in evidence["events"]}
    assert two_days_later.claim_id in counted
    assert not counted & {same_day.claim_id, next_day.claim_id}


def test_a_matched_ed_visit_counts_as_nothing_when_the_admission_is_past_the_window(plan_a):
    # DOMAIN 3.3: the matched ED visit is never an ED visit, even across the window's end
    member = enrolled_member(plan_a)
    ed_visits(member, 4)
    EventFactory(member=member, service_date=date(2026, 9, 30))
    EventFactory(member=member, event_type=EventType.INPATIENT, service_date=date(2026, 10, 1))
    run(plan_a)
    assert flagged(plan_a) == set()


def test_an_ed_visit_followed_by_two_admissions_counts_as_neither_ed_visit_nor_twice(plan_a):
    """DOMAIN 3.3: the matched ED visit is dropped once, however many admissions it matches (the
    scan joins the admissions, so each match is a row), and a stay is never counted per admission."""
    member = enrolled_member(plan_a)
    ed_visits(member, 5, start=date(2026, 4, 6))
    matched = EventFactory(member=member, service_date=date(2026, 8, 10))
    EventFactory(member=member, event_type=EventType.INPATIENT, service_date=date(2026, 8, 10), is_avoidable=False)
    EventFactory(member=member, event_type=EventType.INPATIENT, service_date=date(2026, 8, 11), is_avoidable=False)
    stay = EventFactory(member=member, event_type=EventType.SNF_SHORT_TERM, service_date=date(2026, 8, 10))
    run(plan_a)
    evidence = open_determinations(plan_a).get().evidence
    assert (evidence["ed_visits"], evidence["stays"]) == (5, 1)
    counted = [e["claim_id"] for e in evidence["events"]]
    assert matched.claim_id not in counted
    assert counted.count(stay.claim_id) == 1


def test_a_planned_admission_still_absorbs_the_ed_visit(plan_a):
    # DOMAIN 3.3: the ED visit "results in an inpatient stay": it is not an ED visit either way
    member = enrolled_member(plan_a)
    ed_visits(member, 4)
    EventFactory(member=member, service_date=date(2026, 9, 10))
    EventFactory(
        member=member,
        event_type=EventType.INPATIENT,
        service_date=date(2026, 9, 11),
        is_planned=True,
    )
    run(plan_a)
    assert flagged(plan_a) == set()


@pytest.mark.parametrize(("birth_date", "qualifies"), [(date(2005, 9, 30), True), (date(2005, 10, 1), False)])
def test_adult_on_the_last_day_of_the_window(plan_a, birth_date, qualifies):
    # DOMAIN 3.3: 21 or older on 2026-09-30
    member = enrolled_member(plan_a, birth_date=birth_date)
    ed_visits(member, 5)
    run(plan_a)
    assert (member.pk in flagged(plan_a)) is qualifies


def test_enrolled_on_the_run_date(plan_a):
    # DOMAIN 3.3: enrolled in the MCP on the run date (2026-10-05)
    left, joined_late = enrolled_member(plan_a), enrolled_member(plan_a)
    EnrollmentSpan.objects.filter(member=left).update(end_date=date(2026, 10, 4))
    EnrollmentSpan.objects.filter(member=joined_late).update(start_date=date(2026, 10, 6))
    staying = enrolled_member(plan_a)
    EnrollmentSpan.objects.filter(member=staying).update(end_date=date(2026, 10, 5))
    for member in (left, joined_late, staying):
        ed_visits(member, 5)
    run(plan_a)
    assert flagged(plan_a) == {staying.pk}


def test_the_data_month_defaults_to_the_latest_service_month(plan_a):
    # DOMAIN 3.3: the data month is the latest service month among the plan's events
    member = enrolled_member(plan_a)
    ed_visits(member, 5, start=date(2026, 2, 2))
    EventFactory(service_date=date(2026, 7, 14), member=enrolled_member(plan_a))
    result = run(plan_a, data_month=None)
    assert result.data_month == date(2026, 7, 1)
    assert (result.window_start, result.window_end) == (date(2026, 2, 1), date(2026, 7, 31))
    assert flagged(plan_a) == {member.pk}


def test_rerunning_unchanged_data_changes_nothing(plan_a):
    # DOMAIN 3.3: deterministic, no duplicates
    member = enrolled_member(plan_a)
    ed_visits(member, 6)
    first = run(plan_a)
    before = list(Determination.objects.values_list("pk", "evidence", "updated_at"))
    second = run(plan_a, at=RUN_AT + timedelta(days=1))
    assert list(Determination.objects.values_list("pk", "evidence", "updated_at")) == before
    assert (second.qualified, second.opened, second.updated, second.unchanged, second.closed) == (
        1,
        0,
        0,
        1,
        0,
    )
    assert open_determinations(plan_a).get().scan_run == first


def test_late_claims_for_the_same_data_month_update_the_evidence(plan_a):
    # DOMAIN 3.3: a re-run after late claims is not skipped
    member = enrolled_member(plan_a)
    ed_visits(member, 5)
    run(plan_a)
    late = EventFactory(member=member, service_date=date(2026, 9, 28))
    second = run(plan_a, at=RUN_AT + timedelta(days=3))
    determination = open_determinations(plan_a).get()
    assert determination.evidence["ed_visits"] == 6
    assert late.claim_id in {e["claim_id"] for e in determination.evidence["events"]}
    assert (second.updated, determination.evidence_run) == (1, second)


def test_a_member_who_no_longer_qualifies_is_closed_not_deleted_and_can_qualify_again(plan_a):
    # DOMAIN 3.3: closed with end date = last day of the new window; a new determination later
    member = enrolled_member(plan_a)
    ed_visits(member, 5, start=date(2026, 4, 6))
    run(plan_a)
    october = run(plan_a, data_month=date(2026, 11, 1), at=RUN_AT + timedelta(days=60))
    closed = Determination.objects.get(member=member)
    assert (closed.end_date, closed.closed_by_run, october.closed) == (
        date(2026, 11, 30),
        october,
        1,
    )
    ed_visits(member, 5, start=date(2027, 1, 4))
    run(plan_a, data_month=date(2027, 2, 1), at=RUN_AT + timedelta(days=130))
    assert Determination.objects.filter(member=member).count() == 2
    assert open_determinations(plan_a).get().member == member


def test_other_plans_events_and_members_are_not_counted(plan_a, plan_b):
    mine = enrolled_member(plan_a)
    ed_visits(mine, 3)
    theirs = enrolled_member(plan_b)
    ed_visits(theirs, 5)
    run(plan_a)
    assert flagged(plan_a) == set()
    run(plan_b)
    assert flagged(plan_b) == {theirs.pk}


def test_a_run_that_fails_midway_leaves_the_previous_determinations_intact(plan_a):
    # DOMAIN 3.3 / issue: the determinations change in one transaction; a run that dies after it
    # closed, updated and opened determinations leaves the previous ones exactly as they were.
    lapsing, growing = enrolled_member(plan_a), enrolled_member(plan_a)
    ed_visits(lapsing, 5)
    ed_visits(growing, 5)
    first = run(plan_a)
    columns = ("pk", "member_id", "start_date", "end_date", "evidence", "evidence_run", "closed_by_run", "updated_at")
    before = list(Determination.objects.order_by("pk").values_list(*columns))
    UtilizationEvent.objects.filter(member=lapsing).update(is_avoidable=False)  # would be closed
    EventFactory(member=growing, service_date=date(2026, 10, 2))  # evidence would be updated
    newcomer = enrolled_member(plan_a)
    ed_visits(newcomer, 5)  # would be opened
    seen_midway = {}

    def fail_after_the_writes(**kwargs):
        # The close / update / insert statements have run by now, inside the run's transaction.
        seen_midway["counts"] = {k: kwargs["payload"][k] for k in ("closed", "updated", "opened")}
        seen_midway["closed"] = Determination.objects.get(member=lapsing).end_date
        seen_midway["ed_visits"] = Determination.objects.get(member=growing).evidence["ed_visits"]
        seen_midway["newcomer"] = Determination.objects.filter(member=newcomer).exists()
        raise RuntimeError("disk full")

    with (
        mock.patch.object(scan, "audit_record", side_effect=fail_after_the_writes),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        run(plan_a, data_month=date(2026, 10, 1), at=RUN_AT + timedelta(days=31))
    assert seen_midway == {
        "counts": {"closed": 1, "updated": 1, "opened": 1},
        "closed": date(2026, 10, 31),  # the new window's last day
        "ed_visits": 6,
        "newcomer": True,
    }
    assert list(Determination.objects.order_by("pk").values_list(*columns)) == before
    assert open_determinations(plan_a).get(member=growing).evidence_run == first
    failed = ScanRun.objects.filter(plan=plan_a).order_by("-id").first()
    assert failed != first
    assert (failed.status, failed.error) == (ScanStatus.FAILED, "RuntimeError: disk full")
    assert failed.finished_at is not None and failed.duration_ms is not None
    assert not ScanRun.objects.filter(plan=plan_a, status=ScanStatus.RUNNING).exists()  # the slot is free


def test_the_run_records_its_figures(plan_a):
    member = enrolled_member(plan_a)
    ed_visits(member, 5)
    EventFactory(member=enrolled_member(plan_a), service_date=date(2026, 1, 5))  # outside the window
    result = run(plan_a)
    assert (result.events_in_window, result.qualified, result.data_month) == (5, 1, SEPTEMBER)
    assert result.duration_ms is not None and result.finished_at is not None


def test_a_rerun_that_drops_a_member_never_ends_before_the_start(plan_a):
    # DOMAIN 3.3 (amended): data month 2026-09 run 10-05 starts 10-01; a re-run for that month ends
    # it on 09-30 at the latest, but not before the day the determination began
    member = enrolled_member(plan_a)
    ed_visits(member, 5)
    run(plan_a)
    UtilizationEvent.objects.filter(member=member).update(is_avoidable=False)
    run(plan_a, at=RUN_AT + timedelta(days=1))
    closed = Determination.objects.get(member=member)
    assert closed.end_date == closed.start_date == date(2026, 10, 1)


def test_future_service_dates_do_not_move_the_default_data_month(plan_a):
    # DOMAIN 3.3: the data month is the latest service month of adjudicated events; a service date
    # after the run date (a keying error) is not a month of adjudicated claims
    member = enrolled_member(plan_a)
    ed_visits(member, 5)
    EventFactory(member=member, service_date=date(2027, 3, 1))
    with clocks.frozen(RUN_AT):
        result = high_utilizer_scan(plan=plan_a, actor=OPERATOR)
    assert result.data_month == date(2026, 6, 1)  # the latest month not in the future


def scan_queries(plan, qualifying):
    for _ in range(qualifying):
        member = enrolled_member(plan)
        ed_visits(member, 5)
        stays(member, 3)
    enrolled_member(plan)  # a member with no events at all
    with CaptureQueriesContext(connection) as captured:
        result = run(plan)
    assert result.qualified == result.opened == qualifying
    return len(captured)


def test_the_scan_is_set_based_its_query_count_does_not_grow_with_the_members(plan_a, plan_b):
    # DOMAIN 3.3: set-based SQL (one pass over the window), never a per-member loop
    assert scan_queries(plan_a, 2) == scan_queries(plan_b, 20)


def test_a_rerun_that_closes_and_updates_many_members_runs_as_few_queries_as_for_one(plan_a, plan_b):
    # DOMAIN 3.3: closing and updating are set-based too
    counts = []
    for plan, qualifying in ((plan_a, 1), (plan_b, 15)):
        with plan_scope(plan):
            members = [enrolled_member(plan) for _ in range(2 * qualifying)]
            for member in members:
                ed_visits(member, 5)
            run(plan)
            UtilizationEvent.objects.filter(member__in=members[:qualifying]).update(is_avoidable=False)
            for member in members[qualifying:]:
                EventFactory(member=member, service_date=date(2026, 9, 29))
            with CaptureQueriesContext(connection) as captured:
                again = run(plan, at=RUN_AT + timedelta(days=1))
        assert (again.closed, again.updated) == (qualifying, qualifying)
        counts.append(len(captured))
    assert counts[0] == counts[1]
