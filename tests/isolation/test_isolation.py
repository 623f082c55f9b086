"""The isolation harness (ARCHITECTURE.md, Tenancy): for every role, a user of plan B acts against
plan A's objects on every page and API operation. Foreign objects are 404 (403 where the role may
not use the route at all), plan A's rows never appear, and refused writes change nothing.

A route without a spec here fails `test_every_route_is_covered`; later issues add their objects to
the fixtures and their routes to the specs, not new logic.
"""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from authorizations.models import (
    Appeal,
    AuthorizationRequest,
    AuthorizationSettings,
    DenialReason,
    Grievance,
    Notice,
    RequestAttachment,
    RequestSource,
)
from authorizations.services import (
    appeal_file,
    attachment_add,
    grievance_file,
    request_deny,
    request_start_review,
    request_submit,
)
from authorizations.services.settings import authorization_settings_update
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent, PhiAccess, PhiPurpose
from ecm_platform.audit.services import phi_access_record
from ecm_platform.calendars.models import Holiday
from ecm_platform.calendars.services import holiday_create
from ecm_platform.jobs.models import ImportJob
from ecm_platform.notifications.models import Notification
from ecm_platform.notifications.services import notification_send
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.middleware import SESSION_PLAN_KEY
from ecm_platform.tenancy.models import County, HealthPlan, Membership, PlanApiKey, ProviderRole, Role
from ecm_platform.tenancy.services import _grant_admin_site as grant_admin_site
from eligibility.models import Determination, PlanPofStart, PopulationOfFocus, ScanRun, UtilizationEvent
from eligibility.scan import high_utilizer_scan
from eligibility.services import plan_pof_start_set
from members.models import EnrollmentSpan, Member, Program, ProgramEnrollment
from members.services import program_enrollment_add
from providers.models import (
    Assignment,
    AssignmentSettings,
    AwaitingAssignment,
    CareManager,
    Contract,
    ContractService,
    ProviderChangeRequest,
    ProviderMembership,
    VettingCheck,
)
from providers.services import (
    assignment_assign,
    assignment_settings_set,
    care_manager_add,
    contract_create,
    organization_create,
    provider_change_request,
)
from providers.staff import provider_membership_create
from tests.conftest import (
    PLAN_A,
    PLAN_B,
    api_client_of,
    built_once_per_module,
    membership_of,
    module_row_copies,
    plan_of,
)
from tests.factories import EventFactory, MembershipFactory, UserFactory, activated, enrolled_member
from tests.isolation import (
    harness,
    specs_action_pages,
    specs_admin,
    specs_authorization_api,
    specs_authorization_pages,
    specs_benefits,
    specs_catalogue,
    specs_community_supports,
    specs_deadlines,
    specs_encounters,
    specs_jobs,
    specs_network_api,
    specs_outreach_api,
    specs_outreach_pages,
    specs_plan_settings,
    specs_provider_api,
    specs_referrals,
    specs_reporting,
)
from tests.isolation.harness import Call

MARKER = "ALPHA-SECRET"
PLAN_A_CIN = "91111111A"
NPI_OF_PLAN = {"ALPHA-SECRET": "1234567893", "Bravo": "1245319599"}
NEW_MEMBER = {
    "cin": PLAN_A_CIN,  # the same CIN may exist in another plan: this one is a new plan-B member
    "first_name": "New",
    "last_name": "Member",
    "birth_date": "1980-01-01",
    "county": "01",
}
NEW_ORGANIZATION = {
    "npi": "1679576722",
    "tax_id": "123456789",
    "name": "New Organization",
    "organization_type": "cbo",
    "enrollment_pathway": "mcp_vetting",
    "counties": ["01"],
}
STOLEN_CLAIM = {
    "claim_id": "STOLEN-1",
    "cin": PLAN_A_CIN,
    "event_type": "ED",
    "service_date": "2026-09-01",
    "avoidable": True,
    "adjudication_date": "2026-09-20",
}


