"""Who counts as a producer: the `producers` group, a superuser, or the launch permission."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

PRODUCERS_GROUP = "producers"
PRODUCER_PERMISSION = "generation.add_generationbatch"


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


class IsProducer(BasePermission):
    message = "Only producers can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_producer(request.user)
