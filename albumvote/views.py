"""Project-level views: the health check used by docker-compose and load balancers."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def ping(request: HttpRequest) -> HttpResponse:
    """No database, no session: the cheapest answer the stack can give (a load-test ceiling)."""
    return HttpResponse(b"pong", content_type="text/plain")
