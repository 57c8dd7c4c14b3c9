"""A database that is briefly unavailable (locked, restarting, out of connections) answers
503 with Retry-After, so clients wait and retry instead of seeing a 500."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from albumvote.views import is_database_unavailable, unavailable


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return unavailable(request)
        return None
