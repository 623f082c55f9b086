"""Notice of Action letters rendered to PDF and read back as text (DOMAIN 5.3)."""

import os
import subprocess
from pathlib import Path

import pytest

from authorizations.letters import letter_language, render_letter_html, render_letter_pdf

PDFTOTEXT = Path("/usr/bin/pdftotext")
NOTICE_TYPES = ("denial", "delay", "modification", "discontinuation")

DECISIONS = {
    "en": {
        "denial": "You do not meet the criteria for Enhanced Care Management.",
        "delay": "We need up to 14 more days to review your request.",
        "modification": "We approved Enhanced Care Management for three months instead of twelve.",
        "discontinuation": "Your Enhanced Care Management services will end because we could not reach you.",
    },
    "es": {
        "denial": "Usted no cumple con los criterios para Enhanced Care Management.",
        "delay": "Necesitamos hasta 14 días más para revisar su solicitud.",
        "modification": "Aprobamos Enhanced Care Management por tres meses en lugar de doce.",
        "discontinuation": "Sus servicios de Enhanced Care Management terminarán porque no pudimos comunicarnos con usted.",
    },
}
APPEAL_BY = {"en": "January 6, 2027", "es": "6 de enero de 2027"}
CONTINUE_BY = {"en": "November 20, 2026", "es": "20 de noviembre de 2026"}
CONTINUE_SENTENCE = {"en": "will continue while your appeal is pending", "es": "seguirá recibiendo sus servicios"}


def notice_content(notice_type: str, language: str = "en", **overrides) -> dict:
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
        "service": "Enhanced Care Management",
        "request_id": 4711,
        "received_on": "2026-10-30",
        "decision": DECISIONS[language][notice_type],
        "reason": "The information we received does not show that you are in an ECM Population of Focus.",
        "criteria": ["DHCS ECM Policy Guide, Populations of Focus", "42 CFR 438.404"],
        "modification": "Enhanced Care Management until February 7, 2027." if notice_type == "modification" else "",
        "new_due": "2026-11-21" if notice_type == "delay" else "",
        "alternative_services": "Complex Case Management: call us to be referred." if notice_type == "denial" else "",
        # DOMAIN 5.3: appeal within 60 calendar days of the notice date.
        "appeal_by": "2027-01-06",
        "state_hearing_days": 120,
        # DOMAIN 5.3: aid paid pending, the later of notice + 10 days and the effective date.
        "continue_services_by": "2026-11-20" if is_discontinuation else None,
    }
    return {**content, **overrides}


def pdf_text(pdf: bytes) -> str:
    if not PDFTOTEXT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PDFTOTEXT} (poppler-utils) is required in CI to read the letters back.")
        pytest.skip(f"{PDFTOTEXT} (poppler-utils) is not installed: cannot read the PDF letters back.")
    result = subprocess.run([str(PDFTOTEXT), "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    # Lines wrap wherever the layout puts them: compare with whitespace collapsed.
    return " ".join(result.stdout.decode().split())


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("notice_type", NOTICE_TYPES)
def test_the_letter_names_the_member_the_decision_and_the_appeal_deadline(notice_type, language):
    # DOMAIN 5.3: NOA content: member name and CIN, the decision, the right to appeal within 60 days.
    content = notice_content(notice_type, language)

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
    discontinuation = pdf_text(render_letter_pdf(notice_content("discontinuation", language), language))
    denial = pdf_text(render_letter_pdf(notice_content("denial", language), language))

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
    text = pdf_text(render_letter_pdf(notice_content("denial", "es"), "es"))

    assert "Aviso de Acción" in text
    assert "apelación" in text
    assert "Audiencia Estatal dentro de los 120 días" in text
    assert "Notice of Action" not in text


def test_the_criteria_section_is_omitted_when_there_are_none():
    # DOMAIN 5.3: the criteria applied are listed when there are any.
    with_criteria = render_letter_html(notice_content("denial"), "en")
    without_criteria = render_letter_html(notice_content("denial", criteria=[]), "en")

    assert "<li>42 CFR 438.404</li>" in with_criteria
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
    html = render_letter_html(notice_content("discontinuation", language), language)

    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "<style>" in html


def test_an_unsupported_language_or_notice_type_is_refused():
    # DOMAIN 5.3: four notice types, and a language only once letter_language() picked a template.
    with pytest.raises(ValueError, match="language"):
        render_letter_html(notice_content("denial"), "vi")
    with pytest.raises(ValueError, match="notice type"):
        render_letter_html({**notice_content("denial"), "notice_type": "approval"}, "en")
    with pytest.raises(ValueError, match="member_cin"):
        content = notice_content("denial")
        del content["member_cin"]
        render_letter_html(content, "en")
