"""Every browser page runs at most 12 queries, the same number for 1 and for 30 list rows (issue 15:
"at most 12 per page, constant in page size"): no query per row, no COUNT over the plan per page."""

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from authorizations.models import Appeal, AuthorizationRequest, DenialReason, Grievance, Notice, RequestSource, Urgency
from authorizations.services import (
    appeal_file,
    attachment_add,
    grievance_file,
    request_deny,
    request_start_review,
    request_submit,
    transition_import,
)
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import Role
from eligibility.models import Determination
from encounters.models import Encounter
from members.models import Member, Program
from members.services import enrollment_span_add, program_enrollment_add
from outreach.models import Engagement, MeasureRun
from providers.models import Assignment, ProviderOrganization
from providers.services import care_manager_add
from tests.isolation import specs_encounters, specs_outreach_pages
from tests.isolation.test_query_counts import grow, grow_awaiting, grow_network

MAX_QUERIES = 12
MONDAY = datetime(2026, 11, 16, 18, tzinfo=UTC)


def grow_authorizations(plan, coordinator, reviewer, count):
    """`count` members with an open request, and `count` with a denied one (its notice, an appeal
    and a grievance), and `count` transition members awaiting their reassessment (DOMAIN 3.5, 5)."""
    members = list(Member.objects.filter(plan=plan).order_by("-id")[: 3 * count])
    with clocks.frozen(MONDAY):
        for member in members[:count]:
            request_submit(
                plan=plan, actor=coordinator.user, member=member, source=RequestSource.SELF_REFERRAL,
                urgency=Urgency.ROUTINE, received_at=MONDAY,
            )  # fmt: skip
        for member in members[count : 2 * count]:
            request = request_submit(
                plan=plan, actor=coordinator.user, member=member, source=RequestSource.SELF_REFERRAL,
                urgency=Urgency.ROUTINE, received_at=MONDAY,
            )  # fmt: skip
            request_start_review(plan=plan, actor=reviewer.user, request=request)
            request = request_deny(
                plan=plan, actor=reviewer.user, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
                explanation="You do not meet a Population of Focus.",
            )  # fmt: skip
            appeal_file(plan=plan, actor=coordinator.user, notice=request.notices.get(), reason="Disagree")
            grievance_file(plan=plan, actor=coordinator.user, member=member, description="Slow", request=request)
        rows = [{"cin": m.cin, "program": "wpc", "transition_date": "2026-07-01"} for m in members[2 * count :]]
        assert transition_import(plan=plan, actor=coordinator.user, rows=rows)["created"] == count


def grow_everything(plan, admin, coordinator, reviewer, count):
    with scopes_disabled():
        grow(plan, admin, count)
        grow_network(plan, count)
        specs_outreach_pages.outreach_grow(plan)  # the new organizations' assigned members (DOMAIN 8)
        grow_awaiting(plan, count)
        grow(plan, admin, 3 * count)  # members for the requests
        grow_authorizations(plan, coordinator, reviewer, count)
        grow_encounters(plan, count)


def grow_encounters(plan, count):
    """`count` ECM encounters at a provider of the plan (DOMAIN 11)."""
    organization = ProviderOrganization.objects.filter(
        contracts__plan=plan, contracts__activated_on__isnull=False
    ).first()
    for member in Member.objects.filter(plan=plan).order_by("-id")[:count]:
        specs_encounters.encounter_for(plan, member, organization, f"Grown {member.pk}")


def queries(client, path) -> int:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def first(model, **filters):
    with scopes_disabled():
        return model.objects.filter(**filters).order_by("id").first()


def paths(plan):
    """Every page a plan administrator opens, and the pages only a coordinator opens (`coordinator`)."""
    member = first(Member, plan=plan)
    request = first(AuthorizationRequest, plan=plan, source=RequestSource.SELF_REFERRAL)
    organization = first(ProviderOrganization, contracts__plan=plan)
    notice = first(Notice, plan=plan)
    engagement = first(Engagement, plan=plan)
    administrator = [
        "/",
        "/authorizations/",
        "/authorizations/?urgency=routine&county=01&pof=HOMELESS",
        "/authorizations/reassessments/",
        "/authorizations/awaiting-provider/",
        f"/authorizations/members/{request.member_id}/",
        f"/authorizations/{request.pk}/",
        f"/authorizations/notices/{notice.pk}/",
        "/appeals/",
        "/grievances/",
        f"/appeals/{first(Appeal, plan=plan).pk}/",
        f"/grievances/{first(Grievance, plan=plan).pk}/",
        "/members/?name=Member",
        f"/members/{member.pk}/",
        f"/members/{member.pk}/determinations/new/?pof=HOMELESS",
        "/eligibility/worklist/",
        "/eligibility/worklist/?pof=HOMELESS&sort=name",
        "/eligibility/worklist/?pof=&sort=county&county=01",
        "/eligibility/claims/upload/",
        "/eligibility/scans/",
        "/providers/",
        "/providers/capacity/",
        "/providers/contracts/new/",
        "/providers/assignments/",
        f"/providers/assignments/{first(Assignment, plan=plan).pk}/",
        "/providers/awaiting/",
        "/providers/changes/",
        f"/providers/{organization.pk}/",
        f"/providers/{organization.pk}/care-managers/new/",
        "/deadlines/",
        "/deadlines/?state=overdue",
        "/notifications/",
        "/settings/",
        "/settings/holidays/",
        "/settings/letters/",
        "/settings/authorizations/",
        "/settings/pof-starts/",
        "/settings/assignment/",
        "/outreach/",
        "/outreach/?overdue=on&kind=assigned",
        f"/outreach/engagements/{engagement.pk}/",
        f"/members/{engagement.member_id}/outreach/",
        "/outreach/measures/",
        f"/outreach/measures/{first(MeasureRun, plan=plan).pk}/",
        "/settings/outreach/",
        "/reporting/referrals-encounters/",
        "/encounters/",
        f"/encounters/{first(Encounter, plan=plan).pk}/",
        "/settings/column-maps/invoice/",
    ]
    coordinator = [
        f"/authorizations/new/?member={member.pk}",
        f"/appeals/new/?notice={notice.pk}",
        f"/grievances/new/?member={member.pk}",
        "/encounters/invoices/upload/",
        "/encounters/invoices/line/",
    ]
    return administrator, coordinator


