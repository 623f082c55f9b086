"""Claims rows checked on their own (DOMAIN 3.3 fields): every bad field of every row, with the
true count, streaming; whether a claim id repeats or a CIN names a member is the intake's to ask of
the database (eligibility.intake)."""

import functools
import heapq
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from ecm_platform import clocks
from ecm_platform.csv_reader import NotUtf8
from ecm_platform.identifiers import CIN_PATTERN, normalize_cin
from eligibility.models import MAX_DIAGNOSIS_CODES, EventType

COLUMNS = [
    "claim_id", "cin", "event_type", "service_date", "discharge_date", "planned", "avoidable",
    "diagnosis_codes", "adjudication_date",
]  # fmt: skip
REQUIRED = {"claim_id", "cin", "event_type", "service_date", "avoidable", "adjudication_date"}
FLAGS = ("planned", "avoidable")
TEXT_COLUMNS = [name for name in COLUMNS if name not in FLAGS]
COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}
ERRORS_LISTED = 1000  # the report lists this many errors; it counts every one
EVENT_TYPES = frozenset(EventType.values)
CODE_SEPARATORS = re.compile(r"[\s,;|]+")
TRUE, FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0", ""}
ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
CLAIM_ID = re.compile(r"^[A-Za-z0-9_.:/-]+$")
JSON_TYPES = {dict: "an object", list: "a list", bool: "true or false"}
SHOWN_CHARACTERS = 40  # of a bad value, quoted back in its message


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str  # "" when the row as a whole is at fault
    message: str
    code: str = "invalid"
    line: int | None = None  # a CSV file's line the row starts on


@dataclass
class IntakeReport:
    rows: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first `ERRORS_LISTED`
    error_count: int = 0  # every error, listed or not
    rows_with_errors: int = 0

    @property
    def is_applied(self) -> bool:
        return not self.error_count

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors)

    def add_found(self, errors: Iterable[RowError], count: int, rows: int) -> None:
        """Errors found once rows were read (a repeated claim id, an unknown CIN), `count` of them in
        `rows` rows that had no error before: listed in row and column order among the others."""
        self.errors = list(itertools.islice(heapq.merge(self.errors, errors, key=_order), ERRORS_LISTED))
        self.error_count += count
        self.rows_with_errors += rows


def _order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMN_ORDER.get(error.field, -1)


class Problems(list):
    """A row's errors as (field, message, code), every bad field of the row; `claim_id` and `cin`
    are the row's claim id and CIN when well-formed, even in a bad row: whether another row repeats
    the claim id and whether a member has the CIN is asked of the database once rows are read."""

    claim_id: str | None = None
    cin: str | None = None

    def add(self, name: str, message: str, code: str = "invalid") -> None:
        self.append((name, message, code))


# A claims file repeats the same few hundred dates and diagnosis lists: each is parsed once.
_parse_date = functools.lru_cache(maxsize=4096)(date.fromisoformat)


def _clipped(value: str) -> str:
    return value if len(value) <= SHOWN_CHARACTERS else value[:SHOWN_CHARACTERS] + "…"


def _shown(value: str) -> str:
    return repr(_clipped(value))


def _listed(items: list[str], most: int = 5) -> str:
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def _kind(value) -> str:
    """What a value that is not text is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return JSON_TYPES.get(type(value), type(value).__name__)


def _wrong_type(value, name: str, expected: str, problems: Problems) -> None:
    if isinstance(value, NotUtf8):
        problems.add(name, value.message, "not_utf8")
    else:
        problems.add(name, f"Expected {expected}, not {_kind(value)}.")


def _text(value, name: str, problems: Problems) -> str | None:
    """A text column's value that is not a string: None reads as blank, a number as its digits;
    anything else is None with its problem noted."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    _wrong_type(value, name, "text", problems)
    return None


def _flag(value, name: str, problems: Problems) -> bool | None:
    """true / false, yes / no, 1 / 0 (JSON booleans and numbers too); blank is false where optional."""
    if isinstance(value, bool):
        return value
    if value is None or type(value) is int:
        value = "" if value is None else str(value)
    elif type(value) is not str:
        _wrong_type(value, name, "true or false", problems)
        return None
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE and (text or name not in REQUIRED):
        return False
    if text:
        problems.add(name, f"{_shown(value.strip())} is not true or false.")
    else:
        problems.add(name, "This field is required.", "required")
    return None


def _date(text: str | None, name: str, problems: Problems) -> date | None:
    if not text:
        return None
    try:
        return _parse_date(text)
    except ValueError:
        problems.add(name, f"{_shown(text)} is not a date (YYYY-MM-DD).")
        return None


