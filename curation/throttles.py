"""Rate limits on listener feedback (Redis counters), counted when they bite."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from albumvote import limits
from curation.models import RefusedAttempt
from curation.services.listeners import client_ip
from curation.services.refusals import refusal_count


@dataclass(frozen=True)
class Voter:
    """Who gives a piece of feedback, as both paths know them: an HTTP request (cookie,
    session or token) and a websocket (its handshake's cookie and session)."""

    listener_id: int | None  # the cookie's, as signed; the vote function checks it is theirs
    user_id: int | None
    ip: str

    @property
    def identity(self) -> str | None:
        if self.user_id is not None:
            return f"user{self.user_id}"
        return f"listener{self.listener_id}" if self.listener_id is not None else None


def request_voter(request: HttpRequest) -> Voter:
    user = request.user
    return Voter(
        listener_id=getattr(request, "listener_id", None),
        user_id=user.pk if user.is_authenticated else None,
        ip=client_ip(request),
    )


def throttled(voter: Voter, *, kind: str, track_id: Callable[[], int | None]) -> float | None:
    """Count one piece of feedback against the per-listener and per-IP limits (one Redis
    round trip); None if allowed, else the seconds to wait. Refusals are counted."""
    return throttled_many([(voter, track_id)], kind=kind)[0]


def throttled_many(
    attempts: list[tuple[Voter, Callable[[], int | None]]], *, kind: str
) -> list[float | None]:
    """throttled for each attempt, in order, in one Redis round trip (a group of socket
    ratings: curation/groupcommit.py); the same voter's attempts count one after another."""
    checks: list[tuple[str, int, int]] = []
    owners: list[tuple[int, str]] = []
    for n, (voter, _) in enumerate(attempts):
        if voter.identity is not None:
            limit, window_s = settings.CURATION_RATE_LIMITS[f"{kind}_per_listener"]
            checks.append((f"{kind}:listener:{voter.identity}", limit, window_s))
            owners.append((n, RefusedAttempt.Reason.THROTTLED_LISTENER))
        limit, window_s = settings.CURATION_RATE_LIMITS[f"{kind}_per_ip"]
        checks.append((f"{kind}:ip:{voter.ip}", limit, window_s))
        owners.append((n, RefusedAttempt.Reason.THROTTLED_IP))
    waits: list[float | None] = [None] * len(attempts)
    for (allowed, retry_after), (n, reason) in zip(limits.hit_many(checks), owners, strict=True):
        if not allowed and waits[n] is None:  # counted once, by the first limit it passed
            refusal_count(track_id=attempts[n][1](), kind=kind, reason=reason)
            waits[n] = retry_after
    return waits
