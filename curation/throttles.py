"""Rate limits on listener feedback (DRF throttles on Redis counters), counted when they bite."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from albumvote import limits
from curation.models import RefusedAttempt
from curation.services.listeners import client_ip
from curation.services.refusals import refusal_count


def throttled(request: HttpRequest, *, kind: str, track_id: int | None) -> float | None:
    """Count one piece of feedback against the per-listener and per-IP limits (one Redis
    round trip); None if allowed, else the seconds to wait. Refusals are counted."""
    checks: list[tuple[str, int, int]] = []
    reasons: list[str] = []
    listener = _listener_identity(request)
    if listener is not None:
        limit, window_s = settings.CURATION_RATE_LIMITS[f"{kind}_per_listener"]
        checks.append((f"{kind}:listener:{listener}", limit, window_s))
        reasons.append(RefusedAttempt.Reason.THROTTLED_LISTENER)
    limit, window_s = settings.CURATION_RATE_LIMITS[f"{kind}_per_ip"]
    checks.append((f"{kind}:ip:{client_ip(request)}", limit, window_s))
    reasons.append(RefusedAttempt.Reason.THROTTLED_IP)
    for (allowed, retry_after), reason in zip(limits.hit_many(checks), reasons, strict=True):
        if not allowed:
            refusal_count(track_id=track_id, kind=kind, reason=reason)
            return retry_after
    return None


class FeedbackThrottle(BaseThrottle):
    """throttled() as a DRF throttle, for the DRF views among the feedback endpoints."""

    kind = ""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        self.retry_after = throttled(
            request._request, kind=self.kind, track_id=_track_id(request, view)
        )
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after


def _listener_identity(request: HttpRequest) -> str | None:
    if request.user.is_authenticated:
        return f"user{request.user.pk}"
    listener_id = getattr(request, "listener_id", None)
    return f"listener{listener_id}" if listener_id is not None else None


def _track_id(request: Request, view: Any) -> int | None:
    track_id = getattr(view, "kwargs", {}).get("track_id")
    if track_id is None and isinstance(request.data, dict):
        track_id = request.data.get("track")
    return track_id if isinstance(track_id, int) and not isinstance(track_id, bool) else None


class EventsThrottle(FeedbackThrottle):
    kind = "events"
