"""The Member Transition List's members authorized set-based (issue 15: any import of 100k rows is
set-based; DOMAIN 3.5, 5.2, 7): the same rows, fields and audit codes as the per-row services
write for the same list, and the same queries for 5 rows as for 50."""

import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from authorizations import services
from authorizations.models import AuthorizationRequest, Notice
from authorizations.services.common import _acting_as
from authorizations.services.transition_list import _create_one
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.deadlines.models import Deadline
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.access import OPERATOR, Capability
from members.selectors import member_list
from providers.models import Assignment, AwaitingAssignment
from providers.selectors import contracted_organizations
from providers.services import assignment_assign
from tests.authorizations.conftest import MONDAY, VALID_NPIS

pytestmark = pytest.mark.usefixtures("in_plan_a")
TRANSITION_DAY = "2026-07-01"
SKIPPED = {"id", "due_sort"}


class Rollback(Exception):
    pass


def world(plan_a, make_provider, make_eligible_member):
    """Two providers with three places between them, and nine members: by the DOMAIN 7 order
    (one whose PCP is a provider, one whose PCP is not), one named provider, one with an ECM
    Provider already, and more members than places left (the last ones wait)."""
    first = make_provider(plan_a, npi=VALID_NPIS[0], capacity=2)
    second = make_provider(plan_a, npi=VALID_NPIS[1], capacity=3)
    members = [make_eligible_member(plan_a) for _ in range(5)]
    members[1].pcp_npi = VALID_NPIS[1]
    members[2].pcp_npi = VALID_NPIS[3]
    with scopes_disabled():
        for member in members[1:3]:
            member.save(update_fields=["pcp_npi"])
        assignment_assign(plan=plan_a, member=members[4], authorized_on=date(2026, 6, 1), actor=OPERATOR)
    members += [make_eligible_member(plan_a) for _ in range(4)]
    rows = [{"cin": m.cin, "program": "hhp", "transition_date": TRANSITION_DAY} for m in members]
    rows[3]["provider_npi"] = second.npi
    return rows, first


def snapshot(plan) -> dict:
    """Every row the import can write, ids replaced by what they stand for (the member and the
    program), so that two runs compare whatever ids the database handed out."""
    requests = {r.pk: f"request:{r.member_id}:{r.transition_program}" for r in AuthorizationRequest.objects.all()}
    assignments = {a.pk: f"assignment:{a.member_id}:{a.started_on}" for a in Assignment.objects.all()}
    notices = {n.pk: f"notice:{requests[n.request_id]}" for n in Notice.objects.all()}
    names = {"authorizations.authorizationrequest": requests, "providers.assignment": assignments}
    names["authorizations.notice"] = notices
    names["providers.awaitingassignment"] = {w.pk: f"awaiting:{w.member_id}" for w in AwaitingAssignment.objects.all()}

    def named(ids: dict, text):
        # The ids a label ("(request 12)") or a link ("/providers/assignments/7/") names.
        return re.sub(r"(?<=request )\d+|(?<=/)\d+(?=/)|^\d+$", lambda m: ids.get(int(m.group()), m.group()), str(text))

    def values(queryset, **renamed):
        rows = []
        for row in queryset.values():
            for field, ids in renamed.items():
                row[field] = named(ids, row[field])
            rows.append(tuple(sorted((k, str(v)) for k, v in row.items() if k not in SKIPPED)))
        return sorted(rows)

    deadlines = []
    for d in Deadline.objects.select_related("target_type"):
        ids = names[f"{d.target_type.app_label}.{d.target_type.model}"]
        target = ids[d.target_id]
        deadlines.append((d.kind, target, d.member_id, named(ids, d.label), named(ids, d.link), d.owner,
                          d.due_at, d.state, d.opened_at))  # fmt: skip
    events = []
    for e in AuditEvent.objects.all():
        payload = {k: named(requests, v) if k == "request" else v for k, v in e.payload.items()}
        target = names.get(e.target_type, {}).get(int(e.target_id), e.target_id) if e.target_id else ""
        events.append((e.code, e.actor_id, e.actor_label, e.target_type, target, sorted(payload.items()), e.at))
    notice_rows = []
    for n in Notice.objects.all():
        content = {**n.content, "request_id": requests[n.content["request_id"]]}
        notice_rows.append((notices[n.pk], n.member_id, n.notice_type, n.language, n.notice_date, n.effective_on,
                            n.appeal_by, sorted(content.items()), n.issued_by_id, n.issued_at, n.held_since))  # fmt: skip
    return {
        "requests": values(AuthorizationRequest.objects.all()),
        "assignments": values(Assignment.objects.all()),
        "awaiting": values(AwaitingAssignment.objects.all(), assignment_id=assignments),
        "deadlines": sorted(deadlines, key=str),
        "events": sorted(events, key=str),
        "notices": sorted(notice_rows, key=str),
        "notifications": sorted(Notification.objects.values_list("recipient_id", "text", "link", "created_at")),
    }


