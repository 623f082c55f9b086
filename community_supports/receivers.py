"""An election removal reaches the members and providers it affects (DOMAIN 9; FAQ 24, 32):
benefits sends `election_removed` (it may not import the apps above it); this receiver calls the
authorizations services explicitly, in the removal's transaction.

- ACTIVE requests for the service whose member lives in the county: a plan discontinuation on the
  plan's own criterion, with its NOA, effective on the removal date or 10 days after the notice,
  whichever is later (DOMAIN 5.3), by `request_discontinue_for_service_removal`.
- APPROVED requests whose services have not started: no services are in place, and DOMAIN 5.2 has
  no plan-decided transition out of `approved` (withdrawal is for the member's reasons, a denial
  is of an undecided request). They stay approved and are not started past the last day offered;
  the coordinators and the provider are told per request, so services are either started and then
  discontinued like the others, or not started at all.
- A request whose authorized period ends before the removal, or whose discontinuation is already
  scheduled, is left as it is.
Each request's provider (its service assignment's organization) is told in-app.
"""

from django.db.models import Q
from django.urls import reverse

from authorizations.models import AuthorizationRequest, Status
from authorizations.services import request_discontinue_for_service_removal
from ecm_platform.notifications.services import notification_send, works_for
from ecm_platform.tenancy.access import Capability, Principal, holders, require
from ecm_platform.tenancy.models import Membership
from providers.models import ProviderMembership

JOB_NAME = "election removal"


def affected_requests(*, plan, election, removal_date):
    """The live requests of the election's service, in its county, that run into the removal."""
    return (
        AuthorizationRequest.objects.filter(
            plan=plan,
            service=election.service,
            member__county=election.county,
            status__in=[Status.ACTIVE, Status.APPROVED],
            discontinuation_effective_on__isnull=True,
        )
        .filter(Q(service_to__isnull=True) | Q(service_to__gte=removal_date))
        .select_related("member", "service", "service_assignment__organization")
        .order_by("pk")
    )


def _provider_staff(plan, organization_ids: set[int]) -> dict[int, list]:
    staff: dict[int, list] = {}
    logins = ProviderMembership.objects.filter(
        organization_id__in=organization_ids,
        role__in=holders(Capability.PROVIDER_REQUESTS_READ),
        is_active=True,
        user__is_active=True,
    ).select_related("user")
    for login in logins:
        if works_for(plan=plan, user=login.user):  # a provider under contract with the plan today
            staff.setdefault(login.organization_id, []).append(login.user)
    return staff


def on_election_removed(sender, *, plan, election, removal_date, actor, **kwargs) -> None:
    require(actor, Capability.ELECTIONS_MANAGE, plan=plan)  # as the removal that sends it
    job = Principal.system(JOB_NAME, Capability.AUTHORIZATIONS_DISCONTINUE, plan=plan)
    requests = list(affected_requests(plan=plan, election=election, removal_date=removal_date))
    assigned = [r.service_assignment for r in requests if r.service_assignment_id is not None]
    staff = _provider_staff(plan, {assignment.organization_id for assignment in assigned})
    coordinators = [
        membership.user
        for membership in Membership.objects.filter(
            plan=plan, role__in=holders(Capability.AUTHORIZATIONS_START_SERVICES), is_active=True, user__is_active=True
        ).select_related("user")
    ]
    service, last_day = election.service.name, election.effective_to
    for request in requests:
        link = reverse("authorization-detail", args=[request.pk])
        if request.status == Status.ACTIVE:
            request = request_discontinue_for_service_removal(
                plan=plan, actor=job, request=request, effective_on=removal_date
            )
            text = (
                f"{service} for member {request.member.cin} is discontinued from "
                f"{request.discontinuation_effective_on:%Y-%m-%d}: {plan} no longer offers it in {election.county}."
            )
        else:
            text = (
                f"{service} for member {request.member.cin} is approved but not started: {plan} no longer offers it "
                f"in {election.county} after {last_day:%Y-%m-%d}; start it before then or not at all."
            )
            for user in coordinators:
                notification_send(plan=plan, recipient=user, text=text, link=link)
        if request.service_assignment_id is not None:
            for user in staff.get(request.service_assignment.organization_id, []):
                notification_send(plan=plan, recipient=user, text=text)
