"""Who counts as a producer (the `producers` group, a superuser, or the launch permission), and
the one way each surface refuses everyone else.

Pages (`producer_required`): an anonymous visitor goes to the login page and comes back; a
signed-in listener gets PermissionDenied, which Django answers with the site's 403 page
(templates/403.html), as it does wherever a page refuses. The API (`IsProducer`): DRF's 401 or
403 in the one JSON error shape (albumvote.exceptions). The websocket closes with 4403
(curation.producer.consumers).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

PRODUCERS_GROUP = "producers"
PRODUCER_PERMISSION = "generation.add_generationbatch"
PRODUCERS_ONLY = "Only producers can do this."


def is_producer(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated or not isinstance(user, PermissionsMixin):
        return False
    # Remembered on the user object: a page's guard and its nav link ask once per request.
    cached = getattr(user, "_is_producer", None)
    if cached is None:
        cached = (
            user.is_superuser
            or user.groups.filter(name=PRODUCERS_GROUP).exists()
            or user.has_perm(PRODUCER_PERMISSION)
        )
        user._is_producer = cached  # type: ignore[attr-defined]
    return bool(cached)


View = Callable[..., HttpResponseBase]


def producer_required(view: View) -> View:
    """Producers only, for a page: the login page for visitors, a 403 for listeners."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_producer(request.user):
            raise PermissionDenied(PRODUCERS_ONLY)
        return view(request, *args, **kwargs)

    return guarded


class IsProducer(BasePermission):
    message = PRODUCERS_ONLY

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_producer(request.user)