PAGE_SPECS = {
    "home": [Call("get", "/")],
    "notification-list": [Call("get", "/notifications/")],
    "notification-read-all": [Call("post", "/notifications/read-all/")],
    "notification-open": [Call("post", "/notifications/{notification}/open/", foreign=True)],
    "audit-events": [Call("get", "/audit/events/"), Call("get", "/audit/events/?export=csv")],
    "audit-phi-access": [
        Call("get", "/audit/phi-access/"),
        Call("get", "/audit/phi-access/?export=csv"),
    ],
    "member-search": [
        Call("get", "/members/?name=ALPHA"),
        Call("get", "/members/?cin={member_cin}"),
    ],
    "member-detail": [Call("get", "/members/{member}/", foreign=True)],
    "determination-new": [
        Call("get", "/members/{member}/determinations/new/?pof=HOMELESS", foreign=True),
        Call(
            "post",
            "/members/{member}/determinations/new/",
            foreign=True,
            data={
                "pof": "HIGH_UTILIZER",
                "source": "discretionary",
                "start_date": "2026-01-01",
                "justification": "x",
            },
        ),
    ],
    "eligibility-worklist": [
        Call("get", "/eligibility/worklist/"),
        Call("get", "/eligibility/worklist/?pof="),
    ],
    "claims-upload": [
        Call("get", "/eligibility/claims/upload/"),
        Call("post", "/eligibility/claims/upload/", upload=True),
    ],
    "scan-list": [Call("get", "/eligibility/scans/")],
    "provider-directory": [Call("get", "/providers/")],
    "contract-new": [
        Call("get", "/providers/contracts/new/"),
        Call(
            "post",
            "/providers/contracts/new/",
            data={
                "organization": "{organization}",
                "counties": "1",
                "pofs": "HOMELESS",
                "capacity": "3",
                "start_date": "2026-01-01",
            },
        ),
    ],
    "provider-capacity": [Call("get", "/providers/capacity/")],
    "provider-profile": [Call("get", "/providers/{organization}/", foreign=True)],
    "provider-vetting": [
        Call(
            "post",
            "/providers/{organization}/vetting/",
            foreign=True,
            data={"criterion": "Business licensing that meets industry standards", "met_on": "2026-01-05"},
        )
    ],
    "assignment-worklist": [Call("get", "/providers/assignments/")],
    "assignment-communicated": [Call("post", "/providers/assignments/{assignment}/communicated/", foreign=True)],
    "assignment-pcp-notified": [Call("post", "/providers/assignments/{assignment}/pcp-notified/", foreign=True)],
    "scan-start": [Call("post", "/eligibility/scans/start/")],
}
API_SPECS = {
    ("GET", "/api/v1/me/"): [Call("get", "/api/v1/me/")],
    ("GET", "/api/v1/counties/"): [Call("get", "/api/v1/counties/")],
    ("GET", "/api/v1/counties/{code}/"): [Call("get", "/api/v1/counties/01/")],
    ("GET", "/api/v1/memberships/"): [Call("get", "/api/v1/memberships/")],
    ("GET", "/api/v1/memberships/{id}/"): [Call("get", "/api/v1/memberships/{membership}/", foreign=True)],
    ("GET", "/api/v1/api-keys/"): [Call("get", "/api/v1/api-keys/")],
    ("POST", "/api/v1/api-keys/"): [
        Call("post", "/api/v1/api-keys/", data={"membership": "{membership}", "name": "stolen"})
    ],
    ("GET", "/api/v1/api-keys/{prefix}/"): [Call("get", "/api/v1/api-keys/{api_key}/", foreign=True)],
    ("POST", "/api/v1/api-keys/{prefix}/revoke/"): [Call("post", "/api/v1/api-keys/{api_key}/revoke/", foreign=True)],
    ("GET", "/api/v1/holidays/"): [Call("get", "/api/v1/holidays/?page_size=500", lists="holiday")],
    ("POST", "/api/v1/holidays/"): [
        Call("post", "/api/v1/holidays/", data={"date": "2026-10-12", "name": "B closure"})
    ],
    ("GET", "/api/v1/holidays/{id}/"): [Call("get", "/api/v1/holidays/{holiday}/", foreign=True)],
    ("DELETE", "/api/v1/holidays/{id}/"): [Call("delete", "/api/v1/holidays/{holiday}/", foreign=True)],
    ("GET", "/api/v1/notifications/"): [Call("get", "/api/v1/notifications/", lists="notification")],
    ("GET", "/api/v1/notifications/{id}/"): [Call("get", "/api/v1/notifications/{notification}/", foreign=True)],
    ("POST", "/api/v1/notifications/{id}/read/"): [
        Call("post", "/api/v1/notifications/{notification}/read/", foreign=True)
    ],
    ("POST", "/api/v1/notifications/read-all/"): [Call("post", "/api/v1/notifications/read-all/")],
    ("GET", "/api/v1/members/"): [
        Call("get", "/api/v1/members/", lists="member"),
        Call("get", "/api/v1/members/?cin={member_cin}"),
    ],
    ("POST", "/api/v1/members/"): [Call("post", "/api/v1/members/", data=NEW_MEMBER)],
    ("GET", "/api/v1/members/{id}/"): [Call("get", "/api/v1/members/{member}/", foreign=True)],
    ("PUT", "/api/v1/members/{id}/"): [Call("put", "/api/v1/members/{member}/", foreign=True, data=NEW_MEMBER)],
    ("PATCH", "/api/v1/members/{id}/"): [
        Call("patch", "/api/v1/members/{member}/", foreign=True, data={"first_name": "Renamed"})
    ],
    ("POST", "/api/v1/members/{id}/enrollment-spans/"): [
        Call(
            "post",
            "/api/v1/members/{member}/enrollment-spans/",
            foreign=True,
            data={"start_date": "2030-01-01"},
        )
    ],
    ("GET", "/api/v1/members/{id}/eligibility/"): [Call("get", "/api/v1/members/{member}/eligibility/", foreign=True)],
    ("GET", "/api/v1/programs/"): [Call("get", "/api/v1/programs/")],
    ("GET", "/api/v1/programs/{code}/"): [Call("get", "/api/v1/programs/pace/")],
    ("GET", "/api/v1/program-enrollments/"): [
        Call("get", "/api/v1/program-enrollments/?member={member}"),
        Call("get", "/api/v1/program-enrollments/", lists="program_enrollment"),
    ],
    ("POST", "/api/v1/program-enrollments/"): [
        Call(
            "post",
            "/api/v1/program-enrollments/",
            data={"member": "{member}", "program": "pace", "start_date": "2026-01-01"},
        )
    ],
    ("GET", "/api/v1/program-enrollments/{id}/"): [
        Call("get", "/api/v1/program-enrollments/{program_enrollment}/", foreign=True)
    ],
    ("POST", "/api/v1/program-enrollments/{id}/end/"): [
        Call(
            "post",
            "/api/v1/program-enrollments/{program_enrollment}/end/",
            foreign=True,
            data={"end_date": "2026-12-31"},
        )
    ],
    ("GET", "/api/v1/pofs/"): [Call("get", "/api/v1/pofs/")],
    ("GET", "/api/v1/pofs/{code}/"): [Call("get", "/api/v1/pofs/HOMELESS/")],
    ("GET", "/api/v1/determinations/"): [
        Call("get", "/api/v1/determinations/?member={member}"),
        Call("get", "/api/v1/determinations/", lists="determination"),
    ],
    ("POST", "/api/v1/determinations/"): [
        Call(
            "post",
            "/api/v1/determinations/",
            data={
                "member": "{member}",
                "pof": "HIGH_UTILIZER",
                "source": "discretionary",
                "start_date": "2026-01-01",
                "justification": "x",
            },
        )
    ],
    ("GET", "/api/v1/determinations/{id}/"): [Call("get", "/api/v1/determinations/{determination}/", foreign=True)],
    ("POST", "/api/v1/determinations/{id}/end/"): [
        Call(
            "post",
            "/api/v1/determinations/{determination}/end/",
            foreign=True,
            data={"end_date": "2026-12-31"},
        )
    ],
    ("GET", "/api/v1/utilization-events/"): [
        Call("get", "/api/v1/utilization-events/?member={member}"),
        Call("get", "/api/v1/utilization-events/", lists="event"),
    ],
    ("GET", "/api/v1/utilization-events/{id}/"): [Call("get", "/api/v1/utilization-events/{event}/", foreign=True)],
    ("POST", "/api/v1/utilization-events/bulk/"): [
        Call("post", "/api/v1/utilization-events/bulk/", data={"events": [STOLEN_CLAIM]})
    ],
    ("GET", "/api/v1/scans/"): [Call("get", "/api/v1/scans/", lists="scan")],
    ("POST", "/api/v1/scans/"): [Call("post", "/api/v1/scans/", data={"data_month": "2026-09"})],
    ("GET", "/api/v1/scans/{id}/"): [Call("get", "/api/v1/scans/{scan}/", foreign=True)],
    # Organizations are shared records (a directory); contracts, caseloads and assignments are not.
    ("GET", "/api/v1/provider-organizations/"): [Call("get", "/api/v1/provider-organizations/")],
    ("POST", "/api/v1/provider-organizations/"): [
        Call("post", "/api/v1/provider-organizations/", data=NEW_ORGANIZATION)
    ],
    ("GET", "/api/v1/provider-organizations/{id}/"): [Call("get", "/api/v1/provider-organizations/{organization}/")],
    ("GET", "/api/v1/contracts/"): [Call("get", "/api/v1/contracts/", lists="contract")],
    ("POST", "/api/v1/contracts/"): [
        Call(
            "post",
            "/api/v1/contracts/",
            data={
                "organization": "{organization}",
                "counties": ["01"],
                "pofs": ["HOMELESS"],
                "capacity": 5,
                "start_date": "2026-01-01",
            },
        )
    ],
    ("GET", "/api/v1/contracts/{id}/"): [Call("get", "/api/v1/contracts/{contract}/", foreign=True)],
    ("POST", "/api/v1/contracts/{id}/activate/"): [
        Call("post", "/api/v1/contracts/{contract}/activate/", foreign=True, data={"activated_on": "2026-11-20"})
    ],
    ("POST", "/api/v1/assignments/{id}/lead-care-manager/"): [
        Call(
            "post",
            "/api/v1/assignments/{assignment}/lead-care-manager/",
            foreign=True,
            data={"care_manager": "{care_manager}"},
        )
    ],
    ("GET", "/api/v1/care-managers/"): [Call("get", "/api/v1/care-managers/", lists="care_manager")],
    ("POST", "/api/v1/care-managers/"): [
        Call("post", "/api/v1/care-managers/", data={"organization": "{organization}", "name": "New manager"})
    ],
    ("GET", "/api/v1/care-managers/{id}/"): [Call("get", "/api/v1/care-managers/{care_manager}/", foreign=True)],
    ("GET", "/api/v1/assignments/"): [
        Call("get", "/api/v1/assignments/?member={member}"),
        Call("get", "/api/v1/assignments/", lists="assignment"),
    ],
    ("POST", "/api/v1/assignments/"): [
        Call("post", "/api/v1/assignments/", data={"member": "{member}", "authorized_on": "2026-11-20"})
    ],
    ("GET", "/api/v1/assignments/{id}/"): [Call("get", "/api/v1/assignments/{assignment}/", foreign=True)],
    ("POST", "/api/v1/assignments/{id}/override/"): [
        Call(
            "post",
            "/api/v1/assignments/{assignment}/override/",
            foreign=True,
            data={"organization": "{organization}", "reason": "x"},
        )
    ],
    ("GET", "/api/v1/provider-change-requests/"): [
        Call("get", "/api/v1/provider-change-requests/", lists="change_request")
    ],
    ("POST", "/api/v1/provider-change-requests/"): [
        Call(
            "post",
            "/api/v1/provider-change-requests/",
            data={"member": "{member}", "organization": "{organization}", "requested_on": "2026-11-20"},
        )
    ],
    ("GET", "/api/v1/provider-change-requests/{id}/"): [
        Call("get", "/api/v1/provider-change-requests/{change_request}/", foreign=True)
    ],
    ("POST", "/api/v1/provider-change-requests/{id}/implement/"): [
        Call("post", "/api/v1/provider-change-requests/{change_request}/implement/", foreign=True)
    ],
    ("POST", "/api/v1/assignments/{id}/communicated/"): [
        Call("post", "/api/v1/assignments/{assignment}/communicated/", foreign=True)
    ],
    ("POST", "/api/v1/assignments/{id}/pcp-notified/"): [
        Call("post", "/api/v1/assignments/{assignment}/pcp-notified/", foreign=True)
    ],
}
PAGE_SPECS |= specs_authorization_pages.SPECS
API_SPECS |= specs_authorization_api.SPECS | specs_provider_api.SPECS | specs_network_api.SPECS
# The later apps' spec modules: PAGE_SPECS, API_SPECS and the provider API's PROVIDER_SPECS each.
SPEC_MODULES = (
    specs_plan_settings, specs_action_pages, specs_deadlines, specs_jobs, specs_outreach_pages, specs_outreach_api,
    specs_benefits, specs_catalogue, specs_community_supports, specs_referrals, specs_encounters, specs_reporting,
)  # fmt: skip
for module in SPEC_MODULES:
    PAGE_SPECS |= getattr(module, "PAGE_SPECS", {})
    API_SPECS |= getattr(module, "API_SPECS", {}) | getattr(module, "PROVIDER_SPECS", {})
