from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from ecm_platform.pagination import keyset_page_ordered

# A cursor is a direction and the boundary row's whole key, as the browser lists write it.
DOWN, UP = "n", "p"


class KeysetPagination(CursorPagination):
    """Keyset pagination: no COUNT(*), no OFFSET, stable under inserts (ARCHITECTURE.md, API).

    The cursor holds every key of the boundary row, so ties on the first key (the undated requests'
    due_sort, deadlines due at one instant) page like any other rows: DRF's cursor kept only the
    first key and an OFFSET into its ties, capped at 1,000, and looped past that. The filter and
    order are the browser lists' (`keyset_page_ordered`), served by the same indexes.

    A viewset's `list` comes in the view's `ordering` (indexed); anything else, such as an extra
    action paginating another model, comes in the pagination class's own (`pk`). An ordering not
    ending in the primary key gets it appended, in the last key's direction.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        direction, _, boundary = request.query_params.get(self.cursor_query_param, "").partition(".")
        params = {"before" if direction == DOWN else "after": boundary} if direction in (DOWN, UP) else {}
        self.page = keyset_page_ordered(queryset.order_by(*self.ordering), params, self.page_size)
        return self.page.rows

    def get_ordering(self, request, queryset, view):
        # DRF's CursorPagination reads only its own `ordering` (or an ordering filter's): without
        # this, a view's `ordering = "-id"` was ignored silently and its list came by primary key.
        ordering = getattr(view, "ordering", None)
        if ordering is None or getattr(view, "action", "list") != "list":
            ordering = self.ordering
        ordering = (ordering,) if isinstance(ordering, str) else tuple(ordering)
        if ordering[-1].lstrip("-") in ("id", "pk"):
            return ordering
        return (*ordering, "-pk" if ordering[-1].startswith("-") else "pk")

    def get_next_link(self):
        return self._link(DOWN, self.page.older_than)

    def get_previous_link(self):
        return self._link(UP, self.page.newer_than)

    def _link(self, direction: str, boundary: str | None) -> str | None:
        if boundary is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, f"{direction}.{boundary}")
