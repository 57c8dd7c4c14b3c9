"""Rate limits on listener feedback (Redis counters), counted when they bite."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from albumvote import limits
from curation.models import RefusedAttempt
from curation.services.listeners import client_ip
from curation.services.refusals import refusal_count


def throttled(
    request: HttpRequest, *, kind: str, track_id: Callable[[], int | None]
) -> float | None:
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
            refusal_count(track_id=track_id(), kind=kind, reason=reason)
            return retry_after
    return None


def _listener_identity(request: HttpRequest) -> str | None:
    if request.user.is_authenticated:
        return f"user{request.user.pk}"
    listener_id = getattr(request, "listener_id", None)
    return f"listener{listener_id}" if listener_id is not None else None