PAGE_CALLS = [(role, call) for role in Role.values for calls in PAGE_SPECS.values() for call in calls]
# The admin's routes run in one world per role (test_admin_pages_...): its gate is staff status, so
# a plan administrator (staff) and one other role stand for every role.
ADMIN_SPECS = specs_admin.specs()
ADMIN_CALLS = [call for calls in ADMIN_SPECS.values() for call in calls]
PAGE_SPECS |= ADMIN_SPECS
API_CALLS = [(role, call) for role in Role.values for calls in API_SPECS.values() for call in calls]


def test_every_route_is_covered():
    assert harness.uncovered(set(PAGE_SPECS), set(API_SPECS)) == set()


def test_the_admin_specs_reach_real_objects(plan_a_world):
    """Every registered admin model has a plan A row in the world: no admin spec passes on a
    missing object."""
    keys = [specs_admin.object_key(model) for model in specs_admin.registered_models()]
    missing = [key for key in keys if not plan_a_world[key]]
    assert missing == [], ", ".join(missing)


def test_a_route_added_without_coverage_fails_the_harness():
    missing = harness.uncovered(set(PAGE_SPECS), set(API_SPECS), urlconf="tests.isolation.extra_urls")
    assert missing == {"extra-page", "GET /api/v1/extra/"}


