"""One invoice line read and checked on its own (DOMAIN 11): its values parsed, their lengths and
shapes checked, its codes identified. What needs other rows or the database (the member, the
contract, the authorization, the limits, a key seen before) is `invoices.py`'s."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from ecm_platform.csv_reader import NotUtf8
from encounters import rules

# The longest value each field takes (DOMAIN 11: a longer one is a row error, never cut).
LENGTHS = {
    "provider_npi": 10, "invoice_number": 40, "line_number": 6, "member_cin": 9, "service_from": 10,
    "service_to": 10, "hcpcs": 5,
    # A modifier is read at a HCPCS code's length: a code in a modifier column is told as such
    # (rules.read_modifiers).
    "modifier_1": 5, "modifier_2": 5, "modifier_3": 5, "modifier_4": 5, "units": 10, "amount": 12, "place_of_service": 2, "notes": 500,
}  # fmt: skip
PLAN_COLUMN_LENGTH = 200
MAX_UNITS = Decimal("9999999.99")
MAX_AMOUNT = Decimal("999999999.99")
CENT = Decimal("0.01")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # fromisoformat alone takes "2026-W48-1" too


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit takes "²", which int() refuses."""
    return value.isascii() and value.isdecimal()


def line_key(npi: str, invoice_number: str, line_number) -> str:
    """The idempotency key of an invoice line: provider NPI, invoice number and line number."""
    return f"invoice:{npi}:{invoice_number}:{line_number}"


@dataclass
class Line:
    number: int
    npi: str = ""
    invoice_number: str = ""
    line_number: int | None = None
    cin: str = ""
    service_from: date | None = None
    service_to: date | None = None
    hcpcs: str = ""
    modifier_values: list[str] = field(default_factory=list)
    modifiers: tuple[str, ...] = ()
    units: Decimal | None = None
    amount: Decimal | None = None
    place_of_service: str = ""
    notes: str = ""
    plan_columns: dict = field(default_factory=dict)
    modifiers_readable: bool = True
    coding: rules.Coding | None = None
    key: str = ""  # line_key, once the line is read
    # Found by invoices.py against the plan's rows.
    member_id: int | None = None
    organization_id: int | None = None
    authorization: object = None

    @property
    def modifiers_as_read(self) -> list[str]:
        """Positions 1 to 4, upper case, empty where none was given."""
        return [value.upper() for value in (self.modifier_values + [""] * 4)[:4]]


class _Reader:
    """A row's values, each read once (a file has 100,000 lines of 15): stripped, a value that is
    not UTF-8 or too long reported and read as empty."""

    def __init__(self, row: dict, number: int):
        self.row, self.number, self.problems, self.faulty = row, number, [], set()
        self.values = {name: self._read(name, limit) for name, limit in LENGTHS.items()}

    def problem(self, field_name: str, message: str) -> None:
        self.problems.append({"row": self.number, "field": field_name, "message": message})

    def _read(self, name: str, limit: int) -> str:
        value = self.row.get(name)
        if value.__class__ is str:  # the usual case, first
            value = value.strip()
        elif isinstance(value, NotUtf8):
            self.problem(name, value.message)
            self.faulty.add(name)
            return ""
        else:
            value = "" if value is None else str(value).strip()
        if len(value) > limit:
            self.problem(name, f"At most {limit} characters ({len(value)} given).")
            self.faulty.add(name)
            return ""
        if "\x00" in value:  # the csv module passes it; PostgreSQL stores no NUL in text
            self.problem(name, "The value contains a NUL character (\\x00).")
            self.faulty.add(name)
            return ""
        return value

    def text(self, name: str) -> str:
        return self.values[name]

    def plan_column(self, name: str) -> str:
        return self._read(name, PLAN_COLUMN_LENGTH)

    def required(self, name: str) -> str:
        value = self.values[name]
        if not value and name not in self.faulty:
            self.problem(name, "Required.")
        return value

    def day(self, name: str, value: str) -> date | None:
        if ISO_DAY.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(name, f"{value!r} is not a date like 2026-11-30.")
        return None

    def decimal(self, name: str, value: str, *, maximum: Decimal, positive: bool) -> Decimal | None:
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(name, f"{value!r} is not a number with at most two decimals.")
            return None
        # The range first: quantizing 1E+30 to cents passes the context's precision and raises.
        if number > maximum or number < 0 or (positive and number == 0):
            self.problem(
                name, f"{value} is out of range ({'more than 0' if positive else '0 or more'}, at most {maximum})."
            )
            return None
        if number != number.quantize(CENT, rounding="ROUND_DOWN"):
            self.problem(name, f"{value!r} is not a number with at most two decimals.")
            return None
        return number


def line_read(
    row: dict, number: int, *, plan_fields: tuple[str, ...], required: tuple[str, ...], today: date
) -> tuple[Line, list[dict]]:
    """The line of `row` (values by field) and every problem it has on its own; `required` are the
    fields the plan's column map requires beyond the baseline's own."""
    read = _Reader(row, number)
    line = Line(number=number)
    for name in required:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            read.problem(name, "Required by the plan's column map.")
    line.npi = read.required("provider_npi")
    if line.npi and not (_digits(line.npi) and len(line.npi) == 10):
        read.problem("provider_npi", "An NPI is exactly 10 digits.")
    line.invoice_number = read.required("invoice_number")
    line_number = read.required("line_number")
    if line_number:
        if _digits(line_number) and int(line_number) > 0:
            line.line_number = int(line_number)
        else:
            read.problem("line_number", f"{line_number!r} is not a line number (1 or more).")
    line.key = line_key(line.npi, line.invoice_number, line.line_number)
    line.cin = read.required("member_cin").upper()
    service_from = read.required("service_from")
    line.service_from = read.day("service_from", service_from) if service_from else None
    service_to = read.text("service_to")
    line.service_to = read.day("service_to", service_to) if service_to else line.service_from
    if line.service_from and line.service_to:
        if line.service_to < line.service_from:
            read.problem("service_to", "The last day of service is before the first.")
        if line.service_to > today:
            read.problem("service_to", "An invoice bills services given: the day is in the future.")
    line.hcpcs = read.required("hcpcs").upper()
    line.modifier_values = [read.text(name) for name in rules.MODIFIER_FIELDS]
    line.modifiers, modifier_problems = rules.read_modifiers(tuple(line.modifier_values))
    line.modifiers_readable = not modifier_problems and not read.faulty.intersection(rules.MODIFIER_FIELDS)
    for name, message in modifier_problems:
        read.problem(name, message)
    units = read.required("units")
    line.units = read.decimal("units", units, maximum=MAX_UNITS, positive=True) if units else None
    amount = read.text("amount")
    line.amount = read.decimal("amount", amount, maximum=MAX_AMOUNT, positive=False) if amount else None
    line.place_of_service = read.text("place_of_service")
    if line.place_of_service and not (_digits(line.place_of_service) and len(line.place_of_service) == 2):
        read.problem("place_of_service", "A place of service is a two-digit code, e.g. 12.")
    line.notes = read.text("notes")
    line.plan_columns = {name: read.plan_column(name) for name in plan_fields}
    return line, read.problems
