"""The settings the authorizations app reads, set by the plan administrator on the app's pages and
through the API: the contact every Notice of Action prints (DOMAIN 5.3) and the presumptive period
(DOMAIN 5.1); a letter issued while the plan has no contact is held and released when it is set."""

import pytest
from django_scopes import scopes_disabled

from authorizations import services
from authorizations.models import AuthorizationSettings, DenialReason, Notice, Status
from authorizations.services.letter_contact import letter_contact_set
from ecm_platform import clocks
from ecm_platform.audit.models import AuditEvent
from ecm_platform.errors import ConflictError
from ecm_platform.notifications.models import Notification
from ecm_platform.tenancy.models import HealthPlan
from ecm_platform.tenancy.scoping import plan_scope
from tests.authorizations.conftest import MONDAY
from tests.authorizations.test_letters import pdf_text

PHONE = "1-888-555-0142"
ADDRESS = "Alpha Health Plan\nAttn: Appeals and Grievances\nPO Box 24680\nOakland, CA 94623"


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a.user)
    return client


def deny(plan, coordinator, reviewer, member, make_request) -> Notice:
    """A member's own request denied on MONDAY: a denial Notice of Action (DOMAIN 5.3)."""
    request = make_request(plan, coordinator.user, member)
    with scopes_disabled(), clocks.frozen(MONDAY):
        services.request_start_review(plan=plan, actor=reviewer.user, request=request)
        services.request_deny(
            plan=plan, actor=reviewer.user, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
            explanation="You do not meet a Population of Focus.",
        )  # fmt: skip
        return Notice.objects.get(request=request)


def set_contact_on_page(client, *, phone, address):
    return client.post("/settings/letters/", {"member_services_phone": phone, "appeals_address": address})


def set_contact_through_api(make_api_client, admin, *, phone, address):
    return make_api_client(admin).patch(
        "/api/v1/settings/contact/", {"member_services_phone": phone, "appeals_address": address}, format="json"
    )


def without_contact(plan):
    """A plan created before the contact was required (plan_create refuses one without it)."""
    HealthPlan.objects.filter(pk=plan.pk).update(member_services_phone="", appeals_address="")
    plan.refresh_from_db()


@pytest.mark.parametrize(
    ("interface", "language", "phone_label", "title"),
    [
        ("page", "en", "Phone:", "Notice of Action"),
        ("api", "en", "Phone:", "Notice of Action"),
        ("page", "es", "Teléfono:", "Aviso de Acción"),
        ("api", "es", "Teléfono:", "Aviso de Acción"),
    ],
)
def test_the_notice_pdf_prints_the_contact_the_administrator_set(
    interface, language, phone_label, title, admin_client, admin_a, make_api_client, plan_a,
    coordinator_a, reviewer_a, make_eligible_member, make_request,
):  # fmt: skip
    # DOMAIN 5.3: the NOA gives the plan's contact, in the member's language (English and Spanish).
    if interface == "page":
        response = set_contact_on_page(admin_client, phone=PHONE, address=ADDRESS)
        assert response.status_code == 302
    else:
        response = set_contact_through_api(make_api_client, admin_a, phone=PHONE, address=ADDRESS)
        assert response.status_code == 200, response.json()
        assert response.json() == {"member_services_phone": PHONE, "appeals_address": ADDRESS, "held_notices": 0}
    member = make_eligible_member(plan_a, first_name="Lucía", last_name="Ortega", preferred_language=language)

    notice = deny(plan_a, coordinator_a, reviewer_a, member, make_request)

    with plan_scope(plan_a):
        assert notice.language == language
        assert (notice.content["plan_phone"], notice.content["plan_address"]) == (PHONE, ADDRESS)
        text = pdf_text(services.notice_pdf(plan=plan_a, notice=notice))
    assert title in text
    assert f"{phone_label} {PHONE}" in text
    assert " ".join(ADDRESS.split()) in text
    assert "the Member Services number on your card" not in text


