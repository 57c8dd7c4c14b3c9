"""API pagination shared by the apps."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from albumvote.exceptions import ApplicationError

MAX_PAGE_SIZE = 100


def page_size_of(request: Request, default: int) -> int:
    """page_size from the query, 1 to MAX_PAGE_SIZE; anything else is a 400 naming the field
    (the rankings feed checks it the same way)."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ApplicationError(
            f"page_size: a whole number from 1 to {MAX_PAGE_SIZE}, got {raw[:20]!r}.",
            details={"field": "page_size"},
        )
    return int(raw)


class NewestFirst(CursorPagination):
    """Cursor pages, newest id first; page_size 1 to 100 (default 20)."""

    ordering = ("-id",)
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return page_size_of(request, self.page_size)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
            # Positions are ids here: DRF would hand any text on to the database.
            if cursor is not None and cursor.position is not None:
                int(cursor.position)
        except (NotFound, ValueError):
            raise NotFound(
                {"detail": self.invalid_cursor_message, "field": "cursor"}, code="invalid_cursor"
            ) from None
        return cursor
