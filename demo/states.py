"""The rest of the lifecycle for the demo plan (DOMAIN 5.2, 5.4, 6, 7): presumptive starts, a
withdrawal, discontinuations, appeals and grievances, and an approved member awaiting an ECM
Provider. Each step is the service a user would call, as that user, at the time it would happen."""

from datetime import timedelta

from authorizations import services as authorizations
from authorizations.models import (
    Appeal,
    AppealOutcome,
    AuthorizationRequest,
    DiscontinuationReason,
    Grievance,
    GrievanceOutcome,
    NoticeType,
    RequestSource,
    WithdrawalReason,
)
from authorizations.services.discontinuation import discontinuation_job
from ecm_platform import clocks
from ecm_platform.tenancy.access import Principal
from eligibility.models import Determination
from members.models import Member
from providers.models import Assignment, ProviderMembership, ProviderOrganization
from providers.services import assignment_set_lead_care_manager

PRESUMPTIVE_PROVIDER = "1234567893"  # Eastbay Community Health Center: its contract allows it
NOTE = "Synthetic request for the demo's lifecycle states."
DISCONTINUED_AGO = 30  # days since the first discontinuation was decided (effective 20 days ago)


def unrequested_members(plan, *, assigned=False, county=None, pof=None, since=None) -> list:
    """Members with a Population of Focus in force (`since` a day, if given) and no request, with
    an ECM Provider already (`assigned`) or none, by id."""
    determinations = Determination.objects.filter(plan=plan, end_date__isnull=True)
    if since:
        determinations = determinations.filter(start_date__lte=since)
    if pof:
        determinations = determinations.filter(pof__code=pof)
    rows = Member.objects.filter(plan=plan, pk__in=determinations.values("member_id")).exclude(
        pk__in=AuthorizationRequest.objects.filter(plan=plan).values("member_id")
    )
    providers = Assignment.objects.filter(plan=plan, ended_on__isnull=True).values("member_id")
    rows = rows.filter(pk__in=providers) if assigned else rows.exclude(pk__in=providers)
    return list((rows.filter(county__code=county) if county else rows).order_by("id"))


def pofs_of(plan, member) -> list:
    return [d.pof for d in Determination.objects.filter(plan=plan, member=member, end_date__isnull=True)]


def submitted(plan, coordinator, reviewer, member, *, received_at):
    request = authorizations.request_submit(
        plan=plan, actor=coordinator, member=member, source=RequestSource.PROVIDER_REFERRAL, received_at=received_at,
        requester_name="Demo referral", notes=NOTE, pofs=pofs_of(plan, member),
    )  # fmt: skip
    return authorizations.request_start_review(plan=plan, actor=reviewer, request=request)


def started_services(plan, coordinator, request):
    """Services start once the member's provider has named a Lead Care Manager (DOMAIN 5.2, 7)."""
    assignment = Assignment.objects.filter(plan=plan, member=request.member, ended_on__isnull=True).first()
    if assignment is None:
        return request
    if assignment.lead_care_manager_id is None:
        care_manager = assignment.organization.care_managers.order_by("id").first()
        assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=care_manager, actor=coordinator)
    return authorizations.request_start_services(plan=plan, actor=coordinator, request=request)


def load_presumptive(plan, members) -> None:
    """Two presumptive starts by the provider's own staff; the member of the second declines."""
    organization = ProviderOrganization.objects.get(npi=PRESUMPTIVE_PROVIDER)
    login = ProviderMembership.objects.filter(organization=organization, is_active=True).order_by("id").first()
    staff = Principal.of_provider_membership(login, plan_ids=[plan.pk])
    started = [
        authorizations.request_start_presumptive(
            plan=plan, actor=staff, member=member, organization=organization, notes=NOTE, pofs=pofs_of(plan, member)
        )
        for member in members
    ]
    authorizations.request_withdraw(
        plan=plan, actor=staff, request=started[-1], reason=WithdrawalReason.MEMBER_DECLINED,
        note="The member asked their provider to stop.",
    )  # fmt: skip