def objects_of(plan, admin):
    """One object of every kind the routes take, in `plan`."""
    with scopes_disabled():
        return (
            {
                "membership": admin.pk,
                "api_key": PlanApiKey.objects.filter(plan=plan).first().prefix,
                "holiday": Holiday.objects.filter(plan=plan).first().pk,
                "notification": Notification.objects.filter(plan=plan).values_list("pk", flat=True).first(),
                "member": Member.objects.filter(plan=plan).first().pk,
                "member_cin": Member.objects.filter(plan=plan).first().cin,
                "program_enrollment": ProgramEnrollment.objects.filter(plan=plan).first().pk,
                "determination": Determination.objects.filter(plan=plan).first().pk,
                "event": UtilizationEvent.objects.filter(plan=plan).first().pk,
                "scan": ScanRun.objects.filter(plan=plan).first().pk,
                "import_job": ImportJob.objects.filter(plan=plan).first().pk,
                "contract": Contract.objects.filter(plan=plan).first().pk,
                "organization": Contract.objects.filter(plan=plan).first().organization_id,
                "care_manager": CareManager.objects.filter(organization__contracts__plan=plan).first().pk,
                "assignment": Assignment.objects.filter(plan=plan).first().pk,
                "change_request": ProviderChangeRequest.objects.filter(plan=plan).first().pk,
                "awaiting": AwaitingAssignment.objects.filter(plan=plan).first().pk,
                "request": AuthorizationRequest.objects.filter(plan=plan, status="in_review").first().pk,
                "denied_request": AuthorizationRequest.objects.filter(plan=plan, status="denied").first().pk,
                "notice": Notice.objects.filter(plan=plan).first().pk,
                "appeal": Appeal.objects.filter(plan=plan).first().pk,
                "grievance": Grievance.objects.filter(plan=plan).first().pk,
                "attachment": RequestAttachment.objects.filter(plan=plan).first().pk,
                "provider_staff": ProviderMembership.objects.filter(organization__contracts__plan=plan).first().pk,
            }
            | specs_admin.objects_of(plan, admin.user)
            | specs_deadlines.objects_of(plan)
            | specs_outreach_pages.objects_of(plan)
            | specs_outreach_api.objects_of(plan)
            | specs_benefits.objects_of(plan)
            | specs_community_supports.objects_of(plan)
            | specs_referrals.objects_of(plan)
            | specs_encounters.objects_of(plan)
        )


