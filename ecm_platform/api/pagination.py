from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: no COUNT(*), stable under inserts (ARCHITECTURE.md, API).

    A viewset's `list` comes in the view's `ordering` (indexed, unique-ending); anything else, such
    as an extra action paginating another model, comes in the pagination class's own (`pk`).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        # DRF's CursorPagination reads only its own `ordering` (or an ordering filter's): without
        # this, a view's `ordering = "-id"` was ignored silently and its list came by primary key.
        ordering = getattr(view, "ordering", None)
        if ordering is None or getattr(view, "action", "list") != "list":
            return super().get_ordering(request, queryset, view)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
