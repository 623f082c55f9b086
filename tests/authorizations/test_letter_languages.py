"""The letters the services really issue, read back from their PDFs in the member's language
(DOMAIN 5.3): a notice stores codes and facts, and each language's template owns every word, so a
Spanish member's letter carries none of the English letter's sentences."""

import re
from datetime import date, timedelta

import pytest

from authorizations import services
from authorizations.letters import render_letter_pdf
from authorizations.models import (
    AppealOutcome,
    Decision,
    DenialReason,
    DiscontinuationReason,
    Notice,
    NoticeType,
    RequestSource,
    WithdrawalReason,
)
from ecm_platform import clocks
from ecm_platform.tenancy.access import OPERATOR
from providers.selectors import open_assignment
from providers.services import assignment_set_lead_care_manager, care_manager_add
from tests.authorizations.conftest import MONDAY
from tests.authorizations.test_letters import pdf_text

pytestmark = pytest.mark.usefixtures("in_plan_a")

# The reviewer's own words: printed as written, in whatever language they were written.
EXPLANATION = "Reviewed the referral of 11/02 and the assessment sent with it."
MODIFICATION = "ECM for 3 months, then a reassessment."
ALTERNATIVES = "Complex Case Management (call 1-800-555-0199)."
EXTENSION_REASON = "Waiting for the hospital discharge summary."

# What only the Spanish template says, per letter (its decision sentence and its reason label).
SPANISH = {
    NoticeType.DENIAL: [
        "Aviso de Acción: su solicitud fue denegada",
        "Su solicitud de Administración de Atención Mejorada (ECM) fue denegada.",
        "Usted no cumple con los criterios de ninguna Población de Enfoque de ECM.",
        "Otros servicios que pueden ayudarle",
    ],
    NoticeType.DELAY: [
        "Aviso de Acción: necesitamos más tiempo para decidir",
        "Necesitamos más tiempo para decidir sobre su solicitud de Administración de Atención Mejorada (ECM).",
    ],
    NoticeType.MODIFICATION: [
        "Aviso de Acción: su solicitud fue modificada",
        "Su solicitud de Administración de Atención Mejorada (ECM) fue aprobada con un cambio.",
        "Tal como lo escribió la persona que revisó su solicitud:",
    ],
    NoticeType.DISCONTINUATION: [
        "Aviso de Acción: sus servicios terminarán",
        "Sus servicios de Administración de Atención Mejorada (ECM) terminarán.",
        "Su Proveedor de ECM no pudo comunicarse con usted después de varios intentos.",
        "Conserve sus servicios durante la apelación.",
    ],
    NoticeType.APPROVAL: [
        "Su solicitud fue aprobada",
        "Su solicitud de Administración de Atención Mejorada (ECM) fue aprobada.",
        "Su Proveedor de ECM se comunicará con usted para comenzar sus servicios.",
    ],
}
RIGHTS = ["Sus derechos", "Audiencia Estatal dentro de los 120 días"]


def _member(make_eligible_member, plan, n):
    return make_eligible_member(
        plan, first_name="María José", last_name=f"Núñez {n}", preferred_language="es-MX",
        address_line="415 Olive Ave", city="Fresno", zip_code="93728",
    )  # fmt: skip


def _in_review(plan, coordinator, reviewer, member, make_request):
    request = make_request(plan, coordinator, member, source=RequestSource.PROVIDER_REFERRAL)
    with clocks.frozen(MONDAY):
        return services.request_start_review(plan=plan, actor=reviewer, request=request)


def _deny(plan, reviewer, request):
    services.request_deny(
        plan=plan, actor=reviewer, request=request, reason=DenialReason.NO_POPULATION_OF_FOCUS,
        explanation=EXPLANATION, alternative_services=ALTERNATIVES,
    )  # fmt: skip


def _extend(plan, reviewer, request):
    services.request_extend(plan=plan, actor=reviewer, request=request, days=14, reason=EXTENSION_REASON)


def _approve_modified(plan, reviewer, request):
    services.request_approve(
        plan=plan, actor=reviewer, request=request, decision=Decision.MODIFIED, modification=MODIFICATION,
        explanation=EXPLANATION,
    )  # fmt: skip


def _approve(plan, reviewer, request):
    services.request_approve(plan=plan, actor=reviewer, request=request)


def _discontinue(plan, reviewer, request):
    """Approved, services started with a Lead Care Manager, then discontinued with no explanation
    written: the letter gives the reason code's label in the member's language, nothing else."""
    services.request_approve(plan=plan, actor=reviewer, request=request)
    assignment = open_assignment(plan=plan, member=request.member)
    care_manager = care_manager_add(plan=plan, actor=OPERATOR, organization=assignment.organization, name="Ana Ruiz")
    assignment_set_lead_care_manager(plan=plan, assignment=assignment, care_manager=care_manager, actor=OPERATOR)
    request = services.request_start_services(
        plan=plan, actor=OPERATOR, request=request.__class__.objects.get(pk=request.pk)
    )
    services.request_discontinue(
        plan=plan, actor=reviewer, request=request, reason=DiscontinuationReason.UNABLE_TO_CONNECT,
        effective_on=clocks.local_date(clocks.now()) + timedelta(days=14),
    )  # fmt: skip


def _overturn(plan, reviewer, request):
    """Denied, appealed, overturned: the approval letter says it followed the appeal."""
    _deny(plan, reviewer, request)
    denial = request.notices.get(notice_type=NoticeType.DENIAL)
    appeal = services.appeal_file(plan=plan, actor=reviewer, notice=denial, reason="Estoy sin hogar.")
    services.appeal_resolve(
        plan=plan, actor=reviewer, appeal=appeal, outcome=AppealOutcome.OVERTURNED, summary="Records show a POF."
    )