def member_world(plan, admin, name):
    """A member with a program, a POF, claims and a scan run, in `plan`."""
    with scopes_disabled():
        member = enrolled_member(plan, cin=PLAN_A_CIN, first_name=name, last_name=name)
        program_enrollment_add(
            plan=plan,
            member=member,
            program=Program.objects.get(code="cbas"),
            start_date=date(2025, 1, 1),
            actor=admin.user,
        )
        for week in range(5):
            EventFactory(
                member=member,
                service_date=date(2026, 5, 4) + timedelta(weeks=week),
                claim_id=f"{name}-{week}",
            )
        with clocks.frozen(datetime(2026, 10, 5, 9, tzinfo=UTC)):
            high_utilizer_scan(plan=plan, data_month=date(2026, 9, 1), actor=OPERATOR)
        organization = organization_create(
            plan=plan, actor=OPERATOR, npi=NPI_OF_PLAN[name], tax_id="123456789", name=f"{name[:5]} Provider",
            organization_type="cbo", enrollment_pathway="mcp_vetting",
        )  # fmt: skip
        activated(contract_create(
            plan=plan, actor=OPERATOR, organization=organization, counties=list(County.objects.filter(code="01")),
            pofs=list(PopulationOfFocus.objects.filter(code="HIGH_UTILIZER")), capacity=5, start_date=date(2025, 1, 1),
        ))  # fmt: skip
        care_manager_add(plan=plan, actor=OPERATOR, organization=organization, name=f"{name} manager")
        with clocks.frozen(datetime(2026, 11, 20, 18, tzinfo=UTC)):
            assignment_assign(plan=plan, member=member, authorized_on=date(2026, 11, 20), actor=OPERATOR)
        provider_change_request(
            plan=plan, member=member, organization=organization, requested_on=date(2026, 11, 21), actor=OPERATOR
        )
        AwaitingAssignment.objects.create(  # as if the member had waited for a place before
            plan=plan, member=member, authorized_on=date(2026, 11, 20), cause=AwaitingAssignment.Cause.NO_PROVIDER,
            detail=f"{name} no capacity", since=datetime(2026, 11, 20, 18, tzinfo=UTC),
        )  # fmt: skip
        admin_world(plan)
        provider_membership_create(
            actor=OPERATOR, organization=organization, user=UserFactory(), role=ProviderRole.CARE_MANAGER
        )
        authorization_world(plan, member, name)
        specs_outreach_pages.outreach_world(plan, member, name)
        specs_deadlines.deadline_world(plan, member, name)
        specs_jobs.jobs_world(plan, name)
        specs_benefits.benefits_world(plan, name)
        specs_community_supports.community_supports_world(plan, member, organization, name)
        specs_referrals.referrals_world(plan, name)
        specs_encounters.encounters_world(plan, member, organization, name)
        return member


