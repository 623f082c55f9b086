"""Plan settings in the app (issue 13): only the plan administrator reads or changes them, on the
pages of the apps that own them and through /api/v1/settings/; everyone else gets 403 and nothing
is written. A plan is created with the contact its letters print, or not at all."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from authorizations.models import AuthorizationSettings
from ecm_platform.audit.models import AuditEvent
from ecm_platform.calendars.models import Holiday
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import OPERATOR, Capability, holders
from ecm_platform.tenancy.models import HealthPlan, Role
from ecm_platform.tenancy.scoping import plan_scope
from ecm_platform.tenancy.services import plan_create
from eligibility.models import PlanPofStart, PopulationOfFocus
from providers.models import AssignmentSettings
from tests.factories import PLAN_CONTACT
from tests.isolation.specs_plan_settings import API_SPECS, PAGE_SPECS

NOT_ADMINISTRATORS = [role for role in Role if role not in holders(Capability.PLAN_SETTINGS_MANAGE)]
PAGE_CALLS = [call for calls in PAGE_SPECS.values() for call in calls]
API_CALLS = [call for calls in API_SPECS.values() for call in calls]


def settings_of(plan) -> tuple:
    """Everything a settings page or API could write, and the audit trail."""
    with scopes_disabled():
        return (
            HealthPlan.objects.filter(pk=plan.pk).values_list("member_services_phone", "appeals_address").get(),
            list(AuthorizationSettings.objects.filter(plan=plan).values_list("presumptive_period_days")),
            list(AssignmentSettings.objects.filter(plan=plan).values_list("pcp_before_behavioral_health")),
            sorted(PlanPofStart.objects.filter(plan=plan).values_list("county_id", "pof_id", "start_date")),
            sorted(Holiday.objects.filter(plan=plan).values_list("date", "name")),
            AuditEvent.objects.filter(plan=plan).count(),
        )


def first_holiday(plan) -> int:
    with scopes_disabled():
        return Holiday.objects.filter(plan=plan).order_by("date").first().pk


def send(client, call, holiday, *, browser):
    url = call.url.format(holiday=holiday)
    if call.method == "get":
        return client.get(url)
    if browser:
        return client.post(url, call.data)
    return getattr(client, call.method)(url, call.data, format="json")


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_the_plan_administrator_may_open_or_post_a_settings_page(role, plan_a, make_membership):
    client = Client()
    client.force_login(make_membership(plan_a, role).user)
    holiday, before = first_holiday(plan_a), settings_of(plan_a)

    for call in PAGE_CALLS:
        assert send(client, call, holiday, browser=True).status_code == 403, f"{role} {call}"

    assert settings_of(plan_a) == before


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_the_plan_administrator_may_read_or_change_settings_through_the_api(
    role, plan_a, make_membership, make_api_client
):
    client = make_api_client(make_membership(plan_a, role))
    holiday, before = first_holiday(plan_a), settings_of(plan_a)

    for call in API_CALLS:
        assert send(client, call, holiday, browser=False).status_code == 403, f"{role} {call}"
    assert client.post("/api/v1/holidays/", {"date": "2026-10-13", "name": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/holidays/{holiday}/").status_code == 403

    assert settings_of(plan_a) == before


def test_the_administrator_finds_every_setting_from_the_dashboard(client, admin_a):
    client.force_login(admin_a.user)
    dashboard = client.get("/").content.decode()
    assert 'href="/settings/"' in dashboard
    index = client.get("/settings/").content.decode()
    for page in ("letters", "authorizations", "assignment", "pof-starts", "holidays"):
        assert f'href="/settings/{page}/"' in index
        assert client.get(f"/settings/{page}/").status_code == 200
    assert "/admin/" not in dashboard + index


def test_the_assignment_order_is_set_on_the_page_and_through_the_api(client, admin_a, make_api_client, plan_a):
    # DOMAIN 7: a plan setting may swap steps 2 and 3 of the assignment order.
    client.force_login(admin_a.user)
    assert client.post("/settings/assignment/", {"pcp_before_behavioral_health": "on"}).status_code == 302
    api = make_api_client(admin_a)
    assert api.get("/api/v1/settings/assignment/").json() == {"pcp_before_behavioral_health": True}

    response = api.patch("/api/v1/settings/assignment/", {"pcp_before_behavioral_health": False}, format="json")

    assert response.json() == {"pcp_before_behavioral_health": False}
    with plan_scope(plan_a):
        assert AssignmentSettings.objects.get(plan=plan_a).pcp_before_behavioral_health is False
        assert AuditEvent.objects.filter(code="providers.assignment_settings.changed").count() == 2


def test_a_pof_early_start_is_set_on_the_page_and_through_the_api(client, admin_a, make_api_client, plan_a):
    # DOMAIN 3.4: a plan may start a POF earlier than DHCS requires, in a county it serves.
    with scopes_disabled():
        pof = PopulationOfFocus.objects.get(code="HOMELESS")
    earlier = pof.live_in_wpc_hhp_counties - timedelta(days=30)  # Contra Costa (07) ran WPC
    client.force_login(admin_a.user)
    page = client.post("/settings/pof-starts/", {"county": "07", "pof": "HOMELESS", "start_date": earlier.isoformat()})
    assert page.status_code == 302
    assert earlier.isoformat() in client.get("/settings/pof-starts/").content.decode()

    response = make_api_client(admin_a).post(
        "/api/v1/settings/pof-starts/",
        {"county": "07", "pof": "HOMELESS", "start_date": (earlier - timedelta(days=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0} == {
        "id": 0, "county": "07", "pof": "HOMELESS", "start_date": (earlier - timedelta(days=1)).isoformat()
    }  # fmt: skip
    listed = make_api_client(admin_a).get("/api/v1/settings/pof-starts/").json()
    assert [(row["county"], row["pof"]) for row in listed] == [("07", "HOMELESS")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"county": "19", "pof": "HOMELESS", "start_date": "2022-01-01"}, "county"),  # not a county plan A serves
        ({"county": "07", "pof": "HOMELESS", "start_date": "2099-01-01"}, "start_date"),  # later than DHCS
    ],
)
def test_an_invalid_pof_early_start_is_refused_naming_the_field(data, field, client, admin_a, make_api_client, plan_a):
    api = make_api_client(admin_a)
    before = settings_of(plan_a)
    response = api.post("/api/v1/settings/pof-starts/", data, format="json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [field]
    client.force_login(admin_a.user)
    page = client.post("/settings/pof-starts/", data)
    assert page.status_code == 400
    assert list(page.context["form"].errors) == [field]
    assert settings_of(plan_a) == before


def test_closure_days_are_added_and_removed_on_the_holiday_page(client, admin_a, plan_a):
    # DOMAIN 5.1: the plan administrator edits the holiday calendar that working-day clocks skip.
    client.force_login(admin_a.user)

    added = client.post("/settings/holidays/?year=2026", {"date": "2026-08-05", "name": "Office move"})

    assert added.status_code == 302
    assert added["Location"] == "/settings/holidays/?year=2026"
    assert "Office move" in client.get("/settings/holidays/?year=2026").content.decode()
    with plan_scope(plan_a):
        holiday = Holiday.objects.get(plan=plan_a, date=date(2026, 8, 5))
    duplicate = client.post("/settings/holidays/", {"date": "2026-08-05", "name": "Again"})
    assert duplicate.status_code == 400
    assert list(duplicate.context["form"].errors) == ["date"]

    assert client.post(f"/settings/holidays/{holiday.pk}/remove/").status_code == 302

    with plan_scope(plan_a):
        assert not Holiday.objects.filter(plan=plan_a, date=date(2026, 8, 5)).exists()
        codes = list(AuditEvent.objects.filter(target_id=str(holiday.pk)).values_list("code", flat=True))
    assert sorted(codes) == ["calendars.holiday.created", "calendars.holiday.deleted"]


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"member_services_phone": "", "appeals_address": PLAN_CONTACT["appeals_address"]}, "member_services_phone"),
        ({"member_services_phone": "not a number", "appeals_address": PLAN_CONTACT["appeals_address"]}, "member_services_phone"),
        ({"member_services_phone": PLAN_CONTACT["member_services_phone"], "appeals_address": ""}, "appeals_address"),
        (
            {"member_services_phone": PLAN_CONTACT["member_services_phone"], "appeals_address": "the address on your member handbook"},
            "appeals_address",
        ),
    ],
)  # fmt: skip
def test_a_plan_is_not_created_without_the_contact_its_letters_print(contact, field, db):
    # DOMAIN 5.3: the plan's contact is required when a plan is created.
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        plan_create(code="no-contact", name="No Contact Plan", county_codes=["01"], actor=OPERATOR, **contact)
    assert refused.value.field == field
    assert not HealthPlan.objects.filter(code="no-contact").exists()


def test_a_plan_is_created_with_its_contact(db):
    with scopes_disabled():
        plan = plan_create(code="contact", name="Contact Plan", county_codes=["01"], actor=OPERATOR, **PLAN_CONTACT)
    assert (plan.member_services_phone, plan.appeals_address) == tuple(PLAN_CONTACT.values())
    assert plan.has_letter_contact