@functools.lru_cache(maxsize=4096)
def _diagnosis_codes(text: str) -> str:
    """The codes of a diagnosis list, upper-case and space-separated, whole; ValueError says why not."""
    codes = [code for code in CODE_SEPARATORS.split(text.upper()) if code]
    bad_codes = [code for code in codes if not ICD10.match(code)]
    if bad_codes:
        raise ValueError(f"Not ICD-10-CM codes: {_listed([_clipped(code) for code in bad_codes])}.")
    if len(codes) > MAX_DIAGNOSIS_CODES:
        raise ValueError(f"{len(codes)} codes: a claim carries at most {MAX_DIAGNOSIS_CODES} diagnosis codes.")
    return " ".join(codes)


def unknown_cin(cin: str) -> str:
    return f"No member of this plan has CIN {_clipped(cin)}."


def repeated_claim(claim_id: str, first_row: int) -> str:
    return f"Claim {claim_id} is also in row {first_row}."


def _parse(raw, today: date, problems: Problems) -> tuple | None:
    """One row as a tuple (the claim id, the CIN, then the STORED_FIELDS after member_id in order),
    or None with every problem of the row, type and content alike, added to `problems`."""
    if not isinstance(raw, Mapping):
        problems.add("", f"A row is an object of the columns, not {_kind(raw)}.")
        return None
    if getattr(raw, "shape_error", None):
        problems.add("", raw.shape_error)
    values = {}
    for name in TEXT_COLUMNS:
        value = raw.get(name)
        text = value.strip() if type(value) is str else _text(value, name, problems)  # the common case first
        if text == "" and name in REQUIRED:
            problems.add(name, "This field is required.", "required")
            text = None
        values[name] = text
    claim_id = values["claim_id"]
    if claim_id and (len(claim_id) > 50 or not CLAIM_ID.match(claim_id)):
        problems.add("claim_id", "A claim id has 1 to 50 letters, digits and - _ . / : characters.")
    elif claim_id:
        problems.claim_id = claim_id
    cin = normalize_cin(values["cin"]) if values["cin"] else None
    if cin and CIN_PATTERN.match(cin):
        problems.cin = cin
    elif cin:  # every member's CIN has the pattern (members.Member.cin validates it): no lookup needed
        problems.add("cin", unknown_cin(cin))
    event_type = (values["event_type"] or "").upper()
    if event_type and event_type not in EVENT_TYPES:
        problems.add("event_type", f"Use one of {', '.join(EventType.values)}.")
    service_date = _date(values["service_date"], "service_date", problems)
    discharge_date = _date(values["discharge_date"], "discharge_date", problems)
    if discharge_date and service_date and discharge_date < service_date:
        problems.add("discharge_date", "The discharge is before the admission.")
    adjudicated_on = _date(values["adjudication_date"], "adjudication_date", problems)
    if adjudicated_on and service_date and adjudicated_on < service_date:
        problems.add("adjudication_date", "The claim was adjudicated before the service.")
    elif adjudicated_on and adjudicated_on > today:
        problems.add("adjudication_date", "The adjudication date is in the future.")
    codes = values["diagnosis_codes"]
    if codes:
        try:
            codes = _diagnosis_codes(codes)
        except ValueError as error:
            problems.add("diagnosis_codes", str(error))
    is_planned = _flag(raw.get("planned"), "planned", problems)
    is_avoidable = _flag(raw.get("avoidable"), "avoidable", problems)
    if problems:
        return None
    return (claim_id, cin, event_type, service_date, discharge_date, is_planned, is_avoidable, codes, adjudicated_on)


def validate_claims(rows: Iterable) -> tuple[Iterator[tuple], IntakeReport]:
    """Check every row on its own, streaming: returns (number, line, claim id, CIN, row) for each
    row with a well-formed claim id or CIN (row is None when the row is bad), and the report, whose
    errors fill as the generator is consumed; repeats and CINs are the appliers' to check."""
    today = clocks.local_date(clocks.now())
    report = IntakeReport()

    def parsed():
        for number, raw in enumerate(rows, start=1):
            report.rows = number
            problems = Problems()
            row = _parse(raw, today, problems)
            line = getattr(raw, "line", None)
            if problems.claim_id is not None or problems.cin is not None:
                yield number, line, problems.claim_id, problems.cin, row
            if not problems:
                continue
            report.error_count += len(problems)
            report.rows_with_errors += 1
            problems.sort(key=lambda problem: COLUMN_ORDER.get(problem[0], -1))
            for name, message, code in problems[: max(0, ERRORS_LISTED - len(report.errors))]:
                report.errors.append(RowError(number, name, message, code, line))

    return parsed(), report
