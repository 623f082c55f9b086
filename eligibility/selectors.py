"""Reads for eligibility: facts for the rules, determinations, events, scan runs."""

from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from ecm_platform.tenancy.models import HealthPlan
from eligibility import rules
from eligibility.models import (
    Determination,
    PlanPofStart,
    PopulationOfFocus,
    ScanCriteria,
    ScanRun,
    UtilizationEvent,
)
from members.models import MedicareModelRule, Member, ProgramEnrollment, ProgramRule
from members.selectors import active_on, enrollment_spans, program_enrollment_list


def in_force(day: date, prefix: str = "") -> Q:
    """Rows whose effective period covers `day`."""
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": day})
    )


def pof_catalogue(day: date | None = None) -> QuerySet[PopulationOfFocus]:
    pofs = PopulationOfFocus.objects.all()
    return pofs.filter(in_force(day)) if day else pofs


def scan_criteria_for(data_month: date) -> ScanCriteria:
    criteria = ScanCriteria.objects.filter(effective_from__lte=data_month).order_by("-effective_from").first()
    if criteria is None:
        raise LookupError(f"No high-utilizer criteria in force for {data_month:%Y-%m}.")
    return criteria


def determination_list(*, plan: HealthPlan) -> QuerySet[Determination]:
    return Determination.objects.filter(plan=plan).select_related("member", "pof", "made_by")


def determinations_open_on(*, plan: HealthPlan, member: Member, day: date) -> QuerySet[Determination]:
    return determination_list(plan=plan).filter(member=member).filter(active_on(day))


def member_determinations(*, plan: HealthPlan, member: Member, day: date) -> QuerySet[Determination]:
    """The member's determinations, each with `is_open` on `day` and the plan's early start for its
    POF in the member's county (`plan_start`, DOMAIN 3.4): what a page lists and the rules read."""
    plan_start = PlanPofStart.objects.filter(plan=plan, county=member.county_id, pof=OuterRef("pof"))
    return (
        determination_list(plan=plan)
        .filter(member=member)
        .annotate(
            plan_start=Subquery(plan_start.values("start_date")[:1]),
            is_open=ExpressionWrapper(active_on(day), output_field=BooleanField()),
        )
    )


def member_programs(*, plan: HealthPlan, member: Member, day: date) -> QuerySet[ProgramEnrollment]:
    """The member's other-program enrollments, each with `is_open` on `day` and the treatment and
    note of its program's first rule in force that day (None without one)."""
    rule = ProgramRule.objects.filter(in_force(day), program=OuterRef("program")).order_by("effective_from")
    return (
        program_enrollment_list(plan=plan)
        .filter(member=member)
        .annotate(
            is_open=ExpressionWrapper(active_on(day), output_field=BooleanField()),
            rule_treatment=Subquery(rule.values("treatment")[:1]),
            rule_note=Subquery(rule.values("note")[:1]),
        )
    )


def member_facts(
    *, plan: HealthPlan, member: Member, day: date, determinations=None, programs=None
) -> rules.MemberFacts:
    """Everything the DOMAIN 3-4 rules need about one member on one day, in three queries: the
    enrollment and Medicare model rule with the member's row, and the two lists below. A page that
    lists them passes what it read from `member_determinations` and `member_programs` (same day)."""
    medicare_rule = MedicareModelRule.objects.filter(in_force(day), medicare_model=OuterRef("medicare_model"))
    facts = (
        Member.objects.filter(plan=plan, pk=member.pk)
        .annotate(
            is_enrolled=Exists(enrollment_spans(plan=plan, member=OuterRef("pk")).filter(active_on(day))),
            medicare_eligible=Subquery(medicare_rule.values("is_eligible")[:1]),
            medicare_note=Subquery(medicare_rule.values("note")[:1]),
        )
        .values("is_enrolled", "medicare_eligible", "medicare_note")
        .get()
    )
    if programs is None:
        programs = member_programs(plan=plan, member=member, day=day).filter(active_on(day))
    if determinations is None:
        determinations = member_determinations(plan=plan, member=member, day=day).filter(active_on(day))
    pofs = [
        rules.PofFacts(
            code=d.pof.code,
            name=d.pof.name,
            min_age=d.pof.min_age,
            max_age=d.pof.max_age,
            live_on=rules.pof_live_date(
                dhcs_wpc_hhp=d.pof.live_in_wpc_hhp_counties,
                dhcs_other=d.pof.live_in_other_counties,
                county_has_wpc_hhp=member.county.has_wpc_or_hhp,
                plan_start=d.plan_start,
            ),
        )
        for d in determinations
        if d.is_open
    ]
    return rules.MemberFacts(
        birth_date=member.birth_date,
        is_enrolled=facts["is_enrolled"],
        medicare_eligible=bool(facts["medicare_eligible"]),
        medicare_note=facts["medicare_note"]
        or f"{member.get_medicare_model_display()} members are not eligible on {day:%Y-%m-%d}.",
        programs=tuple(
            rules.ProgramFacts(p.program.name, p.rule_treatment, p.rule_note)
            for p in programs
            if p.is_open and p.rule_treatment is not None
        ),
        pofs=tuple({pof.code: pof for pof in pofs}.values()),
    )


def member_eligibility(
    *, plan: HealthPlan, member: Member, day: date, determinations=None, programs=None
) -> rules.EligibilityResult:
    facts = member_facts(plan=plan, member=member, day=day, determinations=determinations, programs=programs)
    return rules.ecm_eligibility(facts, day)


def event_list(*, plan: HealthPlan) -> QuerySet[UtilizationEvent]:
    return UtilizationEvent.objects.filter(plan=plan).select_related("member")


def scan_run_list(*, plan: HealthPlan) -> QuerySet[ScanRun]:
    return ScanRun.objects.filter(plan=plan).select_related("triggered_by").order_by("-id")


def plan_pof_start_list(*, plan: HealthPlan) -> QuerySet[PlanPofStart]:
    """The plan's early starts (DOMAIN 3.4), by county and POF."""
    return PlanPofStart.objects.filter(plan=plan).select_related("county", "pof").order_by("county__code", "pof__name")