def admin_world(plan):
    """A row of every plan-owned model the Django admin shows (specs_admin.py)."""
    authorization_settings_update(plan=plan, actor=OPERATOR, presumptive_period_days=30)
    assignment_settings_set(plan=plan, actor=OPERATOR, pcp_before_behavioral_health=False)
    plan_pof_start_set(
        plan=plan, county=County.objects.get(code="01"), pof=PopulationOfFocus.objects.get(code="LTC_RISK"),
        start_date=date(2022, 7, 1), actor=OPERATOR,
    )  # fmt: skip


def installation_world(admin):
    """Rows of the installation-wide admin models, naming plan A's people: the operator's pages,
    never a plan's."""
    grant_admin_site(admin.user)
    login = {"user_agent": "x", "ip_address": "10.0.0.1", "username": f"{MARKER}-login", "http_accept": "*/*"}
    AccessAttempt.objects.create(**login, path_info="/login/", get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**login, path_info="/login/")
    AccessFailureLog.objects.create(**login, path_info="/login/")


def authorization_world(plan, member, name):
    """An open request with an attachment, a denied one with its notice and appeal, a grievance."""
    coordinator = MembershipFactory(plan=plan, role=Role.CARE_COORDINATOR).user
    reviewer = MembershipFactory(plan=plan, role=Role.REVIEWER).user
    with clocks.frozen(datetime(2026, 11, 23, 18, tzinfo=UTC)):
        denied = request_submit(
            plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL,
            notes=f"{name} request", requester_name=f"{name} requester",
        )  # fmt: skip
        denied = request_start_review(plan=plan, actor=reviewer, request=denied)
        request_deny(
            plan=plan, actor=reviewer, request=denied, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation=f"{name} explanation",
        )  # fmt: skip
        appeal_file(plan=plan, actor=coordinator, notice=denied.notices.get(), reason=f"{name} appeal")
        open_request = request_submit(
            plan=plan, actor=coordinator, member=member, source=RequestSource.SELF_REFERRAL,
            notes=f"{name} open request", requester_name=f"{name} requester",
        )  # fmt: skip
        open_request = request_start_review(plan=plan, actor=reviewer, request=open_request)
        attachment_add(
            plan=plan, actor=coordinator, request=open_request, name=f"{name}-referral.txt",
            content_type="text/plain", content=f"{name} referral".encode(),
        )  # fmt: skip
        grievance_file(plan=plan, actor=coordinator, member=member, description=f"{name} grievance")


@built_once_per_module
def module_rows():
    """Plan A with one object of every kind, each carrying MARKER where it holds text, and plan B
    with objects of its own to compare against, shared by the module's tests (each test's own
    writes are undone after it)."""
    plan_a, plan_b = plan_of(PLAN_A), plan_of(PLAN_B)
    admin_a, admin_b = membership_of(plan_a, Role.PLAN_ADMINISTRATOR), membership_of(plan_b, Role.PLAN_ADMINISTRATOR)
    integrator = membership_of(plan_a, Role.INTEGRATOR)
    with scopes_disabled():
        integrator.user.username = f"{MARKER}-integrator"
        integrator.user.save()
    api_client_of(integrator)
    with scopes_disabled():
        PlanApiKey.objects.filter(plan=plan_a).update(name=f"{MARKER} key")
        holiday_create(plan=plan_a, day=date(2026, 10, 12), name=f"{MARKER} closure", actor=admin_a.user)
        notification_send(plan=plan_a, recipient=admin_a.user, text=f"{MARKER} notice", link="/")
        phi_access_record(
            plan=plan_a,
            user=admin_a.user,
            purpose=PhiPurpose.CARE_COORDINATION,
            member_label=f"{MARKER}-CIN",
        )
    member_world(plan_a, admin_a, MARKER)
    installation_world(admin_a)
    member_world(plan_b, admin_b, "Bravo")
    return {
        "plan_a": plan_a,
        "plan_b": plan_b,
        "admin_a": admin_a,
        "admin_b": admin_b,
        "plan_a_world": objects_of(plan_a, admin_a),
    }


