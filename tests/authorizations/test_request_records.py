"""The request page's small lists read in one query (issue 15: at most 12 queries a page) are the
rows their own querysets read: same rows, same order, same values and types (aware instants, JSON
payloads), on SQLite and on PostgreSQL."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from authorizations import selectors
from authorizations.models import AuthorizationRequest, RequestSource
from authorizations.request_records import request_records
from authorizations.services import attachment_add, grievance_file
from ecm_platform import clocks
from ecm_platform.tenancy.models import Role
from tests.isolation.test_page_query_counts import MONDAY, grow_authorizations
from tests.isolation.test_query_counts import grow


def values(row) -> dict:
    return {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if field.attname in row.__dict__
    }


def test_the_one_query_reads_what_each_list_reads(plan_a, admin_a, make_membership):
    """DOMAIN 5.3-5.4: the notices, attachments, appeals, grievances and history of a denied
    request, in one query, equal to each queryset's own rows."""
    coordinator = make_membership(plan_a, Role.CARE_COORDINATOR)
    reviewer = make_membership(plan_a, Role.REVIEWER)
    with scopes_disabled():
        grow(plan_a, admin_a, 3)
        grow_authorizations(plan_a, coordinator, reviewer, 1)
        request = AuthorizationRequest.objects.get(plan=plan_a, status="denied", source=RequestSource.SELF_REFERRAL)
        with clocks.frozen(MONDAY):
            for name in ("b.txt", "a.txt"):
                attachment_add(
                    plan=plan_a, actor=coordinator.user, request=request, name=name, content_type="text/plain",
                    content=b"x",
                )  # fmt: skip
            grievance_file(
                plan=plan_a, actor=coordinator.user, member=request.member, description="Again", request=request
            )
    with scope(plan=plan_a):
        with CaptureQueriesContext(connection) as captured:
            records = request_records(plan=plan_a, request=request)
        assert len(captured) == 1
        expected = {
            "notices": selectors.notice_list(plan=plan_a).filter(request=request),
            "attachments": selectors.attachment_list(plan=plan_a).filter(request=request).order_by("uploaded_at", "id"),
            "appeals": selectors.appeal_list(plan=plan_a).filter(request=request).order_by("received_at", "id"),
            "grievances": selectors.grievance_list(plan=plan_a).filter(request=request).order_by("received_at", "id"),
            "history": selectors.request_history(plan=plan_a, request=request),
        }
        assert {name: len(rows) for name, rows in records.items()} == {
            "notices": 1, "attachments": 2, "appeals": 1, "grievances": 2, "history": len(expected["history"]),
        }  # fmt: skip
        for name, rows in expected.items():
            assert [values(row) for row in records[name]] == [values(row) for row in rows], name
        assert records["history"][0].at.tzinfo is not None and isinstance(records["history"][-1].payload, dict)
        assert records["appeals"][0].notice == records["notices"][0]
        assert [a.uploader for a in records["attachments"]] == [coordinator.user.username] * 2
