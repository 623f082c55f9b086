from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: no COUNT(*), stable under inserts (ARCHITECTURE.md, API).

    Views set `ordering` to an indexed, unique-ending order.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"