plan_a, plan_b, admin_a, admin_b, plan_a_world = module_row_copies(
    "plan_a", "plan_b", "admin_a", "admin_b", "plan_a_world"
)


@pytest.fixture
def plan_b_user(plan_b, admin_b, make_membership, make_api_client):
    """A plan B user of the requested role."""

    def make(role):
        membership = admin_b if role == Role.PLAN_ADMINISTRATOR else make_membership(plan_b, role)
        if role == Role.PLAN_ADMINISTRATOR:
            grant_admin_site(admin_b.user)  # as membership_create does: the admin's own pages
        make_api_client(admin_b)  # plan B owns a key too
        with scopes_disabled():
            notification_send(plan=plan_b, recipient=membership.user, text="B notice", link="/")
        return membership

    return make


def snapshot(plan):
    with scopes_disabled():
        return (
            sorted(Holiday.objects.filter(plan=plan).values_list("pk", "date", "name")),
            sorted(PlanApiKey.objects.filter(plan=plan).values_list("prefix", "name", "revoked")),
            sorted(Notification.objects.filter(plan=plan).values_list("pk", "text", "read_at")),
            sorted(Membership.objects.filter(plan=plan).values_list("pk", "role", "is_active")),
            AuditEvent.objects.filter(plan=plan).count(),
            PhiAccess.objects.filter(plan=plan).count(),
            sorted(Member.objects.filter(plan=plan).values_list("pk", "cin", "first_name", "updated_at")),
            sorted(EnrollmentSpan.objects.filter(plan=plan).values_list("pk", "start_date", "end_date")),
            sorted(ProgramEnrollment.objects.filter(plan=plan).values_list("pk", "end_date")),
            sorted(Determination.objects.filter(plan=plan).values_list("pk", "end_date", "updated_at")),
            sorted(UtilizationEvent.objects.filter(plan=plan).values_list("pk", "claim_id", "adjudicated_on")),
            ScanRun.objects.filter(plan=plan).count(),
            sorted(Contract.objects.filter(plan=plan).values_list("pk", "end_date", "activated_on")),
            sorted(ContractService.objects.filter(plan=plan).values_list("pk", "service_id", "capacity")),
            sorted(
                Assignment.objects.filter(plan=plan).values_list(
                    "pk", "organization_id", "ended_on", "communicated_at", "pcp_notified_at"
                )
            ),
            sorted(CareManager.objects.filter(organization__contracts__plan=plan).values_list("pk", "name")),
            VettingCheck.objects.filter(plan=plan).count(),
            sorted(ProviderChangeRequest.objects.filter(plan=plan).values_list("pk", "resolved_on")),
            sorted(AwaitingAssignment.objects.filter(plan=plan).values_list("pk", "resolved_at")),
            sorted(AuthorizationRequest.objects.filter(plan=plan).values_list("pk", "status", "updated_at")),
            sorted(Notice.objects.filter(plan=plan).values_list("pk", "sha256")),
            sorted(Appeal.objects.filter(plan=plan).values_list("pk", "acknowledged_at", "resolved_at")),
            sorted(Grievance.objects.filter(plan=plan).values_list("pk", "acknowledged_at", "resolved_at")),
            RequestAttachment.objects.filter(plan=plan).count(),
            HealthPlan.objects.filter(pk=plan.pk).values_list("member_services_phone", "appeals_address").get(),
            list(AuthorizationSettings.objects.filter(plan=plan).values_list("presumptive_period_days")),
            list(AssignmentSettings.objects.filter(plan=plan).values_list("pcp_before_behavioral_health")),
            sorted(PlanPofStart.objects.filter(plan=plan).values_list("county_id", "pof_id", "start_date")),
            specs_outreach_api.outreach_snapshot(plan),
            specs_benefits.elections_snapshot(plan),
            specs_community_supports.cs_snapshot(plan),
            specs_referrals.referrals_snapshot(plan),
            specs_encounters.encounters_snapshot(plan),
        )


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def fill(template: str, objects: dict) -> str:
    return template.format(**objects)


def fill_data(value, objects):
    if isinstance(value, dict):
        return {key: fill_data(item, objects) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_data(item, objects) for item in value]
    return fill(value, objects) if isinstance(value, str) else value


