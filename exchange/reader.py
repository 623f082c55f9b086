"""Reading an exchanged CSV file through its column map (DOMAIN 11): UTF-8 and the row checks of
`ecm_platform.csv_reader`, the header read through the effective map, each row's values by field.

A header the map does not know, a required column missing or a column given twice refuses the
whole file at once (a DomainError on `file` saying every one of them): no row is read then.
"""

import codecs
import csv
from collections.abc import Iterator

from ecm_platform.csv_reader import CsvRow, csv_rows
from ecm_platform.errors import DomainError
from exchange import rules


def _header(content: bytes) -> list[str]:
    first = content.split(b"\n", 1)[0]
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    return [name.strip() for name in next(csv.reader([first.decode("utf-8").rstrip("\r")]), [])]


def mapped_rows(content: bytes, column_map: rules.EffectiveMap) -> Iterator[CsvRow]:
    """The file's rows keyed by field (a value that is not UTF-8 stays a `NotUtf8`); the header is
    checked at once, the rows read as they are consumed."""
    rows = csv_rows(content.splitlines(keepends=True), required=())  # refuses an empty or unreadable file
    reading = rules.read_header(column_map, _header(content))
    if reading.problems:
        raise DomainError(" ".join(reading.problems), field="file", code="columns_unmapped")
    return _keyed(rows, reading.fields)


def _keyed(rows, fields) -> Iterator[CsvRow]:
    for row in rows:
        keyed = CsvRow(zip(fields, row.values(), strict=False))
        keyed.line, keyed.shape_error = row.line, row.shape_error
        yield keyed


def header_check(content: bytes, column_map: rules.EffectiveMap) -> None:
    """Refuse a file whose header does not fit the map, before it is queued."""
    mapped_rows(content, column_map)
