"""Keyset pages for browser lists that grow with the plan: "newer" / "older" by id, no COUNT(*)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

PAGE_SIZE = 50


@dataclass
class KeysetPage:
    rows: list
    older_than: int | None  # the `before` value of the next (older) page, if any
    newer_than: int | None = None  # the `after` value of the previous (newer) page, if any

    @property
    def has_older(self) -> bool:
        return self.older_than is not None

    @property
    def has_newer(self) -> bool:
        return self.newer_than is not None


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def keyset_page(rows: QuerySet, params: QueryDict, size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` ordered by descending id. `?before=<id>` pages down to older rows, `?after=<id>` back
    up to newer ones; each page knows whether there is more beyond it in both directions."""
    before, after = _id(params.get("before")), _id(params.get("after"))
    if after is not None:
        # Rows just above `after`, read upwards, shown newest first.
        upwards = list(rows.filter(id__gt=after).reverse()[: size + 1])
        page = list(reversed(upwards[:size]))
        newer_than = page[0].pk if len(upwards) > size else None
        return KeysetPage(rows=page, older_than=page[-1].pk if page else after + 1, newer_than=newer_than)
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(rows[: size + 1])
    older_than = page[size - 1].pk if len(page) > size else None
    newer_than = page[0].pk if before is not None and page else None
    return KeysetPage(rows=page[:size], older_than=older_than, newer_than=newer_than)
