"""Project-level views: the health check used by docker-compose and load balancers."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as default_csrf_failure

from albumvote.exceptions import error_body


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def ping(request: HttpRequest) -> HttpResponse:
    """No database, no session: the cheapest answer the stack can give (a load-test ceiling)."""
    return HttpResponse(b"pong", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """API clients get the one JSON error shape; pages get Django's explanation."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("csrf_failed", f"CSRF Failed: {reason}", {}), status=403)
    return default_csrf_failure(request, reason=reason)
