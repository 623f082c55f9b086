"""Every write on the plan's Community Supports elections (DOMAIN 9; FAQ 24, 32).

An election offers one Community Support in one of the plan's counties from an addition anchor date;
a removal ends it on the day before a removal anchor (benefits.rules). A mandatory service
(`mandatory_from`, e.g. Transitional Rent) is offered everywhere from that day without an election
and cannot be removed. ECM is never elected: it is offered in every county.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from benefits import rules, signals
from benefits.models import CatalogueService, Election, ServiceKind
from ecm_platform import clocks
from ecm_platform.audit.services import audit_record
from ecm_platform.errors import ConflictError, DomainError
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import Capability, actor_user, holders, require
from ecm_platform.tenancy.models import County, HealthPlan, Membership

OFFERED_PATH = "/community-supports/offered/"


def _check_approval(state_approved_on: date | None) -> None:
    if state_approved_on is not None and state_approved_on > clocks.local_date(clocks.now()):
        raise DomainError("The state's approval cannot be dated in the future.", field="state_approved_on")


def _check_service(service: CatalogueService, effective_from: date) -> None:
    if service.kind != ServiceKind.COMMUNITY_SUPPORT:
        raise DomainError(
            f"{service.name} is not a Community Support: only Community Supports are elected per county.",
            field="service",
        )
    if service.mandatory_from is not None and effective_from >= service.mandatory_from:
        raise DomainError(
            f"{service.name} is mandatory from {service.mandatory_from:%Y-%m-%d}: it is offered in every county "
            "without an election.",
            field="service",
        )
    if effective_from < service.effective_from or (
        service.effective_to is not None and effective_from > service.effective_to
    ):
        raise DomainError(
            f"{service.name} is not in the catalogue on {effective_from:%Y-%m-%d}.", field="effective_from"
        )


@transaction.atomic
def election_add(
    *,
    plan: HealthPlan,
    actor,
    county: County,
    service: CatalogueService,
    effective_from: date,
    state_approved_on: date | None = None,
    note: str = "",
) -> Election:
    """Offer `service` in `county` from `effective_from` (1 January or 1 July, DOMAIN 9)."""
    require(actor, Capability.ELECTIONS_MANAGE, plan=plan)
    if not plan.counties.filter(pk=county.pk).exists():
        raise DomainError(f"{county} is not one of {plan}'s counties.", field="county")
    _check_service(service, effective_from)
    problem = rules.why_not_an_addition_date(effective_from)
    if problem:
        raise DomainError(problem, field="effective_from", code="not_an_anchor")
    _check_approval(state_approved_on)
    overlapping = (
        Election.objects.select_for_update()
        .filter(plan=plan, county=county, service=service)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            f"{service.name} is already elected in {county} from {overlapping.effective_from:%Y-%m-%d}"
            + (f" to {overlapping.effective_to:%Y-%m-%d}." if overlapping.effective_to else "."),
            field="effective_from",
            code="overlap",
        )
    try:
        with transaction.atomic():
            election = Election.objects.create(
                plan=plan,
                county=county,
                service=service,
                effective_from=effective_from,
                state_approved_on=state_approved_on,
                note=note.strip(),
                created_by=actor_user(actor),
                created_at=clocks.now(),
            )
    except IntegrityError as error:  # another administrator elected it at the same moment
        raise ConflictError(f"{service.name} was just elected in {county}.", field="service") from error
    audit_record(
        code="benefits.election.added",
        plan=plan,
        actor=actor,
        target=election,
        payload={"county": county.pk, "service": service.code, "effective_from": effective_from.isoformat()},
    )
    return election


@transaction.atomic
def election_cancel(*, plan: HealthPlan, actor, election: Election) -> None:
    """Withdraw a planned addition before its first day: it never took effect, so no one held the
    service and the row goes (the audit trail keeps it). Once in effect only a removal on 1 January
    ends it (DOMAIN 9): 409."""
    require(actor, Capability.ELECTIONS_MANAGE, plan=plan)
    election = Election.objects.select_for_update().select_related("service", "county").get(pk=election.pk, plan=plan)
    today = clocks.local_date(clocks.now())
    if election.effective_from <= today:
        raise ConflictError(
            f"{election.service.name} is offered in {election.county} since {election.effective_from:%Y-%m-%d}: "
            f"remove it on {rules.next_removal_date(today):%Y-%m-%d} instead.",
            field="election",
            code="in_effect",
        )
    audit_record(
        code="benefits.election.cancelled",
        plan=plan,
        actor=actor,
        target=election,
        payload={
            "county": election.county_id,
            "service": election.service.code,
            "effective_from": election.effective_from.isoformat(),
        },
    )
    election.delete()


@transaction.atomic
def election_remove(
    *,
    plan: HealthPlan,
    actor,
    election: Election,
    removal_date: date,
    state_approved_on: date | None = None,
    note: str = "",
) -> Election:
    """Stop offering the election's service from `removal_date` (1 January, DOMAIN 9): its last
    day offered is the day before. The plan's care coordinators are notified; the members holding
    the service in the county and their providers are told through `signals.election_removed`
    (community_supports.receivers: a discontinuation notice each, and the provider's staff)."""
    require(actor, Capability.ELECTIONS_MANAGE, plan=plan)
    election = Election.objects.select_for_update().select_related("service", "county").get(pk=election.pk, plan=plan)
    service = election.service
    if election.effective_to is not None:
        raise ConflictError(
            f"This election already ends on {election.effective_to:%Y-%m-%d}.", field="election", code="removed"
        )
    if service.mandatory_from is not None and removal_date >= service.mandatory_from:
        raise DomainError(
            f"{service.name} is mandatory from {service.mandatory_from:%Y-%m-%d} and cannot be removed.",
            field="election",
            code="mandatory",
        )
    problem = rules.why_not_a_removal_date(removal_date)
    if problem:
        raise DomainError(problem, field="removal_date", code="not_an_anchor")
    today = clocks.local_date(clocks.now())
    if removal_date <= today:
        raise DomainError(
            f"A removal takes effect in the future; the next valid date is {rules.next_removal_date(today):%Y-%m-%d}.",
            field="removal_date",
        )
    if removal_date <= election.effective_from:
        raise DomainError(
            f"The election starts on {election.effective_from:%Y-%m-%d}; a removal takes effect after it.",
            field="removal_date",
        )
    _check_approval(state_approved_on)
    election.effective_to = removal_date - timedelta(days=1)
    election.removed_by = actor_user(actor)
    election.removed_at = clocks.now()
    if state_approved_on is not None:
        election.state_approved_on = state_approved_on
    if note.strip():
        election.note = note.strip()
    election.save(update_fields=["effective_to", "removed_by", "removed_at", "state_approved_on", "note"])
    audit_record(
        code="benefits.election.removed",
        plan=plan,
        actor=actor,
        target=election,
        payload={
            "county": election.county_id,
            "service": service.code,
            "effective_to": election.effective_to.isoformat(),
        },
    )
    # The care coordinators, who start the plan's services for members (the capability table).
    coordinators = Membership.objects.filter(
        plan=plan, role__in=holders(Capability.AUTHORIZATIONS_START_SERVICES), is_active=True, user__is_active=True
    ).select_related("user")
    for membership in coordinators:
        notification_send(
            plan=plan,
            recipient=membership.user,
            text=(
                f"{service.name} is no longer offered in {election.county} from {removal_date:%Y-%m-%d} "
                f"(last day {election.effective_to:%Y-%m-%d})."
            ),
            link=f"{OFFERED_PATH}?county={election.county_id}&on={removal_date:%Y-%m-%d}",
        )
    signals.election_removed.send(sender=Election, plan=plan, election=election, removal_date=removal_date, actor=actor)
    return election
