"""The API's general rate limit: requests per client per minute, on a Redis fixed-window
counter (albumvote.limits: one round trip, O(1); DRF's own throttles keep a list of every
request time in the cache). It fails open: when Redis does not answer, requests go through."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from albumvote import limits


class ApiRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        limit, window_s = settings.API_RATE_LIMIT
        user = request.user
        who = f"user{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        allowed, retry_after = limits.hit(f"api:{who}", limit=limit, window_s=window_s)
        self.retry_after = None if allowed else retry_after
        return allowed

    def wait(self) -> float | None:
        return self.retry_after
