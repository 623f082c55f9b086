"""Reads for eligibility: facts for the rules, determinations, events, scan runs."""

from datetime import date

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

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
from members.selectors import active_on, enrolled_on


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


def member_facts(*, plan: HealthPlan, member: Member, day: date) -> rules.MemberFacts:
    """Everything the DOMAIN 3-4 rules need about one member on one day (a handful of queries)."""
    is_enrolled = enrolled_on(plan=plan, member=member, day=day)
    medicare_rule = MedicareModelRule.objects.filter(in_force(day), medicare_model=member.medicare_model).first()
    programs = []
    enrollments = ProgramEnrollment.objects.filter(plan=plan, member=member).filter(active_on(day))
    # The rules in force on the day, fetched for all the programs at once (in the model's order, so
    # the first one is the one a per-program `.first()` would pick).
    in_force_rules = Prefetch(
        "program__rules", queryset=ProgramRule.objects.filter(in_force(day)), to_attr="rules_in_force"
    )
    for enrollment in enrollments.select_related("program").prefetch_related(in_force_rules):
        rule = next(iter(enrollment.program.rules_in_force), None)
        if rule is not None:
            programs.append(rules.ProgramFacts(enrollment.program.name, rule.treatment, rule.note))
    # The plan's early start for each POF in the member's county, read with the determinations.
    plan_start = PlanPofStart.objects.filter(plan=plan, county=member.county_id, pof=OuterRef("pof"))
    determinations = determinations_open_on(plan=plan, member=member, day=day).annotate(
        plan_start=Subquery(plan_start.values("start_date")[:1])
    )
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
    ]
    return rules.MemberFacts(
        birth_date=member.birth_date,
        is_enrolled=is_enrolled,
        medicare_eligible=medicare_rule is not None and medicare_rule.is_eligible,
        medicare_note=(medicare_rule.note if medicare_rule else "")
        or f"{member.get_medicare_model_display()} members are not eligible on {day:%Y-%m-%d}.",
        programs=tuple(programs),
        pofs=tuple({pof.code: pof for pof in pofs}.values()),
    )


def member_eligibility(*, plan: HealthPlan, member: Member, day: date) -> rules.EligibilityResult:
    return rules.ecm_eligibility(member_facts(plan=plan, member=member, day=day), day)


def event_list(*, plan: HealthPlan) -> QuerySet[UtilizationEvent]:
    return UtilizationEvent.objects.filter(plan=plan).select_related("member")


def scan_run_list(*, plan: HealthPlan) -> QuerySet[ScanRun]:
    return ScanRun.objects.filter(plan=plan).select_related("triggered_by").order_by("-id")


def plan_pof_start_list(*, plan: HealthPlan) -> QuerySet[PlanPofStart]:
    """The plan's early starts (DOMAIN 3.4), by county and POF."""
    return PlanPofStart.objects.filter(plan=plan).select_related("county", "pof").order_by("county__code", "pof__name")
