"""Plain helpers of the authorization tests (DOMAIN 5.1, 5.2): requests submitted, reviewed and
started through the services, and an eligible member. Their fixtures are in conftest.py."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from authorizations import services
from authorizations.models import AuthorizationRequest, RequestSource
from ecm_platform.tenancy.access import OPERATOR, Principal
from ecm_platform.tenancy.models import ProviderRole
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import determination_record
from providers.selectors import open_assignment
from providers.services import assignment_set_lead_care_manager, care_manager_add
from providers.staff import provider_membership_create
from tests.factories import UserFactory, enrolled_member

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 23, 10, tzinfo=LA)  # the Monday before Thanksgiving 2026


def start_presumptive(plan, member, organization):
    """DOMAIN 5.2: provider staff start presumptively, where their contract allows."""
    login = provider_membership_create(
        actor=OPERATOR, organization=organization, user=UserFactory(), role=ProviderRole.CARE_MANAGER
    )
    staff = Principal.of_provider_membership(login, plan_ids=[plan.pk])
    return services.request_start_presumptive(plan=plan, actor=staff, member=member, organization=organization)


def start_services(plan, coordinator, request):
    """DOMAIN 5.2: services start once the assigned provider's Lead Care Manager is recorded."""
    assignment = open_assignment(plan=plan, member=request.member)
    care_manager = care_manager_add(plan=plan, actor=OPERATOR, organization=assignment.organization, name="Lee Park")
    assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=care_manager, actor=OPERATOR)
    return services.request_start_services(plan=plan, actor=coordinator, request=reload(request))


def homeless_member(plan, **kwargs):
    member = enrolled_member(plan, **kwargs)
    pof = PopulationOfFocus.objects.get(code="HOMELESS")
    determination_record(
        plan=plan, member=member, pof=pof, source=DeterminationSource.REFERRAL,
        start_date=date(2025, 6, 1), criteria_met=pof.criteria, actor=OPERATOR,
    )  # fmt: skip
    return member


def submit(plan, actor, member, source=RequestSource.PROVIDER_REFERRAL, **kwargs):
    return services.request_submit(plan=plan, actor=actor, member=member, source=source, **kwargs)


def in_review(plan, coordinator, reviewer, member, **kwargs):
    request = submit(plan, coordinator, member, **kwargs)
    return services.request_start_review(plan=plan, actor=reviewer, request=request)


def reload(request):
    return AuthorizationRequest.objects.get(pk=request.pk)
