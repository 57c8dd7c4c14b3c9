"""The checks every piece of listener feedback passes, written once for the plain rating view
(the hot path, without DRF) and the DRF feedback views: who gives it (a token's account, or
the browser's cookie with Django's CSRF check) and whether they are within their limits.

Failures raise ApplicationError, which both paths answer in the one JSON error shape:
401 for a wrong token, 403 (code csrf_failed) for a failed CSRF check, 429 with Retry-After.
"""

import math
from collections.abc import Callable

from django.http import HttpRequest

from albumvote.authentication import CSRF_FAILED
from albumvote.exceptions import ApplicationError
from curation import throttles, tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def feedback_gate(
    request: HttpRequest, *, kind: str | None, track_id: Callable[[], int | None]
) -> None:
    """Identify the client and count the attempt; `kind` names the feedback limits
    (CURATION_RATE_LIMITS), None for none beyond the API's general limit. `track_id` is asked
    only when a refusal is counted (it may have to read the body)."""
    if request.method in SAFE_METHODS:
        return
    user = tokens.token_user(request)
    if user is not None:
        request.user = user  # the account's listener gives the feedback; no cookie, no CSRF
    elif (reason := tokens.csrf_refusal(request)) is not None:
        raise ApplicationError(f"CSRF Failed: {reason}", code=CSRF_FAILED, status_code=403)
    if kind is not None:
        limits_check(throttles.request_voter(request), kind=kind, track_id=track_id)


def limits_check(voter: throttles.Voter, *, kind: str, track_id: Callable[[], int | None]) -> None:
    """Count the attempt against the voter's limits; past them, a 429."""
    retry_after = throttles.throttled(voter, kind=kind, track_id=track_id)
    if retry_after is not None:
        raise throttled_error(retry_after)


def throttled_error(retry_after: float) -> ApplicationError:
    """The one refusal past a limit, on every path (a socket's group: curation/votes.py)."""
    wait_s = math.ceil(retry_after)
    return ApplicationError(
        f"Too many requests; try again in {wait_s} s.",
        code="throttled",
        details={"retry_after_s": wait_s},
        status_code=429,
        headers={"Retry-After": str(wait_s)},
    )
