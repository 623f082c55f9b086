from datetime import date

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from benefits.models import ECM_CODE
from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from eligibility.selectors import determination_list
from members.models import Member
from providers.models import (
    Assignment,
    AwaitingAssignment,
    CareManager,
    Contract,
    ContractService,
    ProviderChangeRequest,
    ProviderOrganization,
    ServiceAssignment,
    VettingCheck,
    VettingCriterion,
)


def organization_list() -> QuerySet[ProviderOrganization]:
    """The directory of organizations (shared records; no plan's contract data)."""
    return ProviderOrganization.objects.prefetch_related("counties", "pof_experience")


def contracted_organizations(*, plan: HealthPlan) -> QuerySet[ProviderOrganization]:
    return organization_list().filter(contracts__plan=plan).distinct()


def organization_choices(*, plan: HealthPlan) -> QuerySet[ProviderOrganization]:
    """The plan's contracted organizations by name, for a form's choices: without the directory's
    prefetched counties and POFs, which a choice does not show."""
    return contracted_organizations(plan=plan).prefetch_related(None).order_by("name")


def open_on(day: date, prefix: str = "") -> Q:
    """Assignments holding their place on `day`: started by then and not ended before (DOMAIN 7)."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


def in_force_on(day: date) -> Q:
    """Contracts in force on `day`: activated by then, which needs the vetting complete (DOMAIN 7),
    started, and not past their end date (the last day)."""
    return Q(activated_on__lte=day, start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def with_capacity_on(contracts: QuerySet[Contract], day: date) -> QuerySet[Contract]:
    """The one ECM capacity function (DOMAIN 7), for the assignment and the dashboard: per contract
    and day, `capacity` = its ECM line's, `assigned` = the assignments open that day and
    `capacity_left` = the capacity minus them (0 for a contract without ECM). Correlated
    subqueries, so it stays one query however many contracts there are."""
    ecm_capacity = ContractService.objects.filter(contract=OuterRef("pk"), service__code=ECM_CODE).values("capacity")
    return contracts.annotate(
        capacity=Coalesce(Subquery(ecm_capacity[:1], output_field=IntegerField()), 0),
        assigned=Coalesce(_open_count(Assignment.objects.filter(contract=OuterRef("pk")), "contract", day), 0),
    ).annotate(capacity_left=F("capacity") - F("assigned"))


def _open_count(rows, by: str, day: date) -> Subquery:
    """How many of `rows` (assignments of one contract or line) hold their place on `day`."""
    counted = rows.filter(open_on(day)).order_by().values(by).annotate(n=Count("pk")).values("n")
    return Subquery(counted, output_field=IntegerField())


def lines_with_capacity_on(lines: QuerySet[ContractService], day: date) -> QuerySet[ContractService]:
    """Each contract line's capacity on `day` (DOMAIN 7, 9): `assigned` = the members it holds that
    day (ECM: the contract's assignments; a Community Support: the line's service assignments) and
    `capacity_left` = its capacity minus them. Correlated subqueries: one query for any number of lines."""
    ecm_open = _open_count(Assignment.objects.filter(contract=OuterRef("contract")), "contract", day)
    cs_open = _open_count(ServiceAssignment.objects.filter(line=OuterRef("pk")), "line", day)
    return lines.annotate(
        assigned=Coalesce(Case(When(service__code=ECM_CODE, then=ecm_open), default=cs_open), 0)
    ).annotate(capacity_left=F("capacity") - F("assigned"))


def contracts_in_force(*, plan: HealthPlan, day: date) -> QuerySet[Contract]:
    """The plan's ECM contracts in force on `day`, with their capacity that day. Community Supports
    contracts never take ECM members, nor count in ECM capacity."""
    ecm = Contract.objects.filter(plan=plan, lines__service__code=ECM_CODE)
    return with_capacity_on(ecm.filter(in_force_on(day)), day)


def contract_list(*, plan: HealthPlan) -> QuerySet[Contract]:
    """Every contract of the plan, with its ECM capacity today and each line's (`lines`)."""
    today = clocks.local_date(clocks.now())
    lines = lines_with_capacity_on(ContractService.objects.filter(plan=plan).select_related("service"), today)
    return with_capacity_on(
        Contract.objects.filter(plan=plan)
        .select_related("organization")
        .prefetch_related("counties", "pofs", Prefetch("lines", queryset=lines)),
        today,
    )


def open_assignment(*, plan: HealthPlan, member: Member, on: date | None = None) -> Assignment | None:
    """The member's ECM Provider on `on` (default today): the newest assignment open that day."""
    day = on or clocks.local_date(clocks.now())
    return (
        Assignment.objects.filter(plan=plan, member=member)
        .filter(open_on(day))
        .select_related("organization", "contract", "lead_care_manager")
        .order_by("-started_on", "-pk")
        .first()
    )


