"""Who is listening: a signed, HttpOnly, SameSite cookie naming a Listener row.

The middleware only reads the cookie; a Listener row is created on the first piece of
feedback (services.listener_for_request), so crawlers that only read pages create nothing.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from curation.models import Listener

COOKIE_NAME = "albumvote_listener"
COOKIE_SALT = "curation.listener"
COOKIE_MAX_AGE = 365 * 24 * 3600


def cookie_listener_id(request: HttpRequest) -> int | None:
    return signed_listener_id(request.COOKIES.get(COOKIE_NAME))


def socket_listener_id(scope: dict[str, Any]) -> int | None:
    """The listener a websocket's handshake names, by its cookie (as the page's requests
    would): settled when it connects."""
    return signed_listener_id((scope.get("cookies") or {}).get(COOKIE_NAME))


def signed_listener_id(cookie: str | None) -> int | None:
    """The listener id in the cookie's value, if its signature holds. Read through a bare
    request's get_signed_cookie: how Django salts signed cookies is its own (it changed in 6)."""
    if not cookie:
        return None
    request = HttpRequest()
    request.COOKIES[COOKIE_NAME] = cookie
    value = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )
    return int(value) if value and value.isdigit() else None


def current_listener_id(request: HttpRequest) -> int | None:
    """The listener behind a request, without creating one: the user's, or the cookie's
    (only while that listener is still anonymous and not merged into an account)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Listener.objects.filter(user=user).values_list("pk", flat=True).first()
    listener_id = getattr(request, "listener_id", None)
    if (
        listener_id is not None
        and Listener.objects.filter(
            pk=listener_id, user__isnull=True, merged_into__isnull=True
        ).exists()
    ):
        return listener_id
    return None


def forget_listener(request: HttpRequest) -> None:
    """After log-out the browser must not keep acting as the user's listener."""
    request.listener_id = None  # type: ignore[attr-defined]
    request._forget_listener_cookie = True  # type: ignore[attr-defined]


def remember_listener(request: HttpRequest, listener_id: int) -> None:
    """Ask the middleware to (re)issue the cookie for this listener on the response."""
    request.listener_id = listener_id  # type: ignore[attr-defined]
    request._issue_listener_cookie = listener_id  # type: ignore[attr-defined]


class ListenerMiddleware:
    """Puts `request.listener_id` (int or None) on every request and issues the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.listener_id = cookie_listener_id(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        issue = getattr(request, "_issue_listener_cookie", None)
        if getattr(request, "_forget_listener_cookie", False) and issue is None:
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        elif issue is not None:
            response.set_signed_cookie(
                COOKIE_NAME,
                str(issue),
                salt=COOKIE_SALT,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
