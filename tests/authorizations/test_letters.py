"""The member's letters rendered to PDF and read back as text (DOMAIN 5.3): the template of each
language from a hand-made content dict (what the services really issue: test_letter_languages)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from authorizations.letters import letter_language, render_letter_html, render_letter_pdf
from authorizations.models import DenialReason, DiscontinuationReason, WithdrawalReason

PDFTOTEXT = Path("/usr/bin/pdftotext")
NOTICE_TYPES = ("denial", "delay", "modification", "discontinuation")

# The decision sentence each template writes for each notice type (DOMAIN 5.3).
DECISIONS = {
    "en": {
        "denial": "Your request for Enhanced Care Management (ECM) is denied.",
        "delay": "We need more time to decide on your request for Enhanced Care Management (ECM).",
        "modification": "Your request for Enhanced Care Management (ECM) is approved with a change.",
        "discontinuation": "Your Enhanced Care Management (ECM) services will end.",
        "approval": "Your request for Enhanced Care Management (ECM) is approved.",
    },
    "es": {
        "denial": "Su solicitud de Administración de Atención Mejorada (ECM) fue denegada.",
        "delay": "Necesitamos más tiempo para decidir sobre su solicitud de Administración de Atención Mejorada (ECM).",
        "modification": "Su solicitud de Administración de Atención Mejorada (ECM) fue aprobada con un cambio.",
        "discontinuation": "Sus servicios de Administración de Atención Mejorada (ECM) terminarán.",
        "approval": "Su solicitud de Administración de Atención Mejorada (ECM) fue aprobada.",
    },
}
APPEAL_BY = {"en": "January 6, 2027", "es": "6 de enero de 2027"}
CONTINUE_BY = {"en": "November 20, 2026", "es": "20 de noviembre de 2026"}
CONTINUE_SENTENCE = {"en": "will continue while your appeal is pending", "es": "seguirá recibiendo sus servicios"}


def notice_content(notice_type: str, **overrides) -> dict:
    is_discontinuation = notice_type == "discontinuation"
    content = {
        "notice_type": notice_type,
        "plan_name": "Golden Valley Health Plan",
        "plan_phone": "1-800-555-0142",
        "plan_address": "PO Box 1200\nFresno, CA 93721",
        "member_name": "María José Núñez",
        "member_cin": "91234567A",
        "member_address": "415 Olive Ave, Apt 3\nFresno, CA 93728",
        "notice_date": "2026-11-07",
        # DOMAIN 5.3: a discontinuation is dated at least 10 calendar days before it takes effect.
        "effective_on": "2026-11-20" if is_discontinuation else "2026-11-07",
        "service": "ecm",
        "request_id": 4711,
        "received_on": "2026-10-30",
        "occasion": "",
        "transition_program": "",
        "denial_reason": "no_pof" if notice_type == "denial" else "",
        "discontinuation_reason": "unable_to_connect" if is_discontinuation else "",
        "withdrawal_reason": "",
        "explanation": "The information we received does not show that you are in an ECM Population of Focus.",
        "modification": "Enhanced Care Management until February 7, 2027." if notice_type == "modification" else "",
        "new_due": "2026-11-21" if notice_type == "delay" else "",
        "alternative_services": "Complex Case Management: call us to be referred." if notice_type == "denial" else "",
        # DOMAIN 5.3: appeal within 60 calendar days of the notice date (none on an approval letter).
        "appeal_by": "" if notice_type == "approval" else "2027-01-06",
        "state_hearing_days": None if notice_type == "approval" else 120,
        # DOMAIN 5.3: aid paid pending, the later of notice + 10 days and the effective date.
        "continue_services_by": "2026-11-20" if is_discontinuation else "",
    }
    return {**content, **overrides}


def pdf_text(pdf: bytes, *, keep_lines: bool = False) -> str:
    if not PDFTOTEXT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PDFTOTEXT} (poppler-utils) is required in CI to read the letters back.")
        pytest.skip(f"{PDFTOTEXT} (poppler-utils) is not installed: cannot read the PDF letters back.")
    result = subprocess.run([str(PDFTOTEXT), "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    # Lines wrap wherever the layout puts them: compare with whitespace collapsed.
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in result.stdout.decode().splitlines())
    return " ".join(result.stdout.decode().split())


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("notice_type", NOTICE_TYPES)
def test_the_letter_names_the_member_the_decision_and_the_appeal_deadline(notice_type, language):
    # DOMAIN 5.3: NOA content: member name and CIN, the decision, the right to appeal within 60 days.
    content = notice_content(notice_type)

    pdf = render_letter_pdf(content, language)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "María José Núñez" in text
    assert "91234567A" in text
    assert DECISIONS[language][notice_type] in text
    assert APPEAL_BY[language] in text
    assert "1-800-555-0142" in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_only_a_discontinuation_letter_promises_services_during_the_appeal(language):
    # DOMAIN 5.3: services continue pending the appeal for a discontinuation (42 CFR 438.420), not for a denial.
    discontinuation = pdf_text(render_letter_pdf(notice_content("discontinuation"), language))
    denial = pdf_text(render_letter_pdf(notice_content("denial"), language))

    assert CONTINUE_BY[language] in discontinuation
    assert CONTINUE_SENTENCE[language] in discontinuation
    assert CONTINUE_BY[language] not in denial
    assert CONTINUE_SENTENCE[language] not in denial


def test_a_denial_never_prints_a_stray_continuation_date():
    # DOMAIN 5.3: the continuation right belongs to discontinuations only, whatever the content carries.
    html = render_letter_html(notice_content("denial", continue_services_by="2026-11-20"), "en")

    assert "November 20, 2026" not in html


def test_a_discontinuation_without_a_continuation_date_is_refused():
    # DOMAIN 5.3: a discontinuation letter that omits aid paid pending would misstate the member's rights.
    with pytest.raises(ValueError, match="continue_services_by"):
        render_letter_html(notice_content("discontinuation", continue_services_by=""), "en")


def test_the_rights_section_is_always_present():
    # DOMAIN 5.3: appeal to the plan, State Hearing within 120 days, other languages or formats at no cost.
    text = " ".join(render_letter_html(notice_content("delay"), "en").split())

    assert "You must ask by <strong>January 6, 2027</strong>" in text
    assert "call us at 1-800-555-0142 or write to us at" in text
    assert "PO Box 1200<br>Fresno, CA 93721" in text
    assert "State Hearing within 120 days" in text
    assert "in another language or in another format" in text
    assert "at no cost to you" in text
    assert "We will decide by November 21, 2026" in text


def test_the_spanish_letter_is_in_spanish():
    # DOMAIN 5.3: letters in the member's preferred language when a template exists.
    text = pdf_text(render_letter_pdf(notice_content("denial"), "es"))

    assert "Aviso de Acción" in text
    assert "apelación" in text
    assert "Audiencia Estatal dentro de los 120 días" in text
    assert "Notice of Action" not in text


def test_the_criteria_are_given_where_a_reason_decided():
    # DOMAIN 5.3: the criteria applied, on the letters that refuse, change or end a service.
    with_criteria = render_letter_html(notice_content("denial"), "en")
    without_criteria = render_letter_html(notice_content("delay"), "en")

    assert "The rules we used" in with_criteria
    assert "The rules we used" not in without_criteria


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [("es", "es"), ("ES", "es"), ("es-MX", "es"), ("es_MX", "es"), ("en-US", "en"), ("vi", "en"), ("", "en")],
)
def test_letter_language_falls_back_to_english(preferred, expected):
    # DOMAIN 5.3: the preferred language when a template exists for it, English otherwise.
    assert letter_language(preferred) == expected


def test_member_supplied_text_is_escaped():
    # DOMAIN 5.3: the member's name is printed, never interpreted as markup.
    content = notice_content("denial", member_name="<b>Ana</b> & Co")

    html = render_letter_html(content, "en")

    assert "<b>Ana</b>" not in html
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; Co" in html
    assert "<b>Ana</b> & Co" in pdf_text(render_letter_pdf(content, "en"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_letter_fetches_nothing_and_runs_no_script(language):
    # DOMAIN 5.3: the letter is rendered server-side; a self-contained document cannot leak a request.
    html = render_letter_html(notice_content("discontinuation"), language)

    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "<style>" in html


def test_an_unsupported_language_notice_type_or_code_is_refused():
    # DOMAIN 5.3: five letters, codes each template names, a language only once letter_language() picked one.
    with pytest.raises(ValueError, match="language"):
        render_letter_html(notice_content("denial"), "vi")
    with pytest.raises(ValueError, match="notice type"):
        render_letter_html({**notice_content("denial"), "notice_type": "referral"}, "en")
    with pytest.raises(ValueError, match="denial_reason code"):
        render_letter_html(notice_content("denial", denial_reason="Not eligible"), "en")
    with pytest.raises(ValueError, match="service code"):
        render_letter_html(notice_content("denial", service="Enhanced Care Management"), "en")
    with pytest.raises(ValueError, match="appeal_by"):
        render_letter_html(notice_content("denial", appeal_by=""), "en")
    with pytest.raises(ValueError, match="member_cin"):
        content = notice_content("denial")
        del content["member_cin"]
        render_letter_html(content, "en")


REASON_CODES = (
    [("denial_reason", code) for code in DenialReason.values]
    + [("discontinuation_reason", code) for code in DiscontinuationReason.values]
    + [("withdrawal_reason", code) for code in (WithdrawalReason.MEMBER_DECLINED, WithdrawalReason.DUPLICATE)]
)


def reason_label(html: str) -> str:
    match = re.search(r'<p class="reason-label">(.*?)</p>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_reason_code_has_its_own_label_in_each_language(language):
    # DOMAIN 5.3, 6: the reason in plain language, in the letter's language, for every code.
    labels = {}
    for key, code in REASON_CODES:
        notice_type = "denial" if key == "denial_reason" else "discontinuation"
        content = notice_content(notice_type, denial_reason="", discontinuation_reason="")
        labels[code] = reason_label(render_letter_html({**content, key: code}, language))
    assert all(labels.values()), [code for code, label in labels.items() if not label]
    assert len(set(labels.values())) == len(REASON_CODES)
    english_labels = {DenialReason(c).label for c in DenialReason.values} | {
        DiscontinuationReason(c).label for c in DiscontinuationReason.values
    }
    assert not english_labels & set(labels.values())  # the letter's words, not the staff's labels


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_approval_letter_is_not_a_notice_of_action(language):
    # DOMAIN 5.3 (Beyond NOAs): the standard approval letter gives no appeal rights.
    text = pdf_text(render_letter_pdf(notice_content("approval"), language))

    assert DECISIONS[language]["approval"] in text
    assert ("Notice of Action" if language == "en" else "Aviso de Acción") not in text
    assert ("Your rights" if language == "en" else "Sus derechos") not in text
    assert APPEAL_BY[language] not in text
    assert "1-800-555-0142" in text


OCCASIONS = {
    ("appeal", "en"): "After your appeal, we have approved this request.",
    ("appeal", "es"): "Después de su apelación, hemos aprobado esta solicitud.",
    ("reinstatement", "en"): "After your appeal, your Enhanced Care Management (ECM) services with Golden Valley",
    ("reinstatement", "es"): "Después de su apelación, sus servicios de Administración de Atención Mejorada (ECM)",
    ("transition", "en"): "Your Health Homes Program (HHP) services continue as Enhanced Care Management (ECM)",
    ("transition", "es"): "Sus servicios del Programa de Hogares de Salud (HHP) continúan como Administración",
}


@pytest.mark.parametrize(("occasion", "language"), list(OCCASIONS))
def test_the_approval_letter_says_what_led_to_it(occasion, language):
    # DOMAIN 5.3 (Beyond NOAs): an overturn on appeal, a reinstatement, a Member Transition List authorization.
    content = notice_content(
        "approval", occasion=occasion, transition_program="hhp" if occasion == "transition" else ""
    )

    text = pdf_text(render_letter_pdf(content, language))

    assert OCCASIONS[occasion, language] in text
    assert DECISIONS[language]["approval"] in text
