"""Keyset pages for browser lists that grow with the plan: "newer" / "older" (by id) or "sooner" /
"later" (by an instant, such as a due date), no COUNT(*)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import QueryDict

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class KeysetPage:
    rows: list
    older_than: int | str | None  # the `before` value of the next page down the list, if any
    newer_than: int | str | None = None  # the `after` value of the previous page, if any

    @property
    def has_older(self) -> bool:
        return self.older_than is not None

    @property
    def has_newer(self) -> bool:
        return self.newer_than is not None


def _page(rows: QuerySet, params: QueryDict, size: int, key: Callable, beyond: Callable, token: Callable) -> KeysetPage:
    """`rows` in list order; `beyond(key, down)` is the filter for the rows below (`down`) or above a
    key, `token(row)` a row's key as the pager writes it. `?before=` pages down the list, `?after=`
    back up; each page knows whether there is more beyond it in both directions."""
    before, after = key(params.get("before")), key(params.get("after"))
    if after is not None:
        # Rows just above `after`, read upwards, shown in list order.
        upwards = list(rows.filter(beyond(after, down=False)).reverse()[: size + 1])
        if upwards:
            page = list(reversed(upwards[:size]))
            newer_than = token(page[0]) if len(upwards) > size else None
            return KeysetPage(rows=page, older_than=token(page[-1]), newer_than=newer_than)
        before = None  # nothing above it: the first page
    if before is not None:
        rows = rows.filter(beyond(before, down=True))
    page = list(rows[: size + 1])
    older_than = token(page[size - 1]) if len(page) > size else None
    newer_than = token(page[0]) if before is not None and page else None
    return KeysetPage(rows=page[:size], older_than=older_than, newer_than=newer_than)


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def keyset_page(rows: QuerySet, params: QueryDict, size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` ordered by descending id: newest first."""

    def beyond(pk: int, down: bool) -> Q:
        return Q(id__lt=pk) if down else Q(id__gt=pk)

    return _page(rows, params, size, _id, beyond, lambda row: row.pk)


def keyset_page_by_instant(rows: QuerySet, params: QueryDict, field: str, size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` by ascending `field` (a datetime that is never null), then id: the soonest first. The
    pager's value is the boundary row's instant in microseconds and its id ("<micros>_<id>")."""

    def key(value: str | None) -> tuple[datetime, int] | None:
        micros, _, pk = (value or "").partition("_")
        return (EPOCH + int(micros) * MICROSECOND, int(pk)) if micros.isdigit() and pk.isdigit() else None

    def beyond(boundary: tuple[datetime, int], down: bool) -> Q:
        instant, pk = boundary
        lookup = "gt" if down else "lt"
        return Q(**{f"{field}__{lookup}": instant}) | Q(**{field: instant, f"id__{lookup}": pk})

    def token(row) -> str:
        return f"{(getattr(row, field) - EPOCH) // MICROSECOND}_{row.pk}"

    return _page(rows.order_by(field, "id"), params, size, key, beyond, token)
