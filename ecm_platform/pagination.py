"""Keyset pages for browser lists that grow with the plan: "newer" / "older" (by id), or any list
in its own order (`keyset_page_ordered`: a due date, a name, open cases first), never a COUNT(*)
and never an OFFSET, so the hundredth page costs what the first does when an index serves the
order (plan, the ordering's columns, id)."""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import Error as Base64Error
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import QueryDict

PAGE_SIZE = 50
BADGE_LIMIT = 99
NOTHING = Q(pk__in=[])


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


def _page(
    rows: QuerySet, params: Mapping[str, str], size: int, key: Callable, beyond: Callable, token: Callable
) -> KeysetPage:
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


def keyset_page_ordered(rows: QuerySet, params: Mapping[str, str], size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` in their own `order_by()`: field names (related `a__b` and annotations too, "-" for
    descending), the last one unique (the id). NULL sorts as the largest value, as PostgreSQL sorts
    it by default (made explicit so that SQLite agrees and an ascending index still serves it). The
    pager's value is the boundary row's keys, JSON in URL-safe base64."""
    declared = rows.query.order_by or rows.model._meta.ordering
    ordering = [name for name in declared if isinstance(name, str)]
    if not ordering or len(ordering) != len(declared) or ordering[-1].lstrip("-") not in ("id", "pk"):
        raise ValueError(f"keyset pages need an ordering of field names ending in the id, not {declared}")
    # Each key is read through an annotation: no attribute walk (and no query) per boundary row.
    names = [f"keyset_{number}" for number in range(len(ordering))]
    descending = [name.startswith("-") for name in ordering]
    rows = rows.annotate(**{alias: F(name.lstrip("-")) for alias, name in zip(names, ordering, strict=True)})
    fields = [rows.query.annotations[alias].output_field for alias in names]
    nullable = [_nullable(rows.model, name.lstrip("-"), field) for name, field in zip(ordering, fields, strict=True)]
    rows = rows.order_by(
        *(
            F(alias).desc(nulls_first=True) if down else F(alias).asc(nulls_last=True)
            for alias, down in zip(names, descending, strict=True)
        )
    )

    def key(value: str | None) -> tuple | None:
        """The keys a pager link names, or None (the first page) for a missing or mangled one."""
        try:
            raw = json.loads(urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            if not isinstance(raw, list) or len(raw) != len(fields):
                return None
            keys = tuple(None if v is None else field.to_python(v) for field, v in zip(fields, raw, strict=True))
        except (TypeError, ValueError, OverflowError, ValidationError, Base64Error):
            return None  # OverflowError: int() of a JSON Infinity
        # No stored text holds NUL (PostgreSQL refuses it; psycopg2 raises before sending it).
        return None if any(isinstance(k, str) and "\x00" in k for k in keys) else keys

    def beyond(boundary: tuple, down: bool) -> Q:
        """The rows past `boundary` going down the list (or up it): lexicographic over the keys,
        with the first key also bounded on its own so that an index scan starts at the boundary."""
        past, tied = NOTHING, Q()
        for alias, is_descending, can_be_null, value in zip(names, descending, nullable, boundary, strict=True):
            past |= tied & _past(alias, value, larger=down != is_descending, nullable=can_be_null)
            tied &= Q(**{f"{alias}__isnull": True}) if value is None else Q(**{alias: value})
        return past & _bound(names[0], boundary[0], larger=down != descending[0], nullable=nullable[0])

    def token(row) -> str:
        values = [getattr(row, alias) for alias in names]
        text = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values], separators=(",", ":"))
        return urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return _page(rows, params, size, key, beyond, token)


def _nullable(model, path: str, field) -> bool:
    """Whether a key can be NULL: a nullable field, or one reached through a nullable relation."""
    if path not in {f.name for f in model._meta.get_fields()} and "__" not in path:
        return field.null  # an annotation
    for part in path.split("__"):
        step = model._meta.get_field(part)
        if step.null:
            return True
        model = step.related_model
    return False


def _past(alias: str, value, larger: bool, nullable: bool) -> Q:
    """Rows whose key is beyond `value` on one side (NULL being the largest)."""
    if value is None:
        return NOTHING if larger else Q(**{f"{alias}__isnull": False})
    if not larger:
        return Q(**{f"{alias}__lt": value})
    above = Q(**{f"{alias}__gt": value})
    return above | Q(**{f"{alias}__isnull": True}) if nullable else above


def _bound(alias: str, value, larger: bool, nullable: bool) -> Q:
    """The first key's range on its own (implied by `_past`): what lets an index scan start at the
    boundary instead of reading every row before it."""
    if value is None:
        return Q(**{f"{alias}__isnull": True}) if larger else Q()
    if not larger:
        return Q(**{f"{alias}__lte": value})
    from_here = Q(**{f"{alias}__gte": value})
    return from_here | Q(**{f"{alias}__isnull": True}) if nullable else from_here


def keyset_page_by_instant(rows: QuerySet, params: QueryDict, field: str, size: int = PAGE_SIZE) -> KeysetPage:
    """`rows` by ascending `field` (such as a due instant), then id: the soonest first."""
    return keyset_page_ordered(rows.order_by(field, "id"), params, size)


class Badges:
    """The navigation's badge figures for one request, counted together on first use: one query
    however many badges the page shows, each a COUNT over at most `BADGE_LIMIT` + 1 rows (a LIMIT
    subquery), so a page pays the same however long the lists grow; "99+" beyond."""

    def __init__(self):
        self.rows: dict[str, QuerySet] = {}
        self.counts: dict[str, int] | None = None

    @classmethod
    def of(cls, request) -> "Badges":
        if not hasattr(request, "_badges"):
            request._badges = cls()
        return request._badges

    def figure(self, name: str, rows: QuerySet) -> "BadgeFigure":
        self.rows[name] = rows
        self.counts = None
        return BadgeFigure(self, name)

    def count(self, name: str) -> int:
        if self.counts is None:
            self.counts = _bounded_counts(self.rows)
        return self.counts[name]


@dataclass(frozen=True)
class BadgeFigure:
    """A badge as the template reads it: "" when there is nothing, else the figure ("99+" at most)."""

    badges: Badges
    name: str

    def __str__(self) -> str:
        count = self.badges.count(self.name)
        return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else str(count) if count else ""

    def __bool__(self) -> bool:
        return self.badges.count(self.name) > 0


def _bounded_counts(rows_by_name: dict[str, QuerySet]) -> dict[str, int]:
    parts, params = [], []
    for rows in rows_by_name.values():
        sql, values = rows.order_by()[: BADGE_LIMIT + 1].values("pk").query.sql_with_params()
        # Django compiled `sql`; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS badge)")  # noqa: S608
        params.extend(values)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(rows_by_name, cursor.fetchone(), strict=True))
