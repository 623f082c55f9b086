"""The member's letters (DOMAIN 5.3): the Notices of Action and the standard approval letter, a
plain content dict rendered to HTML and to a PDF in the member's language.

The content is a frozen dict: a notice is immutable once issued, so whoever issues it stores exactly
this JSON-serializable dict (codes, facts, the reviewer's own words, ISO ``YYYY-MM-DD`` dates) and
the letter can be re-rendered from it at any time with the same words, without reading member or
request rows that may have changed since. Each language's template owns every word it prints. Nothing here reads the database or mutates the dict; human dates
are derived at render time and passed beside it.

Rendering never touches the network: the templates carry their CSS inline, link nothing and contain
no script, and the PDF renderer refuses every URL fetch.
"""

import re
from datetime import date

from django.template.loader import render_to_string

from authorizations.models import DenialReason, DiscontinuationReason, NoticeType, TransitionProgram, WithdrawalReason
from authorizations.rules import LETTER_OCCASIONS

SUPPORTED_LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
NOTICE_TYPES = tuple(NoticeType.values)

# Codes and facts only: every word a letter prints around them is its language's template's.
# `explanation`, `modification` and `alternative_services` are the reviewer's own words, printed
# as written (and labelled so); `occasion`, `transition_program` and the three reason keys are
# codes each template names; `service` is a catalogue code.
CONTENT_KEYS = frozenset(
    {
        "notice_type",
        "plan_name",
        "plan_phone",
        "plan_address",
        "member_name",
        "member_cin",
        "member_address",
        "notice_date",
        "effective_on",
        "service",
        "request_id",
        "received_on",
        "occasion",
        "transition_program",
        "denial_reason",
        "discontinuation_reason",
        "withdrawal_reason",
        "explanation",
        "modification",
        "new_due",
        "alternative_services",
        "appeal_by",
        "state_hearing_days",
        "continue_services_by",
    }
)
DATE_KEYS = ("notice_date", "effective_on", "received_on", "new_due", "appeal_by", "continue_services_by")
# Frozen at issue beside the codes, so that a later rename changes no letter (DOMAIN 5.3): the
# service's name and a Community Support's discontinuation criterion (FAQ 39), in each language.
# Letters issued before they existed lack them, and name their service from its code.
SERVICE_NAME_KEYS = ("service_name", "service_name_es")
CRITERION_KEYS = ("discontinuation_criterion", "discontinuation_criterion_en", "discontinuation_criterion_es")
# The two services letters named before the catalogue: ECM, whose words are the templates' own,
# and the Community Supports of old content, named as a family.
ECM_SERVICE = "ecm"
UNNAMED_SERVICES = frozenset({ECM_SERVICE, "community_supports"})
SERVICE_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
CODES = {
    "occasion": frozenset({"", *LETTER_OCCASIONS.values()}),
    "transition_program": frozenset({"", *TransitionProgram.values}),
    "denial_reason": frozenset({"", *DenialReason.values}),
    "discontinuation_reason": frozenset({"", *DiscontinuationReason.values}),
    "withdrawal_reason": frozenset({"", WithdrawalReason.MEMBER_DECLINED, WithdrawalReason.DUPLICATE}),
}

MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}


def letter_language(preferred: str) -> str:
    """The letter language for a member's preferred language ("es", "ES", "es-MX", "es_MX"), else English."""
    primary = (preferred or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def format_letter_date(value: str | date | None, language: str) -> str:
    """An ISO date as the letter prints it (January 6, 2027 / 6 de enero de 2027); empty for an empty date."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    month = MONTHS[language][day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


def _check_content(content: dict, language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"No letter template for language {language!r}; use letter_language() first.")
    missing = CONTENT_KEYS - content.keys()
    if missing:
        raise ValueError(f"Notice content lacks {', '.join(sorted(missing))}.")
    if content["notice_type"] not in NOTICE_TYPES:
        raise ValueError(f"Unknown notice type {content['notice_type']!r}.")
    for key, codes in CODES.items():
        if content[key] not in codes:
            raise ValueError(f"Unknown {key} code {content[key]!r}: no template names it.")
    _check_service(content)
    # DOMAIN 5.3: a letter gives the plan's contact; a notice held for it is not rendered until then.
    if not (content["plan_phone"] and content["plan_address"]):
        raise ValueError("A letter needs the plan's phone and appeals address.")
    # The member's rights are every NOA's (the approval letter is not one).
    if content["notice_type"] != NoticeType.APPROVAL and not content["appeal_by"]:
        raise ValueError("A Notice of Action needs appeal_by.")
    # Aid paid pending (42 CFR 438.420): a discontinuation letter that omits it misstates the member's
    # rights, except for presumptive services withdrawn, which end the day of the notice (DOMAIN 5.2).
    needs_continue_by = content["notice_type"] == NoticeType.DISCONTINUATION and not content["withdrawal_reason"]
    if needs_continue_by and not content["continue_services_by"]:
        raise ValueError("A discontinuation notice needs continue_services_by.")


def _check_service(content: dict) -> None:
    """The service is a catalogue code; a Community Support's letter carries its name in both
    languages, and a criterion only on a discontinuation, in both languages and instead of ECM's
    four reasons (DOMAIN 6)."""
    service = content["service"]
    if not isinstance(service, str) or not SERVICE_CODE.fullmatch(service):
        raise ValueError(f"Unknown service code {service!r}: a letter names a catalogue service.")
    if service not in UNNAMED_SERVICES and not all(content.get(key) for key in SERVICE_NAME_KEYS):
        raise ValueError(f"A letter for {service!r} needs {' and '.join(SERVICE_NAME_KEYS)}.")
    if content.get("discontinuation_criterion"):
        if content["notice_type"] != NoticeType.DISCONTINUATION or content["discontinuation_reason"]:
            raise ValueError("A discontinuation criterion belongs to a Community Support's discontinuation only.")
        if not all(content.get(key) for key in CRITERION_KEYS):
            raise ValueError(f"A discontinuation criterion needs {', '.join(CRITERION_KEYS[1:])}.")


def is_community_support(content: dict) -> bool:
    """A letter that names its Community Support: the templates' ECM sentences are not its."""
    return content["service"] != ECM_SERVICE and bool(content.get("service_name"))


def render_letter_html(content: dict, language: str) -> str:
    """The letter as a complete HTML document; raises ValueError on an unsupported language or bad content."""
    _check_content(content, language)
    dates = {key: format_letter_date(content[key], language) for key in DATE_KEYS}
    return render_to_string(
        f"authorizations/letters/notice_{language}.html",
        {"content": content, "dates": dates, "community_support": is_community_support(content)},
    )


def _refuse_fetch(url: str, *args, **kwargs):
    # The letter is self-contained; a fetch would mean a template or content change leaked a URL in.
    raise ValueError(f"Notice letters fetch nothing (refused {url!r}).")


def render_letter_pdf(content: dict, language: str) -> bytes:
    """The letter as PDF bytes."""
    # WeasyPrint loads Pango and friends at import time: only PDF rendering pays for it.
    from weasyprint import HTML

    html = render_letter_html(content, language)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