def load_discontinuations(plan, coordinator, reviewer, members, now) -> None:
    """Discontinuations (DOMAIN 5.2, 6): one decided a month ago, which the daily job has let take
    effect; one decided today, scheduled for ten days from now (the notice at least 10 days before)."""
    for member, decided in zip(members, (now - timedelta(days=DISCONTINUED_AGO), now), strict=True):
        with clocks.frozen(decided - timedelta(days=10)):
            request = submitted(plan, coordinator, reviewer, member, received_at=clocks.now())
            request = started_services(plan, coordinator, authorizations.request_approve(
                plan=plan, actor=reviewer, request=request))  # fmt: skip
        with clocks.frozen(decided):
            authorizations.request_propose_discontinuation(
                plan=plan, actor=coordinator, request=request, reason=DiscontinuationReason.GOALS_MET,
                proposed_by="provider", note="All care plan goals met.",
            )  # fmt: skip
            authorizations.request_discontinue(
                plan=plan, actor=reviewer, request=request, reason=DiscontinuationReason.GOALS_MET,
                effective_on=clocks.local_date(decided) + timedelta(days=10),
            )  # fmt: skip
    authorizations.discontinuations_take_effect(plan=plan, actor=discontinuation_job(plan))


def load_appeals_and_grievances(plan, coordinator, reviewer, now) -> None:
    """An appeal of each denial: one just received (its acknowledgement due), one acknowledged and
    overturned; a grievance received, one acknowledged, one resolved (DOMAIN 5.4)."""
    denials = AuthorizationRequest.objects.filter(plan=plan, notices__notice_type=NoticeType.DENIAL).order_by("id")
    for number, request in enumerate(denials[:2]):
        notice = request.notices.get(notice_type=NoticeType.DENIAL)
        appeal = authorizations.appeal_file(
            plan=plan, actor=coordinator, notice=notice, reason="The member meets a Population of Focus."
        )
        if number:
            authorizations.appeal_acknowledge(plan=plan, actor=coordinator, appeal=appeal)
            authorizations.appeal_resolve(
                plan=plan, actor=reviewer, appeal=appeal, outcome=AppealOutcome.OVERTURNED,
                summary="New records show the member experiences homelessness.",
            )  # fmt: skip
    members = Member.objects.filter(plan=plan, authorization_requests__isnull=False).distinct().order_by("id")[:3]
    for number, member in enumerate(members):
        grievance = authorizations.grievance_file(
            plan=plan, actor=coordinator, member=member, received_at=now - timedelta(days=3 * number, hours=1),
            description="The member waited long for a call back.",
        )  # fmt: skip
        if number:
            authorizations.grievance_acknowledge(plan=plan, actor=coordinator, grievance=grievance)
        if number == 2:
            authorizations.grievance_resolve(
                plan=plan, actor=coordinator, grievance=grievance, outcome=GrievanceOutcome.RESOLVED,
                summary="The provider called the member and apologized.",
            )  # fmt: skip


def load_awaiting(plan, coordinator, reviewer, member, now) -> None:
    """A high utilizer in a county where no ECM Provider takes high utilizers: the approval puts
    them on the awaiting-assignment worklist (DOMAIN 7: never silent)."""
    authorizations.request_approve(
        plan=plan, actor=reviewer, request=submitted(plan, coordinator, reviewer, member, received_at=now)
    )


def load_states(plan, *, coordinator, reviewer) -> int:
    """Every state beyond the review queue, once (skipped where the demo has appeals already)."""
    if Appeal.objects.filter(plan=plan).exists() or Grievance.objects.filter(plan=plan).exists():
        return 0
    now = clocks.now()
    load_presumptive(plan, unrequested_members(plan, county="01")[:2])
    eligible_since = clocks.local_date(now) - timedelta(days=DISCONTINUED_AGO + 10)
    load_discontinuations(
        plan, coordinator, reviewer, unrequested_members(plan, assigned=True, since=eligible_since)[:2], now
    )
    load_appeals_and_grievances(plan, coordinator, reviewer, now)
    waiting = unrequested_members(plan, county="10", pof="HIGH_UTILIZER")
    if waiting:
        load_awaiting(plan, coordinator, reviewer, waiting[0], now)
    return AuthorizationRequest.objects.filter(plan=plan).count()
