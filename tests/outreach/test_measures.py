"""The five quarterly outreach measures (DOMAIN 8; DOMAIN 10: buildable for any quarter, immutable
runs), on a hand-built plan whose figures are worked out below.

Quarter 2026 Q3 (2026-07-01 .. 2026-09-30, America/Los_Angeles). Plan A, counties 01 and 07;
providers P0 ("Provider 0") and P1 ("Provider 1"). Times are local.

- M1 (HOMELESS), two engagements in the quarter:
  E1a identified (plan staff), county 01, targeted 05-01, ended 07-05:
      06-20 telephone reached (30 min) -- before the quarter, in no measure;
      07-02 telephone reached (20) -- counts, successful.
  E1 assigned to P0, county 01, targeted 07-05, open:
      07-10 telephone no answer (15) -- counts; 07-20 postal mail (5) -- never counts;
      08-05 in person reached (45) -- counts, successful; 09-30 23:30 telephone live message (5) --
      counts (06:30 UTC on 10-01: the quarter ends in local time); 10-01 00:30 telephone reached (10)
      -- after the quarter.
- M2 (HOMELESS and HIGH_UTILIZER), a robo-call list member: E2 identified, county 07, targeted
  07-01, open: robo-call pre-recorded (1), robo-call no answer (1), informational email (2) -- none
  counts, so M2 is targeted (1) but not reached (2).
- M3 (HOMELESS): E3 assigned to P1, county 01, targeted 05-01, ended 06-30 23:30 (07-01 in UTC):
  closed before the quarter, in no measure; its 06-10 telephone call (10) neither.
- M4 (no POF in the quarter: HOMELESS ended 06-15, SMI_SUD starts 10-05): E4 identified, county 07,
  targeted 09-20, declined 09-29: text asking for a reply (10) -- counts; robo-call answered by
  staff on call-back (20) -- counts, successful; other electronic asking for a reply (3) -- counts.
- M5 (HOMELESS): E5 assigned to P1, county 01, targeted 06-01, declined 07-01 08:00: targeted, no
  attempt in the quarter (06-15 telephone, 5, is before it).
- M6 (HOMELESS): E6 assigned to P0, county 07, targeted 10-02: after the quarter.

Total: targeted 4 (M1, M2, M4, M5); reached 2 (M1, M4); attempts 7 (telephone 3, in person 1,
text 1, robo-call 1, other electronic 1, email 0, postal 0); successful 3; minutes 20+15+45+5+10+20+3
= 118, hours 1.97.
By county: 01 -- targeted 2 (M1, M5), reached 1, attempts 4 (telephone 3, in person 1), successful
2, 85 min = 1.42 h; 07 -- targeted 2 (M2, M4), reached 1, attempts 3, successful 1, 33 min = 0.55 h.
By provider: plan staff (E1a, E2, E4) -- targeted 3, reached 2, attempts 4, successful 2, 53 min =
0.88 h; P0 (E1) -- 1, 1, 3, 1, 65 min = 1.08 h; P1 (E5) -- 1, 0, 0, 0, 0.
By POF: HOMELESS (M1, M2, M5) -- 3, 1, 4, 2, 85 min; HIGH_UTILIZER (M2) -- 1, 0, 0, 0, 0; No POF
(M4) -- 1, 1, 3, 1, 33 min. M2 is in two POFs, so the POF strata's targeted sum (5) passes the total.
Considered: 5 engagements (E1a, E1, E2, E4, E5) and their 11 attempts dated in the quarter (the 7
counting ones, the postal mail and M2's three).
"""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecm_platform import clocks
from ecm_platform.audit.models import AppendOnlyError, AuditEvent
from ecm_platform.errors import ActionNotPermitted, DomainError
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, ProviderRole, Role
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_end, determination_record
from members.models import Member
from outreach import tasks
from outreach.measure_runs import COUNTING_RULES, measure_run_build, measure_run_get, measure_runs_of
from outreach.models import Engagement, EngagementState, MeasureRun, Method, Outcome, TargetKind
from outreach.services import attempt_record
from providers.staff import provider_membership_create
from tests.factories import UserFactory, enrolled_member
from tests.providers.test_assignments import assign, contract, organization

