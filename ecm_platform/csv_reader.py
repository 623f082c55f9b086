"""Reading a CSV file people send (DOMAIN 11): UTF-8 only, checked line by line.

A value whose bytes are not UTF-8 (a Latin-1 export) becomes a `NotUtf8` naming its line, so the
importer reports it beside the row's other errors instead of the whole read failing at the first
such byte; nothing is guessed or replaced. A row with more or fewer values than the header carries a
`shape_error`. What makes the whole file unreadable (no header, a missing column, a CSV syntax
error) is a `DomainError` on `file` naming the line.
"""

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ecm_platform.errors import DomainError

ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape keeps a byte it cannot decode


@dataclass(frozen=True)
class NotUtf8:
    """A value with a byte that is not UTF-8: the line it is on and the first such byte."""

    line: int
    byte: int

    @property
    def message(self) -> str:
        return f"Byte 0x{self.byte:02X} on line {self.line} is not UTF-8; save the file as UTF-8 and send it again."


class CsvRow(dict):
    """A row's values by column name, with the line it starts on and, when its number of values
    differs from the header's, why."""

    __slots__ = ("line", "shape_error")


def _lines(handle: Iterable[bytes], undecodable: list[int]) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.append(number)
            yield raw.decode("utf-8", "surrogateescape")


def _unreadable(reader, error: csv.Error) -> DomainError:
    return DomainError(f"Line {reader.line_num}: the file is not a readable CSV ({error}).", field="file")


def csv_rows(handle: Iterable[bytes], *, required: Iterable[str]) -> Iterator[CsvRow]:
    """The rows of a CSV file (an iterable of byte lines: a file opened in binary mode or an
    upload), read as they are consumed. The header is read and checked at once."""
    undecodable: list[int] = []
    reader = csv.reader(_lines(handle, undecodable))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _unreadable(reader, error) from None
    if undecodable:
        raise DomainError(NotUtf8(1, _first_escaped_byte(",".join(header))).message, field="file")
    if not header:
        raise DomainError("The file is empty: it needs a header row.", field="file")
    header = [name.strip() for name in header]
    missing = sorted(set(required) - set(header))
    if missing:
        raise DomainError(f"The header lacks the columns: {', '.join(missing)}.", field="file")
    return _rows(reader, header, undecodable)


def _first_escaped_byte(text: str) -> int:
    return ord(ESCAPED_BYTE.search(text).group()) - 0xDC00


def _rows(reader, header: list[str], undecodable: list[int]) -> Iterator[CsvRow]:
    last_line = reader.line_num
    while True:
        try:
            values = next(reader, None)
        except csv.Error as error:
            raise _unreadable(reader, error) from None
        if values is None:
            return
        first_line, last_line = last_line + 1, reader.line_num
        if not values:  # a blank line
            continue
        row = CsvRow(zip(header, values, strict=False))  # a short or long row: its shape_error says so
        row.line = first_line
        row.shape_error = None
        if len(values) != len(header):
            row.shape_error = f"Line {first_line} has {len(values)} values; the header has {len(header)} columns."
        if undecodable:  # only lines of this row can be in the list: it is emptied row by row
            for name, value in row.items():
                if ESCAPED_BYTE.search(value):
                    row[name] = NotUtf8(undecodable[0], _first_escaped_byte(value))
            undecodable.clear()
        yield row
