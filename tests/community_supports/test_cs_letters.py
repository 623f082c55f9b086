"""A Community Support's letters name the service in the member's language (DOMAIN 5.3, 9; FAQ 43),
read back from the PDFs the services really issue: respite approved and denied for a member who
reads Spanish and one who reads English. The name is frozen in the notice at issue, so a later
rename changes no letter, and letters issued before names were frozen still render as they did.

The people, provider and requests here serve test_cs_discontinuation too: requests are rows made in
the state a test starts from; every decision goes through the services."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from authorizations import services
from authorizations.letters import render_letter_html
from authorizations.models import AuthorizationRequest, DenialReason, Notice, NoticeType, RequestSource, Status
from benefits.models import CatalogueService, Election
from benefits.selectors import service_get
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from ecm_platform.tenancy.models import County, Role
from eligibility.models import PopulationOfFocus
from providers.services import contract_create, service_assignment_create, service_provider_for
from tests.authorizations.test_letters import notice_content, pdf_text
from tests.factories import activated, enrolled_member
from tests.providers.test_assignments import organization

pytestmark = pytest.mark.usefixtures("in_plan_a")

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, 10, tzinfo=LA)  # a Monday, inside every contract and election
EXPLANATION = "The caregiver's relief is already covered by In-Home Supportive Services."
REQUESTER = "intake@valleycaregivers.example.org"

RESPITE = {"en": "Respite Services", "es": "Servicios de relevo"}
ECM_NAMES = ("Enhanced Care Management", "Administración de Atención Mejorada")


# --- The world of these tests and test_cs_discontinuation ---------------------------------------


def respite_world(plan, make_membership) -> SimpleNamespace:
    """Plan A offers respite in county 01 from 1 January 2026 (DOMAIN 9), and Bayside holds a
    respite line there; Rosa reads Spanish, James English."""
    county = County.objects.get(code="01")
    respite = service_get("respite")
    Election.objects.create(
        plan=plan, county=county, service=respite, effective_from=date(2026, 1, 1), created_at=clocks.now()
    )
    bayside = organization(plan, 0)
    activated(
        contract_create(
            plan=plan, actor=OPERATOR, organization=bayside, counties=[county],
            pofs=list(PopulationOfFocus.objects.filter(code="HOMELESS")),
            lines=[{"service": "respite", "capacity": 5}], start_date=date(2025, 1, 1),
        )
    )  # fmt: skip
    address = {"address_line": "415 Olive Ave", "city": "Fresno", "zip_code": "93728"}
    return SimpleNamespace(
        plan=plan,
        respite=respite,
        bayside=bayside,
        coordinator=make_membership(plan, Role.CARE_COORDINATOR).user,
        reviewer=make_membership(plan, Role.REVIEWER).user,
        rosa=enrolled_member(plan, first_name="Rosa", last_name="Núñez", preferred_language="es-MX", **address),
        james=enrolled_member(plan, first_name="James", last_name="Okafor", preferred_language="en", **address),
    )


def cs_request(world, member, status=Status.IN_REVIEW, **fields) -> AuthorizationRequest:
    """A provider's request for 48 hours of respite, received on MONDAY, in `status`."""
    return AuthorizationRequest.objects.create(
        plan=world.plan, member=member, service=world.respite, source=RequestSource.PROVIDER_REFERRAL,
        received_at=MONDAY, due_at=MONDAY + timedelta(days=7), status=status, service_from=date(2026, 11, 20),
        service_to=date(2026, 11, 22), quantity=Decimal("48"), created_at=MONDAY, updated_at=MONDAY, **fields,
    )  # fmt: skip


def active_cs_request(world, member) -> AuthorizationRequest:
    """An approved respite request whose services run with Bayside since MONDAY."""
    line = service_provider_for(plan=world.plan, member=member, service=world.respite, on=MONDAY.date())
    placement = service_assignment_create(
        plan=world.plan, actor=OPERATOR, member=member, line=line, started_on=MONDAY.date()
    )
    return cs_request(
        world, member, status=Status.ACTIVE, decision="full", decided_at=MONDAY,
        services_started_on=MONDAY.date(), service_assignment=placement,
    )  # fmt: skip


def letter_of(plan, request, notice_type) -> tuple[Notice, str]:
    """The request's notice of `notice_type` and the text of its PDF, as the member receives it."""
    notice = Notice.objects.get(request=request, notice_type=notice_type)
    return notice, pdf_text(services.notice_pdf(plan=plan, notice=notice))


def other_language(language: str) -> str:
    return "en" if language == "es" else "es"


@pytest.fixture
def world(plan_a, make_membership):
    return respite_world(plan_a, make_membership)


def deny(world, member, **fields):
    request = cs_request(world, member, **fields)
    with clocks.frozen(MONDAY + timedelta(days=1)):
        services.request_deny(
            plan=world.plan, actor=world.reviewer, request=request, reason=DenialReason.SERVICE_CRITERIA_NOT_MET,
            explanation=EXPLANATION,
        )  # fmt: skip
    return request


def approve(world, member):
    request = cs_request(world, member)
    with clocks.frozen(MONDAY + timedelta(days=1)):
        services.request_approve(
            plan=world.plan,
            actor=world.reviewer,
            request=request,
            criteria_met=list(world.respite.eligibility_criteria),
        )
    return request


# --- Denial and approval, each in the member's language ------------------------------------------