def _transition(plan, reviewer, request):
    """A Member Transition List authorization (this member's own request is withdrawn first)."""
    services.request_withdraw(plan=plan, actor=OPERATOR, request=request, reason=WithdrawalReason.DUPLICATE)
    report = services.transition_import(
        plan=plan, actor=OPERATOR, rows=[{"cin": request.member.cin, "program": "wpc", "transition_date": "2026-11-02"}]
    )
    assert report["created"] == 1, report


# Each decision a Spanish member is told of: the letter it sends, and what only Spanish says in it.
CASES = {
    "denial": (_deny, NoticeType.DENIAL, SPANISH[NoticeType.DENIAL]),
    "delay": (_extend, NoticeType.DELAY, SPANISH[NoticeType.DELAY]),
    "modification": (_approve_modified, NoticeType.MODIFICATION, SPANISH[NoticeType.MODIFICATION]),
    "approval": (_approve, NoticeType.APPROVAL, SPANISH[NoticeType.APPROVAL]),
    "discontinuation": (_discontinue, NoticeType.DISCONTINUATION, SPANISH[NoticeType.DISCONTINUATION]),
    "overturn": (
        _overturn, NoticeType.APPROVAL, [*SPANISH[NoticeType.APPROVAL], "Después de su apelación, hemos aprobado"]
    ),
    "transition": (
        _transition, NoticeType.APPROVAL,
        [*SPANISH[NoticeType.APPROVAL], "Sus servicios del Programa de Atención Integral de la Persona (WPC) continúan"],
    ),
}  # fmt: skip


def _facts(content: dict) -> list[str]:
    """The facts a letter prints whatever its language (names, contact, the reviewer's words)."""
    values = [content[key] for key in ("plan_name", "plan_phone", "member_name", "member_cin", "member_address")]
    values += [content[key] for key in ("explanation", "modification", "alternative_services") if content[key]]
    values += content["plan_address"].splitlines()
    return sorted((" ".join(str(v).split()) for v in values if v), key=len, reverse=True)


def english_sentences(english_lines: str, content: dict) -> list[str]:
    """The English template's own sentences and phrases: the English letter's lines without the
    facts, cut at punctuation and line ends, kept where they have two words or more."""
    for fact in _facts(content):
        english_lines = english_lines.replace(fact, "|")
    pieces = re.split(r"[|.:;,!?()\n]", english_lines)
    return sorted({" ".join(piece.split()) for piece in pieces if len(piece.split()) >= 2})


@pytest.mark.parametrize("case", list(CASES))
def test_a_spanish_member_letter_has_none_of_the_english_letters_sentences(
    case, plan_a, coordinator_a, reviewer_a, make_eligible_member, make_provider, make_request
):
    # DOMAIN 5.3: letters in the member's preferred language; the notice stores codes and facts.
    decide, notice_type, spanish_words = CASES[case]
    make_provider(plan_a)
    member = _member(make_eligible_member, plan_a, list(CASES).index(case))
    request = _in_review(plan_a, coordinator_a.user, reviewer_a.user, member, make_request)
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        decide(plan_a, reviewer_a.user, request)
    notice = Notice.objects.filter(member=member, notice_type=notice_type).latest("pk")
    assert notice.language == "es"

    spanish = pdf_text(services.notice_pdf(plan=plan_a, notice=notice))
    english = pdf_text(render_letter_pdf(notice.content, "en"), keep_lines=True)

    sentences = english_sentences(english, notice.content)
    assert len(sentences) > 15  # the English letter was read, not an empty page
    assert [sentence for sentence in sentences if sentence in spanish] == []
    for words in spanish_words:
        assert words in spanish
    for fact in _facts(notice.content):
        assert fact in spanish  # the reviewer's words and the facts, as written
    if notice_type == NoticeType.DISCONTINUATION:
        assert notice.content["explanation"] == ""  # none was written: the service adds no words
    if notice_type == NoticeType.APPROVAL:
        # The approval letter is not a NOA: no appeal rights (DOMAIN 5.3, Beyond NOAs).
        assert not [words for words in RIGHTS if words in spanish]
    else:
        assert all(words in spanish for words in RIGHTS)


def test_the_reviewers_words_are_labelled_as_theirs_in_both_languages(
    plan_a, coordinator_a, reviewer_a, make_eligible_member, make_request
):
    # DOMAIN 5.3: the reason in plain language is the reviewer's, printed as written and said so.
    member = _member(make_eligible_member, plan_a, 9)
    request = _in_review(plan_a, coordinator_a.user, reviewer_a.user, member, make_request)
    with clocks.frozen(MONDAY + timedelta(hours=1)):
        _deny(plan_a, reviewer_a.user, request)
    notice = request.notices.get()

    spanish = pdf_text(services.notice_pdf(plan=plan_a, notice=notice))
    english = pdf_text(render_letter_pdf(notice.content, "en"))

    assert f"En palabras de la persona que revisó su solicitud: {EXPLANATION}" in spanish
    assert f"In the words of the person who reviewed your request: {EXPLANATION}" in english
    assert notice.content["denial_reason"] == DenialReason.NO_POPULATION_OF_FOCUS
    assert DenialReason.NO_POPULATION_OF_FOCUS.label not in spanish
    assert notice.appeal_by == date(2027, 1, 15)  # 60 days after 2026-11-16
