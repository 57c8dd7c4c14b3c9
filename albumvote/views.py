"""Project-level views: health check, load-test ceiling, and errors in the API's JSON shape."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found as default_page_not_found
from django.views.defaults import server_error as default_server_error

from albumvote.authentication import CSRF_FAILED
from albumvote.exceptions import error_body

logger = logging.getLogger(__name__)

# Long enough for a lock to clear or a restarting server to come back.
RETRY_AFTER_S = 5


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
        return JsonResponse(error_body(CSRF_FAILED, f"CSRF Failed: {reason}", {}), status=403)
    return default_csrf_failure(request, reason=reason)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before any view (a body over the size limit, a Host not
    allowed): in the one JSON error shape under /api/, Django's page elsewhere."""
    if not request.path.startswith("/api/"):
        return default_bad_request(request, exception or Exception())
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = error_body("too_large", f"The request body is over {limit} bytes.", {})
        return JsonResponse(body, status=413)
    return JsonResponse(error_body("bad_request", "The request was refused.", {}), status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """An unknown address under /api/ (e.g. /api/v1/batches/-1/, which no route matches)
    still gets the one JSON error shape; pages get the site's 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", f"Nothing at {request.path}.", {}), status=404)
    return default_page_not_found(request, exception)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Errors that say the database cannot answer now (locked, down, out of connections),
    not that the request or the code is wrong."""
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    logger.warning("database unavailable for %s %s", request.method, request.path, exc_info=True)
    response: HttpResponse
    if request.path.startswith("/api/"):
        message = f"The service is busy; try again in {RETRY_AFTER_S} seconds."
        response = JsonResponse(error_body("unavailable", message, {}), status=503)
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_S})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Raised outside a view (in middleware), a database outage still ends as a 503.
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    if request.path.startswith("/api/"):
        body = error_body("server_error", "Something went wrong on our side; it is logged.", {})
        return JsonResponse(body, status=500)
    return default_server_error(request)