def counts(clients, plan) -> dict[str, int]:
    administrator, coordinator = paths(plan)
    return {path: queries(clients[0], path) for path in administrator} | {
        path: queries(clients[1], path) for path in coordinator
    }


def test_every_page_runs_at_most_12_queries_whatever_its_rows(client, plan_a, admin_a, make_membership):
    """Issue 15: at most 12 queries per page and the same number for 1 and 30 rows of each list
    (requests, reassessments, appeals, grievances, members, determinations, assignments, awaiting
    members, changes, deadlines, notifications): keyset pages, no COUNT of the list, no query per row."""
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
    reviewer = make_membership(plan_a, Role.REVIEWER)
    grow_everything(plan_a, admin_a, coordinator, reviewer, 1)
    clients = [client, Client()]
    clients[0].force_login(admin_a.user)
    clients[1].force_login(coordinator.user)
    for signed_in in clients:
        signed_in.get("/")  # the first request after login also writes the session
    # One instant throughout, so that no request records activity in the session (at most every 5 s).
    with clocks.frozen(clocks.now()):
        few = counts(clients, plan_a)
        grow_everything(plan_a, admin_a, coordinator, reviewer, 29)
        many = counts(clients, plan_a)
    assert many == few
    assert {path: count for path, count in many.items() if count > MAX_QUERIES} == {}


def grow_details(plan, coordinator, request, organization, count, offset=0):
    """`count` more rows of each list the detail pages show: the request's attachments and
    grievances (and their history), its member's past enrollment spans, program enrollments and
    ended determinations, the organization's care managers."""
    member = request.member
    determination = Determination.objects.filter(member=member).first()
    with clocks.frozen(MONDAY):
        for number in range(count):
            attachment_add(
                plan=plan, actor=coordinator.user, request=request, name=f"{number}.txt", content_type="text/plain",
                content=b"x",
            )  # fmt: skip
            grievance_file(plan=plan, actor=coordinator.user, member=member, description=f"{number}", request=request)
            start = date(2000, 1, 1) + timedelta(days=10 * (offset + number))  # past spans, none overlapping
            enrollment_span_add(
                plan=plan, member=member, start_date=start, end_date=start + timedelta(days=5), actor=OPERATOR
            )
            program_enrollment_add(
                plan=plan, member=member, program=Program.objects.get(code="cbas"), start_date=start,
                end_date=start + timedelta(days=5), actor=OPERATOR,
            )  # fmt: skip
            determination.pk, determination.start_date, determination.end_date = None, start, start + timedelta(days=5)
            determination.save()
            care_manager_add(plan=plan, actor=OPERATOR, organization=organization, name=f"Manager {number}")


def test_the_detail_pages_run_at_most_12_queries_whatever_their_lists_hold(client, plan_a, admin_a, make_membership):
    """Issue 15: the request page (DOMAIN 5: notices, attachments, appeals, grievances, history),
    the member page (DOMAIN 3: spans, programs, determinations) and the provider profile (care
    managers) cost the same at 1 and 30 rows of each list, and at most 12 queries."""
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
    reviewer = make_membership(plan_a, Role.REVIEWER)
    grow_everything(plan_a, admin_a, coordinator, reviewer, 1)
    request = first(AuthorizationRequest, plan=plan_a, status="denied")
    organization = first(ProviderOrganization, contracts__plan=plan_a)
    pages = [f"/authorizations/{request.pk}/", f"/members/{request.member_id}/", f"/providers/{organization.pk}/"]
    with scopes_disabled():
        grow_details(plan_a, coordinator, request, organization, 1)
    client.force_login(admin_a.user)
    client.get("/")  # the first request after login also writes the session
    with clocks.frozen(clocks.now()):
        few = {page: queries(client, page) for page in pages}
        with scopes_disabled():
            grow_details(plan_a, coordinator, request, organization, 29, offset=1)
        many = {page: queries(client, page) for page in pages}
    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many