def run_and_roll_back(plan, work) -> tuple[dict, int]:
    """What `work` writes, and how many letters it queues, rolled back after."""
    try:
        with transaction.atomic(), clocks.frozen(MONDAY), scopes_disabled():
            before = len(connection.run_on_commit)
            work()
            queued = len(connection.run_on_commit) - before
            seen = snapshot(plan)
            raise Rollback
    except Rollback:
        pass
    return seen, queued


def test_the_set_based_import_writes_what_the_per_row_services_write(
    plan_a, coordinator_a, make_provider, make_eligible_member
):
    rows, _ = world(plan_a, make_provider, make_eligible_member)
    actor = coordinator_a.user
    notifier = _acting_as(actor, plan_a, "transition-list", Capability.NOTICES_ISSUE)
    start = date.fromisoformat(TRANSITION_DAY)

    def per_row():
        organizations = {o.npi: o for o in contracted_organizations(plan=plan_a)}
        for row in rows:
            member = member_list(plan=plan_a).get(cin=row["cin"])
            organization = organizations.get(row.get("provider_npi", ""))
            _create_one(member, "hhp", start, organization, plan=plan_a, actor=actor, notifier=notifier)

    def set_based():
        report = services.transition_import(plan=plan_a, actor=actor, rows=rows)
        assert (report["created"], report["errors"]) == (9, [])

    reference, reference_queued = run_and_roll_back(plan_a, per_row)
    bulk, bulk_queued = run_and_roll_back(plan_a, set_based)
    assert len(reference["requests"]) == 9 and reference["awaiting"]  # the world is what it says
    assert {kind for kind, *_ in reference["deadlines"]} >= {"reassessment", "lead_care_manager", "pcp_notice"}
    for table in reference:
        assert bulk[table] == reference[table], table
    assert bulk_queued == reference_queued


def test_authorizing_costs_the_same_queries_for_five_members_or_fifty(
    plan_a, coordinator_a, make_provider, make_eligible_member
):
    """Issue 15: the per-row services cost ~17 queries a row (100k rows: hours); the set-based
    path a few a batch of rows. SQLite bounds the parameters of one statement, so its bulk INSERTs
    split every hundred rows or so; PostgreSQL writes each table's rows of a batch in one."""
    make_provider(plan_a, capacity=200)
    members = [make_eligible_member(plan_a) for _ in range(55)]
    counts = []
    for group in (members[:5], members[5:]):
        rows = [{"cin": m.cin, "program": "wpc", "transition_date": TRANSITION_DAY} for m in group]
        with CaptureQueriesContext(connection) as queries:
            report = services.transition_import(plan=plan_a, actor=coordinator_a.user, rows=rows)
        assert report["created"] == len(rows)
        counts.append(len(queries))
    if connection.vendor == "postgresql":
        assert counts[0] == counts[1], counts
    else:
        assert counts[1] - counts[0] <= 5, counts  # row by row it was 17 a row: 765 more