def care_manager_list(*, plan: HealthPlan) -> QuerySet[CareManager]:
    """Care managers at the plan's contracted organizations, with their caseload in this plan only."""
    return (
        CareManager.objects.filter(organization__contracts__plan=plan)
        .distinct()
        .select_related("organization")
        .annotate(
            caseload=Count(
                "assignments",
                filter=Q(assignments__plan=plan) & open_on(clocks.local_date(clocks.now()), "assignments__"),
                distinct=True,
            )
        )
    )


def assignment_list(*, plan: HealthPlan) -> QuerySet[Assignment]:
    return Assignment.objects.filter(plan=plan).select_related("member", "organization", "lead_care_manager")


def organization_get_contracted(*, plan: HealthPlan, pk) -> ProviderOrganization:
    # Its counties, not the POF experience the directory lists: no page of one organization shows it.
    organization = (
        contracted_organizations(plan=plan).prefetch_related(None).prefetch_related("counties").filter(pk=pk).first()
    )
    if organization is None:
        raise Http404("No such provider among the plan's contracts.")
    return organization


def capacity_grid(*, plan: HealthPlan, day: date | None = None) -> dict:
    """Counties by POFs on `day` (default today), from the ECM contracts in force: declared
    `capacity`, `capacity_left` (the capacity function's, an over-full contract counting 0),
    members `assigned` and members `identified` (DOMAIN 7).

    A contract covering several counties or POFs is one pool offered in each of them, so a cell's
    capacity left is an upper bound on what can be assigned there, not a share of the pool.
    """
    day = day or clocks.local_date(clocks.now())
    cells = (
        contracts_in_force(plan=plan, day=day)
        .values("counties__code", "pofs__code")
        .annotate(declared=Sum("capacity"), left=Sum(Greatest("capacity_left", 0)))
        .order_by()
    )
    capacity, capacity_left = {}, {}
    for cell in cells:
        key = (cell["counties__code"], cell["pofs__code"])
        capacity[key], capacity_left[key] = cell["declared"], cell["left"]
    open_pofs = determination_list(plan=plan).filter(end_date__isnull=True)
    assigned_members = Assignment.objects.filter(plan=plan).filter(open_on(day)).values("member_id")

    def counts(determinations):
        rows = determinations.values("member__county__code", "pof__code").annotate(
            members=Count("member", distinct=True)
        )
        return {(row["member__county__code"], row["pof__code"]): row["members"] for row in rows}

    return {
        "capacity": capacity,
        "capacity_left": capacity_left,
        "assigned": counts(open_pofs.filter(member_id__in=assigned_members)),
        "identified": counts(open_pofs),
    }


def awaiting_assignment_list(*, plan: HealthPlan) -> QuerySet[AwaitingAssignment]:
    """Authorized members no provider could take yet, the longest waiting first (DOMAIN 7)."""
    return (
        AwaitingAssignment.objects.filter(plan=plan, resolved_at__isnull=True)
        .select_related("member", "preferred_organization")
        .order_by("since", "pk")
    )


def vetting_criteria(*, organization: ProviderOrganization) -> QuerySet[VettingCriterion]:
    """The criteria the organization meets before a plan activates its contract (DOMAIN 7): the
    vetting of Policy Guide VII, or the enrollment of its state Medi-Cal pathway."""
    return VettingCriterion.objects.filter(is_active=True, pathway=organization.enrollment_pathway)


def vetting_missing(*, plan: HealthPlan, organization: ProviderOrganization) -> list[VettingCriterion]:
    """The criteria not yet recorded as met for this plan; none left and the vetting is complete."""
    checks = VettingCheck.objects.filter(plan=plan, organization=organization).only("criterion")
    return vetting_unmet(vetting_criteria(organization=organization), checks)


def vetting_unmet(criteria, checks) -> list[VettingCriterion]:
    """The `criteria` no check records as met: `vetting_missing` over rows a page has read already."""
    met = {check.criterion for check in checks}
    return [criterion for criterion in criteria if criterion.text not in met]


def vetting_checks(*, plan: HealthPlan, organization: ProviderOrganization) -> QuerySet[VettingCheck]:
    return VettingCheck.objects.filter(plan=plan, organization=organization).select_related("reviewer")


def change_request_list(*, plan: HealthPlan) -> QuerySet[ProviderChangeRequest]:
    return ProviderChangeRequest.objects.filter(plan=plan).select_related("member", "requested_organization")
