"""How API clients say who they are: an API token (`Authorization: Token <key>`), or a browser's
session with Django's CSRF check. The token comes first so that a wrong or missing one is
answered 401 with a `WWW-Authenticate: Token` challenge (RFC 9110), not 403."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request

CSRF_FAILED = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, with a CSRF failure coded csrf_failed, as everywhere else on the site."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc.detail), code=CSRF_FAILED) from exc


class SessionAuthenticationScheme(SessionScheme):
    """The schema describes it as DRF's session cookie (it is one)."""

    target_class = "albumvote.authentication.SessionAuthentication"


class LoginLimitBackend(AxesStandaloneBackend):
    """django-axes' check on log-ins. An authenticate() with no request (a management command,
    Django's test client) cannot be tied to an address, so there is nothing to limit."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
