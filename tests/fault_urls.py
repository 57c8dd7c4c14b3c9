"""The site's URLs plus views that fail on purpose (served only under tests.fault_settings)."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from albumvote.urls import handler400, handler404, handler500  # noqa: F401  (this URLconf is the root)


def stop_iteration(request: HttpRequest) -> HttpResponse:
    # What next() on an empty generator raises: under ASGI it once hung the request for good.
    raise StopIteration


@api_view(["GET"])
def api_stop_iteration(request: Request) -> Response:
    raise StopIteration


@api_view(["GET"])
def api_database_locked(request: Request) -> Response:
    raise OperationalError("database is locked")


def database_locked(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


urlpatterns = [
    path("faults/stop-iteration/", stop_iteration),
    path("faults/database-locked/", database_locked),
    path("api/v1/faults/stop-iteration/", api_stop_iteration),
    path("api/v1/faults/database-locked/", api_database_locked),
    path("", include("albumvote.urls")),
]
