"""The audit trail and the PHI access log: recorded by every write, append-only, searchable."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ecm_platform import clocks
from ecm_platform.audit.forms import AuditEventFilterForm
from ecm_platform.audit.models import AppendOnlyError, AuditEvent, PhiAccess, PhiAccessMember, PhiPurpose
from ecm_platform.audit.selectors import audit_event_search
from ecm_platform.audit.services import audit_record, phi_access_record, phi_read_record
from ecm_platform.calendars.models import Holiday
from ecm_platform.calendars.services import holiday_create, holiday_delete
from ecm_platform.tenancy.models import PlanApiKey, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import api_key_issue, api_key_revoke, membership_create
from tests.factories import UserFactory, enrolled_member


def codes(plan):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(plan=plan).order_by("id").values_list("code", flat=True))


def test_every_write_service_records_its_event(plan_a, admin_a, make_membership):
    actor = admin_a.user
    assert codes(plan_a)[0] == "tenancy.plan.created"
    assert codes(plan_a).count("calendars.holiday_year.copied") == 3
    user = UserFactory()
    with plan_scope(plan_a):
        membership = membership_create(user=user, plan=plan_a, role=Role.REVIEWER, actor=actor)
    with plan_scope(plan_a):
        api_key, _ = api_key_issue(plan=plan_a, membership=admin_a, name="feed", actor=actor)
        api_key_revoke(plan=plan_a, api_key=api_key, actor=actor)
        holiday = holiday_create(plan=plan_a, day=date(2026, 12, 24), name="Christmas Eve", actor=actor)
        holiday_delete(plan=plan_a, holiday=holiday, actor=actor)
        events = list(AuditEvent.objects.filter(plan=plan_a).order_by("-id")[:5])
    assert [event.code for event in reversed(events)] == [
        "tenancy.membership.created",
        "tenancy.api_key.issued",
        "tenancy.api_key.revoked",
        "calendars.holiday.created",
        "calendars.holiday.deleted",
    ]
    created, issued = events[4], events[3]
    assert created.target_id == str(membership.pk)
    assert created.payload == {"username": user.username, "role": "reviewer"}
    assert (issued.actor, issued.actor_label) == (actor, actor.username)
    assert (issued.target_type, issued.target_id) == ("tenancy.planapikey", api_key.pk)
    assert issued.payload["prefix"] == api_key.prefix
    assert events[0].payload == {"date": "2026-12-24", "name": "Christmas Eve"}


def test_audit_rows_cannot_be_changed_or_deleted(plan_a, admin_a):
    with plan_scope(plan_a):
        event = audit_record(code="test.thing.done", plan=plan_a, actor=admin_a.user)
        access = phi_access_record(plan=plan_a, user=admin_a.user, purpose=PhiPurpose.EXPORT)
        for row in (event, access):
            with pytest.raises(AppendOnlyError):
                row.save()
            with pytest.raises(AppendOnlyError):
                row.delete()
        for model in (AuditEvent, PhiAccess):
            with pytest.raises(AppendOnlyError):
                model.objects.filter(plan=plan_a).update(at=clocks.now())
            with pytest.raises(AppendOnlyError):
                model.objects.filter(plan=plan_a).delete()
            with pytest.raises(AppendOnlyError):
                model.objects.filter(plan=plan_a).bulk_update([], ["at"])
        assert AuditEvent.objects.filter(pk=event.pk, code="test.thing.done").exists()


def login_as(client, membership):
    client.force_login(membership.user)


def test_plan_administrators_search_the_audit_trail(client, plan_a, admin_a, make_membership):
    with plan_scope(plan_a):
        holiday_create(plan=plan_a, day=date(2026, 12, 24), name="Christmas Eve", actor=admin_a.user)
    login_as(client, admin_a)
    page = client.get("/audit/events/", {"code": "calendars.holiday", "username": admin_a.user.username})
    assert page.status_code == 200
    assert b"calendars.holiday.created" in page.content
    assert b"tenancy.plan.created" not in page.content
    today = clocks.local_date(clocks.now())
    empty = client.get("/audit/events/", {"first": (today + timedelta(days=1)).isoformat()})
    assert b"No audit entries match." in empty.content
    bad = client.get("/audit/events/", {"first": "2026-05-02", "last": "2026-05-01"})
    assert b"The end date is before the start date." in bad.content


def test_the_audit_export_is_a_csv_of_the_search_and_is_itself_audited(client, plan_a, admin_a):
    login_as(client, admin_a)
    response = client.get("/audit/events/", {"code": "tenancy.plan", "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "code", "actor", "target_type", "target_id", "payload"]
    assert [row[1] for row in rows[1:]] == ["tenancy.plan.created"]
    assert codes(plan_a)[-1] == "audit.events.exported"


def test_the_phi_log_is_searchable_by_member_and_its_export_is_a_phi_read(client, plan_a, admin_a, make_membership):
    coordinator = make_membership(plan_a)
    with scopes_disabled():
        first, second = enrolled_member(plan_a, cin="91234567A"), enrolled_member(plan_a, cin="92345678B")
    with plan_scope(plan_a):
        for member in (first, second):
            phi_access_record(
                plan=plan_a,
                user=coordinator.user,
                purpose=PhiPurpose.CARE_COORDINATION,
                member_id=member.pk,
                member_label=member.cin,
            )
    login_as(client, admin_a)
    by_cin = client.get("/audit/phi-access/", {"member": "91234567a"}).content.decode()
    assert "91234567A" in by_cin and "92345678B" not in by_cin
    by_id = client.get("/audit/phi-access/", {"member": str(second.pk)}).content.decode()
    assert "91234567A" not in by_id and "92345678B" in by_id
    nobody = client.get("/audit/phi-access/", {"member": "99999999Z"}).content.decode()
    assert "No PHI access matches." in nobody
    export = client.get("/audit/phi-access/", {"username": coordinator.user.username, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 3
    with plan_scope(plan_a):
        last = PhiAccess.objects.filter(plan=plan_a).order_by("-id").first()
    assert (last.purpose, last.row_count, last.user) == (PhiPurpose.EXPORT, 2, admin_a.user)
    assert (last.member_ids, last.label) == ([], "PHI access log export")


def test_the_phi_log_search_by_member_finds_the_lists_they_appeared_on(client, plan_a, admin_a, make_membership):
    """Issue 15: a list page is one read event naming every member it showed."""
    coordinator = make_membership(plan_a)
    with scopes_disabled():
        shown = enrolled_member(plan_a, cin="91234567A", last_name="Flores")
        also = enrolled_member(plan_a, cin="93456789C", last_name="Flores")
        enrolled_member(plan_a, cin="92345678B", last_name="Other")
    login_as(client, coordinator)
    assert client.get("/members/?name=flores").status_code == 200
    login_as(client, admin_a)
    for member in ("91234567a", str(shown.pk)):
        page = client.get("/audit/phi-access/", {"member": member}).content.decode()
        assert "/members/?name=flores" in page and "91234567A" in page and "92345678B" not in page
    export = client.get("/audit/phi-access/", {"member": "91234567A", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == ["at", "user", "member_ids", "members", "what", "purpose", "rows", "path"]
    ((_, user, ids, cins, what, purpose, count, path),) = rows[1:]
    assert (user, what, purpose, count, path) == (
        coordinator.user.username,
        "",
        "care_coordination",
        "2",
        "/members/?name=flores",
    )
    # In the page's order, each id beside its CIN.
    assert dict(zip(ids.split(), cins.split(), strict=True)) == {str(shown.pk): shown.cin, str(also.pk): also.cin}


def test_a_list_read_is_one_row_naming_each_member_once(plan_a, make_membership, django_assert_num_queries):
    """Issue 15: one row per read event, written in one INSERT, naming every member in page order."""
    coordinator = make_membership(plan_a)
    with scopes_disabled():
        members = [enrolled_member(plan_a) for _ in range(30)]
    with plan_scope(plan_a), django_assert_num_queries(1):
        phi_read_record(membership=coordinator, path="/members/?name=Member", members=members + members[:5])
    with plan_scope(plan_a):
        (recorded,) = PhiAccess.objects.filter(plan=plan_a)
    assert recorded.member_ids == [member.pk for member in members]  # each member once, in order
    assert recorded.member_labels == [member.cin for member in members]
    assert (recorded.row_count, recorded.path, recorded.user_id) == (30, "/members/?name=Member", coordinator.user_id)
    with plan_scope(plan_a):  # the database's trigger wrote "who saw member X", in the same INSERT
        seen = PhiAccessMember.objects.filter(access_id=recorded.pk).values_list("member_id", "plan_id", "at")
        assert sorted(seen) == sorted((member.pk, plan_a.pk, recorded.at) for member in members)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PLAN_ADMINISTRATOR])
def test_only_plan_administrators_see_the_audit_pages(client, plan_a, make_membership, role):
    login_as(client, make_membership(plan_a, role))
    assert client.get("/audit/events/").status_code == 403
    assert client.get("/audit/phi-access/").status_code == 403


def test_audit_pages_page_by_keyset(client, plan_a, admin_a):
    with plan_scope(plan_a):
        for number in range(60):
            audit_record(code=f"test.page.{number:02d}", plan=plan_a, actor=None)
    login_as(client, admin_a)
    first = client.get("/audit/events/", {"code": "test.page"})
    content = first.content.decode()
    assert "test.page.59" in content and "test.page.10" in content and "test.page.09" not in content
    older = first.context["page"].older_than
    second = client.get("/audit/events/", {"code": "test.page", "before": older}).content.decode()
    assert "test.page.09" in second and "test.page.10" not in second and "Older entries" not in second


def test_holiday_calendar_copying_is_recorded_as_the_system(plan_a):
    with scopes_disabled():
        copied = AuditEvent.objects.filter(plan=plan_a, code="calendars.holiday_year.copied").first()
        assert Holiday.objects.filter(plan=plan_a).exists()
        assert PlanApiKey.objects.filter(plan=plan_a).count() == 0
    assert copied.actor is None and copied.actor_label == "system"


def test_demo_load_leaves_an_audit_trail(db):
    call_command("demo_load", stdout=io.StringIO())
    with scopes_disabled():
        assert AuditEvent.objects.filter(code="tenancy.membership.created").count() == 6


def test_an_audit_row_is_written_in_the_same_transaction_as_its_change(plan_a, admin_a):
    # A change that rolls back leaves no audit row behind, and an audited change is never lost alone.
    from django.db import transaction

    with scopes_disabled(), pytest.raises(RuntimeError), transaction.atomic():
        holiday_create(plan=plan_a, day=date(2026, 10, 12), name="Rolled back", actor=admin_a.user)
        raise RuntimeError("the caller's transaction fails after the service")
    assert "calendars.holiday.created" not in codes(plan_a)
    with scopes_disabled():
        assert not Holiday.objects.filter(plan=plan_a, name="Rolled back").exists()


@pytest.fixture
def events_about_objects(plan_a, admin_a, make_membership):
    """Three events about one membership, one about a holiday with the same id, one about nothing."""
    subject = make_membership(plan_a, Role.REVIEWER)
    with plan_scope(plan_a):
        for code in ("test.membership.created", "test.membership.changed", "test.membership.ended"):
            audit_record(code=code, plan=plan_a, actor=admin_a.user, target=subject)
        audit_record(code="test.holiday.created", plan=plan_a, actor=admin_a.user, target=Holiday(pk=subject.pk))
        audit_record(code="test.nothing.done", plan=plan_a, actor=admin_a.user)
    return subject


def search_codes(plan, **filters):
    with plan_scope(plan):
        return [event.code for event in audit_event_search(plan=plan, code="test.", **filters)]


def test_the_audit_search_finds_the_events_about_one_object(plan_a, plan_b, events_about_objects):
    subject_id = str(events_about_objects.pk)
    about_the_membership = ["test.membership.ended", "test.membership.changed", "test.membership.created"]
    assert search_codes(plan_a, target_type="tenancy.membership", target_id=subject_id) == about_the_membership
    assert search_codes(plan_a, target_id=subject_id) == ["test.holiday.created", *about_the_membership]
    assert search_codes(plan_a, target_type="calendars.holiday") == ["test.holiday.created"]
    assert search_codes(plan_a, target_type="tenancy.membership", target_id="999999") == []
    assert search_codes(plan_b, target_id=subject_id) == []  # another plan's trail stays out


@pytest.mark.parametrize(
    ("target", "expected_type", "expected_id"),
    [
        ("members.member:12", "members.member", "12"),
        (" Members.Member : 12 ", "members.member", "12"),
        ("12", "", "12"),
        ("members.member:", "members.member", ""),
        ("tenancy.planapikey:AbC.dEf", "tenancy.planapikey", "AbC.dEf"),
        ("", "", ""),
    ],
)
def test_the_object_filter_reads_an_id_with_an_optional_type(target, expected_type, expected_id):
    form = AuditEventFilterForm({"target": target})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["target_type"], form.cleaned_data["target_id"]) == (expected_type, expected_id)
    assert "target" not in form.cleaned_data


@pytest.mark.parametrize("target", ["member:12", "members member:12", ":12", "members.member:" + "9" * 151])
def test_a_malformed_object_filter_is_an_error_on_the_field(target):
    form = AuditEventFilterForm({"target": target})
    assert not form.is_valid()
    assert list(form.errors) == ["target"]


def test_the_audit_page_filters_by_object_and_links_each_row_to_its_object(
    client, plan_a, admin_a, events_about_objects
):
    login_as(client, admin_a)
    target = f"tenancy.membership:{events_about_objects.pk}"
    page = client.get("/audit/events/", {"target": target}).content.decode()
    for code in ("test.membership.created", "test.membership.changed", "test.membership.ended"):
        assert code in page
    assert "test.holiday.created" not in page and "test.nothing.done" not in page
    assert f'href="?target=tenancy.membership:{events_about_objects.pk}"' in page
    assert 'for="id_target"' in page and 'aria-describedby="id_target_helptext"' in page
    bare_id = client.get("/audit/events/", {"target": str(events_about_objects.pk), "code": "test."}).content.decode()
    assert "test.holiday.created" in bare_id and "test.membership.created" in bare_id
    assert "test.nothing.done" not in bare_id
    bad = client.get("/audit/events/", {"target": "membership:1"}).content.decode()
    assert "Name the type as app.model" in bad
    export = client.get("/audit/events/", {"target": target, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row[1] for row in rows[1:]] == [
        "test.membership.ended",
        "test.membership.changed",
        "test.membership.created",
    ]
    with plan_scope(plan_a):
        exported = AuditEvent.objects.filter(plan=plan_a, code="audit.events.exported").get()
    assert exported.payload == {"target_type": "tenancy.membership", "target_id": str(events_about_objects.pk)}