def test_a_decision_without_the_plans_contact_commits_and_its_letter_waits_until_the_contact_is_set(
    admin_a, make_api_client, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # DOMAIN 5.3: a missing setting never blocks a decision; the letter waits on the administrator.
    without_contact(plan_a)
    member = make_eligible_member(plan_a, preferred_language="es")

    with django_capture_on_commit_callbacks(execute=True):  # the release job finds no contact yet
        notice = deny(plan_a, coordinator_a, reviewer_a, member, make_request)

    with plan_scope(plan_a):
        notice.request.refresh_from_db()
        assert notice.request.status == Status.DENIED
        assert notice.is_held and notice.pdf is None
        assert (notice.content["plan_phone"], notice.content["plan_address"]) == ("", "")
        with pytest.raises(ConflictError):
            services.notice_pdf(plan=plan_a, notice=notice)
        [notification] = Notification.objects.filter(recipient=admin_a.user)
        assert f"Notice of Action {notice.pk} is held" in notification.text
        assert notification.link == "/settings/letters/"
        assert AuditEvent.objects.filter(code="authorizations.notice.held", target_id=str(notice.pk)).count() == 1
    api = make_api_client(admin_a)
    assert api.get(f"/api/v1/notices/{notice.pk}/pdf/").status_code == 409
    assert api.get("/api/v1/settings/contact/").json()["held_notices"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = set_contact_through_api(make_api_client, admin_a, phone=PHONE, address=ADDRESS)

    assert response.status_code == 200, response.json()
    assert response.json()["held_notices"] == 0
    with plan_scope(plan_a):
        released = Notice.objects.get(pk=notice.pk)
        assert not released.is_held
        assert released.pdf is not None  # rendered once released, after the commit
        assert (released.content["plan_phone"], released.content["plan_address"]) == (PHONE, ADDRESS)
        assert AuditEvent.objects.filter(code="authorizations.notice.released", target_id=str(notice.pk)).count() == 1
        text = pdf_text(services.notice_pdf(plan=plan_a, notice=released))
    assert f"Teléfono: {PHONE}" in text
    assert " ".join(ADDRESS.split()) in text


def test_a_contact_set_while_the_decision_was_in_flight_releases_its_letter_once_the_decision_commits(
    plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request, django_capture_on_commit_callbacks
):
    # DOMAIN 5.3: the letter must not wait for a contact that is already there.
    without_contact(plan_a)
    with django_capture_on_commit_callbacks() as after_the_decision:
        notice = deny(plan_a, coordinator_a, reviewer_a, make_eligible_member(plan_a), make_request)
    # The administrator's save committed meanwhile; its release could not see this notice yet.
    HealthPlan.objects.filter(pk=plan_a.pk).update(member_services_phone=PHONE, appeals_address=ADDRESS)

    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_the_decision:
            callback()

    with plan_scope(plan_a):
        released = Notice.objects.get(pk=notice.pk)
        assert not released.is_held and released.pdf is not None
        assert released.content["plan_phone"] == PHONE
        [event] = AuditEvent.objects.filter(code="authorizations.notice.released")
        assert event.actor_label == "system:held letters"


def test_a_released_letter_keeps_the_contact_it_was_sent_with(
    admin_a, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request
):
    # DOMAIN 5.3: notices are immutable once issued; a later contact change does not rewrite them.
    notice = deny(plan_a, coordinator_a, reviewer_a, make_eligible_member(plan_a), make_request)
    with plan_scope(plan_a):
        first = services.notice_pdf(plan=plan_a, notice=notice)
        letter_contact_set(plan=plan_a, actor=admin_a.user, member_services_phone=PHONE, appeals_address=ADDRESS)
        again = Notice.objects.get(pk=notice.pk)
        assert services.notice_pdf(plan=plan_a, notice=again) == first
        assert again.content["plan_phone"] == "1-800-555-0100"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"member_services_phone": "the Member Services number on your card"}, "member_services_phone"),
        ({"member_services_phone": "555-0142"}, "member_services_phone"),
        ({"appeals_address": "the address on your member handbook"}, "appeals_address"),
        ({"appeals_address": "   "}, "appeals_address"),
    ],
)
def test_an_invalid_contact_is_refused_naming_the_field(fields, field, admin_a, admin_client, make_api_client, plan_a):
    response = make_api_client(admin_a).patch("/api/v1/settings/contact/", fields, format="json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [field]

    page = set_contact_on_page(
        admin_client,
        phone=fields.get("member_services_phone", PHONE),
        address=fields.get("appeals_address", ADDRESS),
    )
    assert page.status_code == 400
    assert list(page.context["form"].errors) == [field]
    with plan_scope(plan_a):
        plan_a.refresh_from_db()
        assert plan_a.member_services_phone == "1-800-555-0100"
        assert not AuditEvent.objects.filter(code="tenancy.plan.contact_set").exists()


def test_the_presumptive_period_is_set_on_the_page_and_through_the_api(admin_a, admin_client, make_api_client, plan_a):
    # DOMAIN 5.1: the presumptive period is a plan setting.
    assert admin_client.get("/settings/authorizations/").status_code == 200
    assert admin_client.post("/settings/authorizations/", {"presumptive_period_days": 21}).status_code == 302
    api = make_api_client(admin_a)
    assert api.get("/api/v1/settings/authorizations/").json() == {"presumptive_period_days": 21}

    response = api.patch("/api/v1/settings/authorizations/", {"presumptive_period_days": 45}, format="json")

    assert response.status_code == 200
    with plan_scope(plan_a):
        assert AuthorizationSettings.objects.get(plan=plan_a).presumptive_period_days == 45
        assert AuditEvent.objects.filter(code="authorizations.settings.updated").count() == 2


@pytest.mark.parametrize("days", [0, 366])
def test_a_presumptive_period_out_of_bounds_is_refused_naming_the_field(days, admin_a, admin_client, make_api_client):
    response = make_api_client(admin_a).patch(
        "/api/v1/settings/authorizations/", {"presumptive_period_days": days}, format="json"
    )
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["presumptive_period_days"]
    page = admin_client.post("/settings/authorizations/", {"presumptive_period_days": days})
    assert page.status_code == 400
    assert list(page.context["form"].errors) == ["presumptive_period_days"]


def test_the_pages_show_a_held_letter_as_held(
    client, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request
):
    without_contact(plan_a)
    notice = deny(plan_a, coordinator_a, reviewer_a, make_eligible_member(plan_a), make_request)
    client.force_login(reviewer_a.user)

    for url in (f"/authorizations/notices/{notice.pk}/", f"/authorizations/notices/{notice.pk}/pdf/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/authorizations/{notice.request_id}/"
    detail = client.get(f"/authorizations/{notice.request_id}/").content.decode()
    assert "Letter held until the plan's contact is set" in detail
    assert "letter is held until the plan administrator sets the plan&#x27;s contact" in detail
