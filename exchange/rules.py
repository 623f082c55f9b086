"""Column maps as pure rules (DOMAIN 11): a baseline and a plan's overlay make the effective map,
and a file's header row is read through it. No database: every case is tested on plain values.

Headers match whatever their case and spacing ("Member CIN" = "member  cin"). A header the map does
not know is an error, never ignored: a misspelt optional column ("Modifer 3") would otherwise drop
its values silently.
"""

import re
from dataclasses import dataclass

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_HEADER = 80


def header_key(header: str) -> str:
    return " ".join(str(header).split()).casefold()


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    plan_column: bool = False  # added by the plan's overlay, not in the DHCS baseline
    renamed_from: str = ""  # the baseline's header, where the plan renamed it


@dataclass(frozen=True)
class EffectiveMap:
    kind: str
    version: str
    overlay_from: object  # the overlay's first day, or None without one
    columns: tuple[Column, ...]

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(column.field for column in self.columns if column.required)

    def header_of(self, field: str) -> str:
        return next(column.header for column in self.columns if column.field == field)


@dataclass(frozen=True)
class HeaderReading:
    """A header row read through a map: the field of each position (None for an unknown header),
    the unknown headers, the required columns missing and the headers given twice."""

    fields: tuple[str | None, ...]
    unknown: tuple[str, ...]
    missing: tuple[str, ...]
    repeated: tuple[str, ...]

    @property
    def problems(self) -> list[str]:
        found = []
        if self.missing:
            found.append(f"The header lacks the required columns: {', '.join(self.missing)}.")
        if self.unknown:
            found.append(f"The map has no columns named: {', '.join(self.unknown)}.")
        if self.repeated:
            found.append(f"Columns given twice: {', '.join(self.repeated)}.")
        return found


def effective_map(
    *, kind: str, version: str, baseline: list[dict], overlay_from=None, renamed=None, extra_columns=None,
    extra_required=None,
) -> EffectiveMap:  # fmt: skip
    """The baseline's columns with the overlay's renamed headers and extra required fields, then the
    plan's own columns."""
    renamed, extra_required = renamed or {}, set(extra_required or [])
    columns = [
        Column(
            field=column["field"],
            header=renamed.get(column["field"], column["header"]),
            required=bool(column.get("required")) or column["field"] in extra_required,
            renamed_from=column["header"] if column["field"] in renamed else "",
        )
        for column in baseline
    ]
    columns += [
        Column(field=extra["field"], header=extra["header"], required=bool(extra.get("required")), plan_column=True)
        for extra in extra_columns or []
    ]
    return EffectiveMap(kind=kind, version=version, overlay_from=overlay_from, columns=tuple(columns))


def overlay_problems(*, baseline: list[dict], renamed: dict, extra_columns: list, extra_required: list) -> list:
    """(field, message) for each thing wrong with an overlay, all of them at once."""
    problems = []
    fields = {column["field"] for column in baseline}
    if not isinstance(renamed, dict):
        return [("renamed", "Give the renamed headers as {field: header}.")]
    if not isinstance(extra_columns, list) or not isinstance(extra_required, list):
        return [("extra_columns", "Give the plan's columns and the extra required fields as lists.")]
    for field, header in renamed.items():
        if field not in fields:
            problems.append(("renamed", f"The baseline has no field {field!r} to rename."))
        problems += _header_problems("renamed", header)
    extra_fields = []
    for extra in extra_columns:
        if not isinstance(extra, dict) or set(extra) - {"field", "header", "required"}:
            problems.append(("extra_columns", "Each plan column is {field, header, required}."))
            continue
        field = str(extra.get("field", ""))
        if not FIELD_NAME.match(field):
            problems.append(("extra_columns", f"{field!r} is not a field name (lower case, digits, _)."))
        elif field in fields or field in extra_fields:
            problems.append(("extra_columns", f"The field {field!r} is already in the map."))
        extra_fields.append(field)
        problems += _header_problems("extra_columns", extra.get("header"))
    for field in extra_required:
        if field not in fields:
            problems.append(("extra_required", f"The baseline has no field {field!r} to require."))
    headers = [renamed.get(column["field"], column["header"]) for column in baseline]
    headers += [extra.get("header", "") for extra in extra_columns if isinstance(extra, dict)]
    keys = [header_key(header) for header in headers if isinstance(header, str)]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        problems.append(("renamed", f"Two columns would share the header {', '.join(repeated)}."))
    return problems


def _header_problems(field: str, header) -> list:
    if not isinstance(header, str) or not header.strip():
        return [(field, "A header is a non-empty text.")]
    if len(header) > MAX_HEADER:
        return [(field, f"A header is at most {MAX_HEADER} characters.")]
    return []


def read_header(column_map: EffectiveMap, headers: list[str]) -> HeaderReading:
    """Which field each header names, and what is wrong with the row."""
    by_key = {header_key(column.header): column.field for column in column_map.columns}
    fields = tuple(by_key.get(header_key(header)) for header in headers)
    unknown = tuple(header for header, field in zip(headers, fields, strict=True) if field is None)
    given = [field for field in fields if field is not None]
    repeated = tuple(column_map.header_of(field) for field in dict.fromkeys(given) if given.count(field) > 1)
    missing = tuple(column.header for column in column_map.columns if column.required and column.field not in given)
    return HeaderReading(fields=fields, unknown=unknown, missing=missing, repeated=repeated)
