"""API clients that sign in with a token (`Authorization: Token <key>`) give feedback as their
account's listener. Browsers keep the cookie identity and the CSRF check; a request that
carries a valid token needs no CSRF token (no browser sends it on its own)."""

from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import CSRFCheck, TokenAuthentication

from albumvote.exceptions import ApplicationError


def token_user(request: HttpRequest) -> Any:
    """The user behind a valid token, None when the request has none; a wrong or inactive
    token is refused (401), never quietly treated as anonymous."""
    try:
        found = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except exceptions.AuthenticationFailed as exc:
        raise ApplicationError(
            str(exc.detail),
            code="authentication_failed",
            status_code=401,
            headers={"WWW-Authenticate": TokenAuthentication.keyword},
        ) from exc
    return found[0] if found else None


def csrf_refusal(request: HttpRequest) -> str | None:
    """Why Django's CSRF check refuses this request, or None when it passes."""
    check = CSRFCheck(lambda _request: None)  # type: ignore[arg-type]
    check.process_request(request)
    reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
    return str(reason) if reason else None
