"""A rating as either path gives it: the HTTP view (curation.apis.track_rating) and a rating
frame on the page's open socket (curation.consumers.LiveConsumer). Both pass the same limits
(curation.gate.limits_check) and the same service (curation.services.ratings.rating_submit:
the listen gate, the identity rules, the refusal counters) and answer with the same figures;
a refusal is the same error, a JSON error body on HTTP and an error frame on the socket.

Over the socket, the identity is the one settled when it connected (the handshake's listener
cookie and session); its origin was checked then (albumvote.websockets), which is what the
CSRF check does for a request.
"""

from typing import Any

from albumvote.builders import build
from albumvote.exceptions import ApplicationError, error_body
from curation import gate
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


def frame_rate(voter: Voter, frame: dict[str, Any]) -> dict[str, Any]:
    """A rating frame {"type": "rate", "track", "stars", "ref"}, answered once the rating is
    committed: {"type": "rated", "ref", ...rating_change_body} or an error frame with the
    error codes the HTTP path answers. `ref` is the client's, echoed to match the answer."""
    ref = frame.get("ref")
    try:
        if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_CHARS):
            ref = None
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
        gate.limits_check(voter, kind="rating", track_id=lambda: track_id)
        result = ratings.rating_submit(
            listener_id=voter.listener_id,
            user_id=voter.user_id,
            track_id=track_id,
            stars=frame.get("stars"),
        )
    except ApplicationError as exc:
        return {
            "type": "error",
            "ref": ref,
            **error_body(exc.code, exc.message, exc.details)["error"],
        }
    return {"type": RATED, "ref": ref, **rating_change_body(track_id, result)}
