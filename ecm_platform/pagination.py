"""Keyset pages for browser lists that grow with the plan: "newer" / "older" by id, no COUNT(*)."""

from dataclasses import dataclass

from django.db.models import QuerySet

PAGE_SIZE = 50


@dataclass
class KeysetPage:
    rows: list
    older_than: int | None  # the `before` value of the next (older) page, if any

    @property
    def has_older(self) -> bool:
        return self.older_than is not None


def keyset_page(rows: QuerySet, before: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` ordered by descending id; `before` is the id the page starts below."""
    if before and before.isdigit():
        rows = rows.filter(id__lt=int(before))
    page = list(rows[: size + 1])
    older_than = page[size - 1].pk if len(page) > size else None
    return KeysetPage(rows=page[:size], older_than=older_than)
