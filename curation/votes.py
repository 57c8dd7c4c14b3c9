"""A rating as either path gives it: the HTTP view (curation.apis.track_rating) and a rating
frame on the page's open socket (curation.consumers.LiveConsumer). Both pass the same limits
(curation.throttles, refused by curation.gate.throttled_error) and the same vote function
(curation.services.ratings: the listen gate, the identity rules, the refusal counters), and
answer with the same figures; a refusal is the same error, a JSON error body on HTTP and an
error frame on the socket.

Over the socket, the identity is the one settled when it connected (the handshake's listener
cookie and session); its origin was checked then (albumvote.websockets), which is what the
CSRF check does for a request.
"""

from collections.abc import Callable
from typing import Any

from albumvote.builders import build
from albumvote.exceptions import ApplicationError, error_body
from curation import gate, throttles
from curation.serializers import RatingChangeSerializer
from curation.services import ratings
from curation.services.ratings import RatingResult
from curation.throttles import Voter

RATE = "rate"
RATED = "rated"
MAX_REF_CHARS = 64


def rating_change_body(track_id: int, result: RatingResult) -> dict[str, Any]:
    """What a rating (or its withdrawal) answers: mine, and the track's figures after it."""
    change = {
        "track": track_id,
        "stars": result.stars,
        "counted": result.counted,
        "rating": result.stats,
    }
    return dict(build(RatingChangeSerializer, change))


def frame_ref(frame: dict[str, Any]) -> str | None:
    """The client's ref, echoed to match an answer to its frame (None if it is not one)."""
    ref = frame.get("ref")
    return ref if isinstance(ref, str) and len(ref) <= MAX_REF_CHARS else None


def frames_rate(frames: list[tuple[Voter, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rating frames {"type": "rate", "track", "stars", "ref"}, each answered once the group
    is committed: {"type": "rated", "ref", ...rating_change_body} or an error frame with the
    error codes the HTTP path answers. The valid ones are written in one transaction by one
    statement (ratings.ratings_submit_many): a group commit (curation/groupcommit.py)."""
    answers: list[dict[str, Any] | None] = [None] * len(frames)
    # Checked as the HTTP path checks a rating: who and what first, then the limits (one
    # Redis round trip for the group), then the stars.
    asked: list[tuple[int, int]] = []
    for n, (voter, frame) in enumerate(frames):
        try:
            asked.append((n, _track_of(voter, frame)))
        except ApplicationError as exc:
            answers[n] = _error(frame, exc)
    waits = throttles.throttled_many(
        [(frames[n][0], _constant(track_id)) for n, track_id in asked], kind="rating"
    )
    valid: list[tuple[int, ratings.Vote]] = []
    for (n, track_id), wait in zip(asked, waits, strict=True):
        voter, frame = frames[n]
        stars = frame.get("stars")
        try:
            if wait is not None:
                raise gate.throttled_error(wait)
            ratings.stars_check(stars)
        except ApplicationError as exc:
            answers[n] = _error(frame, exc)
            continue
        assert isinstance(stars, int)
        valid.append((n, ratings.Vote(voter.listener_id, voter.user_id, track_id, stars)))
    results = ratings.ratings_submit_many([vote for _, vote in valid])
    for (n, _), result in zip(valid, results, strict=True):
        frame = frames[n][1]
        if isinstance(result, ApplicationError):
            answers[n] = _error(frame, result)
        else:
            body = rating_change_body(result.stats.track_id, result)
            answers[n] = {"type": RATED, "ref": frame_ref(frame), **body}
    assert all(answer is not None for answer in answers)
    return answers  # type: ignore[return-value]


def _track_of(voter: Voter, frame: dict[str, Any]) -> int:
    """The frame's track, once its ref, track and the socket's identity are in order."""
    ref = frame.get("ref")
    if ref is not None and frame_ref(frame) is None:
        raise ApplicationError(
            f"ref must be a string of at most {MAX_REF_CHARS} characters.",
            details={"field": "ref"},
        )
    track_id = frame.get("track")
    if isinstance(track_id, bool) or not isinstance(track_id, int):
        raise ApplicationError(
            f"track must be a track id, got {track_id!r}.", details={"field": "track"}
        )
    if voter.listener_id is None and voter.user_id is None:
        raise ApplicationError(
            "This connection does not know who you are yet: it connected before your "
            "first listening was counted. Rate over HTTP, or reconnect.",
            code="no_listener",
            status_code=403,
        )
    return track_id


def _constant(track_id: int) -> Callable[[], int]:
    return lambda: track_id


def _error(frame: dict[str, Any], exc: ApplicationError) -> dict[str, Any]:
    body = error_body(exc.code, exc.message, exc.details)["error"]
    return {"type": "error", "ref": frame_ref(frame), **body}