LA = ZoneInfo("America/Los_Angeles")
BUILT_AT = datetime(2026, 12, 1, 18, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("in_plan_a")

NO_METHODS = {method.value: 0 for method in Method}


def local(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=LA)


def member_in(plan, *pofs: tuple[str, str, str | None]):
    member = enrolled_member(plan, birth_date=date(1970, 5, 17))
    for code, start, end in pofs:
        pof = PopulationOfFocus.objects.get(code=code)
        with clocks.frozen(local("2026-01-05")):
            determination = determination_record(
                plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
                start_date=date.fromisoformat(start), criteria_met=pof.criteria, actor=OPERATOR,
            )  # fmt: skip
        if end:
            determination_end(plan=plan, determination=determination, end_date=date.fromisoformat(end), actor=OPERATOR)
    return member


def engagement(plan, member, county, targeted, *, provider=None):
    """An engagement as the targets job opens it (open; the plan's own outreach, or the provider's)."""
    assignment = assign(plan, member, preferred_organization=provider) if provider else None
    return Engagement.objects.create(
        plan=plan,
        member=member,
        kind=TargetKind.ASSIGNED if provider else TargetKind.IDENTIFIED,
        organization=provider,
        assignment=assignment,
        county=County.objects.get(code=county),
        targeted_on=date.fromisoformat(targeted),
        first_attempt_due=local(targeted) + timedelta(days=14),
        created_at=local(targeted),
    )


def closed(engagement, at, state=EngagementState.ENDED):
    """The engagement ends at `at`, after its attempts were recorded (the close-out services' own
    rules, such as the attempt policy, are not what the measures read)."""
    Engagement.objects.filter(pk=engagement.pk).update(state=state, closed_at=at)


@pytest.fixture
def quarter_rows(plan_a, make_membership):
    p0, p1 = organization(plan_a, 0), organization(plan_a, 1)
    contract(plan_a, p0), contract(plan_a, p1)
    staff = {None: make_membership(plan_a, Role.CARE_COORDINATOR).user}
    for provider in (p0, p1):
        staff[provider.pk] = UserFactory()
        provider_membership_create(
            actor=OPERATOR, organization=provider, user=staff[provider.pk], role=ProviderRole.OUTREACH_STAFF
        )

    def tried(engagement, at, method, outcome, minutes, *, asks_for_response=True):
        """Recorded through the service a minute after it was made: counts and successful are the
        rules' verdict, never typed."""
        with clocks.frozen(at + timedelta(minutes=1)):
            attempt_record(
                plan=plan_a, actor=OPERATOR, engagement=engagement, attempted_at=at, method=method,
                asks_for_response=asks_for_response, outcome=outcome, minutes=minutes,
                staff=staff[engagement.organization_id],
            )  # fmt: skip

    homeless = ("HOMELESS", "2025-06-01", None)
    m1, m3, m5, m6 = (member_in(plan_a, homeless) for _ in range(4))
    m2 = member_in(plan_a, homeless, ("HIGH_UTILIZER", "2026-03-01", None))
    m4 = member_in(plan_a, ("HOMELESS", "2025-06-01", "2026-06-15"), ("SMI_SUD", "2026-10-05", None))

    e1a = engagement(plan_a, m1, "01", "2026-05-01")
    tried(e1a, local("2026-06-20"), Method.TELEPHONE, Outcome.REACHED_MEMBER, 30)
    tried(e1a, local("2026-07-02"), Method.TELEPHONE, Outcome.REACHED_MEMBER, 20)
    closed(e1a, local("2026-07-05"))
    e1 = engagement(plan_a, m1, "01", "2026-07-05", provider=p0)
    tried(e1, local("2026-07-10"), Method.TELEPHONE, Outcome.NO_ANSWER, 15)
    tried(e1, local("2026-07-20"), Method.POSTAL_MAIL, Outcome.NO_ANSWER, 5)
    tried(e1, local("2026-08-05"), Method.IN_PERSON, Outcome.REACHED_MEMBER, 45)
    tried(e1, local("2026-09-30", 23, 30), Method.TELEPHONE, Outcome.LIVE_MESSAGE, 5)
    tried(e1, local("2026-10-01", 0, 30), Method.TELEPHONE, Outcome.REACHED_MEMBER, 10)

    e2 = engagement(plan_a, m2, "07", "2026-07-01")
    tried(e2, local("2026-07-02"), Method.ROBOCALL, Outcome.PRERECORDED_MESSAGE, 1)
    tried(e2, local("2026-07-03"), Method.ROBOCALL, Outcome.NO_ANSWER, 1)
    tried(e2, local("2026-07-06"), Method.EMAIL, Outcome.NO_ANSWER, 2, asks_for_response=False)

    e3 = engagement(plan_a, m3, "01", "2026-05-01", provider=p1)
    tried(e3, local("2026-06-10"), Method.TELEPHONE, Outcome.NO_ANSWER, 10)
    closed(e3, local("2026-06-30", 23, 30))

    e4 = engagement(plan_a, m4, "07", "2026-09-20")
    tried(e4, local("2026-09-21"), Method.TEXT, Outcome.NO_ANSWER, 10)
    tried(e4, local("2026-09-25"), Method.ROBOCALL, Outcome.CALLBACK_ANSWERED, 20)
    tried(e4, local("2026-09-26"), Method.OTHER_ELECTRONIC, Outcome.NO_ANSWER, 3)
    closed(e4, local("2026-09-29"), EngagementState.DECLINED)

    e5 = engagement(plan_a, m5, "01", "2026-06-01", provider=p1)
    tried(e5, local("2026-06-15"), Method.TELEPHONE, Outcome.DECLINED, 5)
    closed(e5, local("2026-07-01", 8), EngagementState.DECLINED)
    e6 = engagement(plan_a, m6, "07", "2026-10-02", provider=p0)
    tried(e6, local("2026-10-03"), Method.TELEPHONE, Outcome.NO_ANSWER, 5)
    return {"p0": p0, "p1": p1}


def measures(targeted, reached, successful, minutes, hours, **by_method):
    return {
        "targeted": targeted,
        "reached": reached,
        "attempts": sum(by_method.values()),
        "attempts_by_method": NO_METHODS | by_method,
        "successful": successful,
        "minutes": minutes,
        "hours": hours,
    }


def build(plan, actor=OPERATOR, year=2026, quarter=3):
    with clocks.frozen(BUILT_AT):
        return measure_run_build(plan=plan, actor=actor, year=year, quarter=quarter)


def test_the_five_measures_in_total_and_by_county_pof_and_provider(plan_a, quarter_rows):
    """DOMAIN 8: the module docstring's hand-worked figures, stratum by stratum."""
    figures = build(plan_a).figures
    assert figures["total"] == measures(
        4, 2, 3, 118, 1.97, telephone=3, in_person=1, text=1, robocall=1, other_electronic=1
    )
    assert figures["by_county"] == [
        {"key": "01", "label": "Alameda", **measures(2, 1, 2, 85, 1.42, telephone=3, in_person=1)},
        {"key": "07", "label": "Contra Costa", **measures(2, 1, 1, 33, 0.55, text=1, robocall=1, other_electronic=1)},
    ]
    assert figures["by_provider"] == [
        {
            "key": "plan_staff",
            "label": "Plan staff",
            **measures(3, 2, 2, 53, 0.88, telephone=1, text=1, robocall=1, other_electronic=1),
        },
        {"key": "1234567893", "label": "Provider 0", **measures(1, 1, 1, 65, 1.08, telephone=2, in_person=1)},
        {"key": "1245319599", "label": "Provider 1", **measures(1, 0, 0, 0, 0.0)},
    ]
    assert figures["by_pof"] == [
        {
            "key": "HOMELESS",
            "label": "Individuals and families experiencing homelessness",
            **measures(3, 1, 2, 85, 1.42, telephone=3, in_person=1),
        },
        {"key": "HIGH_UTILIZER", "label": "Adult high utilizers", **measures(1, 0, 0, 0, 0.0)},
        {"key": "none", "label": "No POF", **measures(1, 1, 1, 33, 0.55, text=1, robocall=1, other_electronic=1)},
    ]


def test_strata_add_up_to_the_total_where_each_attempt_has_one_stratum(plan_a, quarter_rows):
    """DOMAIN 8: an attempt belongs to its engagement's county and provider, so those strata sum to
    the total's attempts, successes and minutes; members may sit in two strata (M1 in two provider
    strata, M2 in two POFs), so targeted sums may pass the total."""
    figures = build(plan_a).figures
    for stratification in ("by_county", "by_provider"):
        for measure in ("attempts", "successful", "minutes"):
            assert sum(stratum[measure] for stratum in figures[stratification]) == figures["total"][measure]
    assert sum(stratum["targeted"] for stratum in figures["by_provider"]) == 5
    assert sum(stratum["targeted"] for stratum in figures["by_pof"]) == 5


def test_a_run_keeps_its_inputs_and_who_built_it_and_is_audited(plan_a, quarter_rows, make_membership):
    """DOMAIN 10: a run is immutable with the time it was built and its inputs; figures carry no
    member identifier."""
    analyst = make_membership(plan_a, Role.REPORTING_ANALYST).user
    run = build(plan_a, actor=analyst)
    assert (run.year, run.quarter, run.period_start, run.period_end) == (2026, 3, date(2026, 7, 1), date(2026, 9, 30))
    assert (run.built_at, run.built_by, run.built_by_label) == (BUILT_AT, analyst, analyst.username)
    assert run.inputs == {
        "outreach_settings": {
            "first_attempt_business_days": 10,
            "unreachable_attempts": 3,
            "unreachable_days": 30,
            "unreachable_methods": 2,
            "referral_business_days": 10,
            "saved": False,
        },
        "counting_rules": COUNTING_RULES,
        "engagements_considered": 5,
        "attempts_considered": 11,
        "time_zone": "America/Los_Angeles",
        "period": {"first_day": "2026-07-01", "last_day": "2026-09-30"},
        "as_of": BUILT_AT.isoformat(),
        "quarter_complete": True,
        "phi": "Aggregate figures only: no member identifier is stored in a run.",
    }
    assert "DOMAIN 8 as amended 2026-12-01" in COUNTING_RULES
    event = AuditEvent.objects.get(code="outreach.measures.built")
    assert (event.target_id, event.actor, event.payload["year"], event.payload["quarter"]) == (
        str(run.pk),
        analyst,
        2026,
        3,
    )
    text = json.dumps(run.figures)
    members = Member.objects.filter(pk__in=Engagement.objects.values("member_id"))
    assert members.count() == 6
    assert not any(member.cin in text or member.first_name in text for member in members)


def test_each_build_is_a_new_run_and_runs_cannot_change(plan_a, quarter_rows):
    """DOMAIN 10: a quarter may be built many times; each build is its own immutable run."""
    first, second = build(plan_a), build(plan_a)
    assert first.pk != second.pk and first.figures == second.figures
    assert list(measure_runs_of(plan=plan_a, principal=OPERATOR).filter(pk__in=[first.pk, second.pk])) == [
        second,
        first,
    ]
    first.figures = {}
    with pytest.raises(AppendOnlyError):
        first.save()
    assert MeasureRun.objects.get(pk=first.pk).figures == second.figures


def test_a_quarter_in_progress_is_built_as_of_now(plan_a, quarter_rows):
    """DOMAIN 8: a quarter's report is buildable at any time, not only at quarter end."""
    with clocks.frozen(local("2026-09-26", 12)):
        run = measure_run_build(plan=plan_a, actor=OPERATOR, year=2026, quarter=3)
    assert run.inputs["quarter_complete"] is False
    assert run.figures["total"]["targeted"] == 4


@pytest.mark.parametrize(
    ("year", "quarter", "field", "code"),
    [
        (2027, 1, "quarter", "quarter_not_begun"),
        (2021, 4, "year", "quarter_before_ecm"),
        (2026, 5, "quarter", "quarter_invalid"),
        (2026, 0, "quarter", "quarter_invalid"),
    ],
)
def test_refused_quarters_say_which_field(plan_a, year, quarter, field, code):
    """DOMAIN 8 and 10: a quarter that has not begun, or one before ECM began (2022-01-01), has no
    measures to build."""
    with pytest.raises(DomainError) as refused:
        build(plan_a, year=year, quarter=quarter)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not MeasureRun.objects.exists()


def test_the_first_quarters_bounds_build(plan_a):
    """DOMAIN 8: 2022 Q1 is the first quarter (ECM began 2022-01-01); the current quarter has begun."""
    assert build(plan_a, year=2022, quarter=1).figures["total"] == measures(0, 0, 0, 0, 0.0)
    assert build(plan_a, year=2026, quarter=4).period_end == date(2026, 12, 31)


def test_who_may_build_and_read(plan_a, plan_b, quarter_rows, make_membership):
    """DOMAIN 10 and the access table: reporting analysts, plan administrators and integrators
    build; care coordinators read but may not build; another plan's run is not found."""
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR).user
    with pytest.raises(ActionNotPermitted):
        build(plan_a, actor=coordinator)
    run = build(plan_a, actor=make_membership(plan_a, Role.PLAN_ADMINISTRATOR).user)
    assert measure_run_get(plan=plan_a, principal=coordinator, pk=run.pk) == run
    with pytest.raises(MeasureRun.DoesNotExist):
        measure_run_get(plan=plan_b, principal=OPERATOR, pk=run.pk)


