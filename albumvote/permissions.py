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
    if user.is_superuser or user.groups.filter(name=PRODUCERS_GROUP).exists():
        return True
    return user.has_perm(PRODUCER_PERMISSION)


class IsProducer(BasePermission):
    message = "Only producers can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_producer(request.user)
