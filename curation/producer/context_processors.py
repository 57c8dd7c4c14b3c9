"""Template context for every page: whether the visitor is a producer (for the nav link)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from albumvote.permissions import is_producer


def producer(request: HttpRequest) -> dict[str, Any]:
    # Lazy: the group lookup only runs on pages that render the flag.
    user = getattr(request, "user", None)
    return {"is_producer": SimpleLazyObject(lambda: user is not None and is_producer(user))}