def claims_csv() -> io.BytesIO:
    header = ",".join(STOLEN_CLAIM)
    values = ",".join(str(value).lower() if isinstance(value, bool) else value for value in STOLEN_CLAIM.values())
    upload = io.BytesIO(f"{header}\n{values}\n".encode())
    upload.name = "claims.csv"
    return upload


def act(client, call: Call, objects: dict):
    url = fill(call.url, objects)
    data = fill_data(call.data, objects)
    if call.method == "get":
        return client.get(url)
    if call.upload:
        return client.post(url, {"file": claims_csv()})
    if isinstance(client, Client) and not isinstance(client, APIClient):
        return client.post(url, data)  # a browser form
    return getattr(client, call.method)(url, data, format="json")


def check(client, call, plan_a, plan_a_world, own_objects):
    before = snapshot(plan_a)
    response = act(client, call, plan_a_world)
    content = body(response)
    assert MARKER.encode() not in content, f"{call} showed plan A data"
    if call.links_foreign:
        assert 400 <= response.status_code < 500, (f"{call} linked plan A objects", response.status_code)
    if call.lists and response.status_code == 200:
        listed = {row["id"] for row in response.json()["results"]}
        assert plan_a_world[call.lists] not in listed, f"{call} listed plan A's {call.lists}"
    if call.foreign:
        # The admin answers a missing object with a redirect to its index (and a non-staff user
        # with its sign-in page): never the object.
        refusals = (302, 403, 404) if call.url.startswith("/admin/") else (403, 404)
        assert response.status_code in refusals, (str(call), response.status_code)
        if call.method == "get" and act(client, call, own_objects).status_code == 200 and 302 not in refusals:
            assert response.status_code == 404, f"{call}: another plan's object must look missing"
    assert snapshot(plan_a) == before, f"{call} changed plan A"
    return response


@pytest.mark.parametrize(("role", "call"), PAGE_CALLS, ids=[f"{r}-{c}" for r, c in PAGE_CALLS])
def test_pages_of_plan_b_never_reach_plan_a(role, call, plan_a, plan_b, plan_a_world, plan_b_user, admin_b):
    membership = plan_b_user(role)
    response = check(
        browser_of(membership, plan_b),
        call,
        plan_a,
        plan_a_world,
        objects_of(plan_b, admin_b) | own_notification(membership),
    )
    assert response.has_header("Content-Security-Policy"), f"{call} has no CSP header"


@pytest.mark.parametrize("role", [Role.PLAN_ADMINISTRATOR, Role.CARE_COORDINATOR])
def test_admin_pages_of_plan_b_never_reach_plan_a(role, plan_a, plan_b, plan_a_world, plan_b_user, admin_b):
    """Every route of the Django admin (specs_admin.py), one after another in one world; each call
    is checked as the other pages are, plan A's rows compared before and after it."""
    membership = plan_b_user(role)
    client, own_objects = browser_of(membership, plan_b), objects_of(plan_b, admin_b) | own_notification(membership)
    for call in ADMIN_CALLS:
        check(client, call, plan_a, plan_a_world, own_objects)


def browser_of(membership, plan):
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan.pk
    session.save()
    return client


@pytest.mark.parametrize(("role", "call"), API_CALLS, ids=[f"{r}-{c}" for r, c in API_CALLS])
def test_api_of_plan_b_never_reaches_plan_a(
    role, call, plan_a, plan_b, plan_a_world, plan_b_user, admin_b, make_api_client
):
    membership = plan_b_user(role)
    client = make_api_client(membership)
    check(
        client,
        call,
        plan_a,
        plan_a_world,
        objects_of(plan_b, admin_b) | own_notification(membership),
    )


def own_notification(membership):
    with scopes_disabled():
        notification = Notification.objects.filter(plan=membership.plan, recipient=membership.user).first()
    return {"notification": notification.pk}


def test_a_user_of_both_plans_sees_only_the_session_plans_rows(client, plan_a, plan_b, plan_a_world, admin_a):
    # The same person works for both plans: with plan B chosen, plan A's notifications stay hidden.
    with scopes_disabled():
        Membership.objects.create(user=admin_a.user, plan=plan_b, role=Role.CARE_COORDINATOR)
    client.force_login(admin_a.user)
    session = client.session
    session[SESSION_PLAN_KEY] = plan_b.pk
    session.save()
    assert MARKER.encode() not in client.get("/notifications/").content
    assert client.get("/api/v1/notifications/").json()["results"] == []
    assert client.post(f"/notifications/{plan_a_world['notification']}/open/").status_code == 404