DENIAL = {
    "es": [
        "Aviso de Acción: su solicitud fue denegada",
        "Su solicitud de Servicios de relevo fue denegada.",
        "Usted no cumple con los criterios de elegibilidad de este servicio.",
        "Los criterios de elegibilidad y los límites de Servicios de relevo que establece la Guía de Políticas de "
        "Apoyos Comunitarios del DHCS",
    ],
    "en": [
        "Notice of Action: your request was denied",
        "Your request for Respite Services is denied.",
        "You do not meet the eligibility criteria of this service.",
        "The eligibility criteria and limits of Respite Services set by the DHCS Community Supports Policy Guide",
    ],
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_respite_denial_names_the_service_and_the_reason_in_the_members_language(world, language):
    """DOMAIN 5.3 / FAQ 43: a denied Community Support's NOA names the service and the reason in the
    member's language, with the criteria applied (the service's, not ECM's Populations of Focus);
    the English letter carries no Spanish name and the Spanish one no English name."""
    request = deny(world, world.rosa if language == "es" else world.james)

    notice, text = letter_of(world.plan, request, NoticeType.DENIAL)

    assert notice.language == language
    assert (notice.content["service"], notice.content["service_name"], notice.content["service_name_es"]) == (
        "respite", "Respite Services", "Servicios de relevo",
    )  # fmt: skip
    for sentence in DENIAL[language]:
        assert sentence in text
    assert RESPITE[language] in text
    assert RESPITE[other_language(language)] not in text
    assert EXPLANATION in text  # the reviewer's words, as written
    assert not any(name in text for name in ECM_NAMES)
    assert "Population" not in text and "Población" not in text


APPROVAL = {
    "es": [
        "Su solicitud de Servicios de relevo fue aprobada.",
        "Su proveedor de Apoyos Comunitarios se comunicará con usted para comenzar sus servicios.",
    ],
    "en": [
        "Your request for Respite Services is approved.",
        "Your Community Supports provider will contact you to start your services.",
    ],
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_respite_approval_letter_names_the_service_in_the_members_language(world, language):
    """DOMAIN 5.3 (Beyond NOAs): the approval letter, in the member's language, names respite and
    the Community Supports provider, not ECM's."""
    request = approve(world, world.rosa if language == "es" else world.james)

    _, text = letter_of(world.plan, request, NoticeType.APPROVAL)

    for sentence in APPROVAL[language]:
        assert sentence in text
    assert RESPITE[other_language(language)] not in text
    assert "ECM" not in text


def test_a_later_rename_changes_no_issued_letter(world):
    """DOMAIN 5.3: a notice is immutable once issued: renaming the service in the catalogue
    afterwards leaves the letter's name as it was on the day of issue, in both languages."""
    request = deny(world, world.rosa)
    notice = Notice.objects.get(request=request)
    CatalogueService.objects.filter(pk=world.respite.pk).update(
        name="Caregiver Respite", name_es="Relevo para cuidadores"
    )

    notice.refresh_from_db()
    spanish = render_letter_html(notice.content, "es")
    english = render_letter_html(notice.content, "en")
    stored = pdf_text(services.notice_pdf(plan=world.plan, notice=notice))

    assert "Servicios de relevo" in spanish and "Servicios de relevo" in stored
    assert "Respite Services" in english
    assert not any("Relevo para cuidadores" in html or "Caregiver Respite" in html for html in (spanish, english))


def test_the_requester_is_told_which_service_was_decided(world, django_capture_on_commit_callbacks):
    """DOMAIN 5.3: the requesting entity is told of the decision once, electronically, with the
    service it asked for and the reason when not authorized."""
    with django_capture_on_commit_callbacks(execute=True):
        request = deny(world, world.rosa, requester_contact=REQUESTER)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [REQUESTER]
    assert f"Decision on request {request.pk}: denial (Respite Services)" in email.subject
    assert "Service: Respite Services\nDecision: denied." in email.body
    assert f"Reason: {DenialReason.SERVICE_CRITERIA_NOT_MET.label}" in email.body


# --- Letters issued before the catalogue named services ------------------------------------------


@pytest.mark.parametrize(("language", "name"), [("en", "Community Supports"), ("es", "Apoyos Comunitarios")])
def test_an_old_community_supports_letter_renders_as_before(language, name):
    """DOMAIN 5.3: a letter issued before names were frozen (service "community_supports", no name
    keys) still renders, naming the service as it did then, with the words it had then."""
    old = notice_content("denial", service="community_supports")

    html = " ".join(render_letter_html(old, language).split())

    assert f'<th scope="row">{"Service" if language == "en" else "Servicio"}</th><td>{name}</td>' in html
    assert ("The ECM Populations of Focus" if language == "en" else "Las Poblaciones de Enfoque") in html


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("notice_type", ["approval", "denial", "delay", "modification", "discontinuation"])
def test_an_ecm_letter_reads_the_same_with_or_without_the_frozen_names(notice_type, language):
    """DOMAIN 5.3: ECM's letters keep their words: content that carries ECM's catalogue names reads
    exactly as content issued before names were frozen."""
    old = notice_content(notice_type)
    new = {**old, "service_name": "Enhanced Care Management", "service_name_es": "Administración de Atención Mejorada"}

    assert render_letter_html(new, language) == render_letter_html(old, language)


def test_a_community_supports_letter_without_its_names_is_refused():
    """DOMAIN 5.3: a letter names its service; a Community Support's content without its frozen
    names (or with a criterion outside a discontinuation) is refused rather than printed blank."""
    with pytest.raises(ValueError, match="service_name"):
        render_letter_html(notice_content("denial", service="respite"), "es")
    with pytest.raises(ValueError, match="criterion"):
        render_letter_html(
            notice_content(
                "denial", service="respite", service_name="Respite Services", service_name_es="Servicios de relevo",
                discontinuation_criterion="annual-hours-used", discontinuation_criterion_en="Annual hours used",
                discontinuation_criterion_es="Se usaron las horas del año",
            ),
            "en",
        )  # fmt: skip