def test_the_quarter_end_job_builds_the_quarter_just_ended_once(plan_a, quarter_rows):
    """DOMAIN 8, 10: on the first (local) day of a quarter the job builds the one before; a rerun or a
    retried task builds nothing more, and a run built on demand does not stand in for the job's."""
    build(plan_a)  # on demand, before the job
    with clocks.frozen(local("2026-10-01", hour=4)):
        run = tasks.measures_quarter_end_task(plan_id=plan_a.pk)
        assert tasks.measures_quarter_end_task(plan_id=plan_a.pk) is None
    job_run = MeasureRun.objects.get(pk=run)
    assert (job_run.year, job_run.quarter, job_run.built_by_label) == (2026, 3, "system:outreach-quarter-end")
    assert job_run.figures["total"]["attempts"] == 7
    assert MeasureRun.objects.filter(plan=plan_a, year=2026, quarter=3).count() == 2


def test_the_quarter_end_job_in_january_builds_the_last_quarter_of_the_year_before(plan_a):
    """The first quarter's predecessor is Q4 of the previous year."""
    with clocks.frozen(local("2027-01-01", hour=4)):
        run = MeasureRun.objects.get(pk=tasks.measures_quarter_end_task(plan_id=plan_a.pk))
    assert (run.year, run.quarter, run.period_start, run.period_end) == (2026, 4, date(2026, 10, 1), date(2026, 12, 31))
