"""Listener API: ratings, batched listening events, and the live state pages start from."""

from collections.abc import Iterable
from typing import Any

from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.exceptions import ApplicationError
from curation import realtime, selectors, throttles
from curation.identity import current_listener_id
from curation.services import listeners, listening, ratings


class JsonOnly(BaseContentNegotiation):
    """These endpoints only speak JSON, so there is nothing to negotiate on the hot path."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ListenerFeedbackApi(APIView):
    """Base for listener writes: JSON in and out, CSRF checked even for anonymous listeners.

    Anonymous listeners are identified by a SameSite cookie, which already keeps other sites
    from posting as them; the CSRF check is a second lock on the same door.
    """

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    authentication_classes = [SessionAuthentication]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            SessionAuthentication().enforce_csrf(request)

    def body(self, request: Request) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise ApplicationError("Send a JSON object.")
        return request.data


class TrackRatingApi(ListenerFeedbackApi):
    """GET the track's rating figures and mine; POST/PUT {"stars": 1-5}; DELETE to withdraw."""

    throttle_classes = [throttles.RatingThrottle]

    def get(self, request: Request, track_id: int) -> Response:
        track = selectors.track_detail(track_id=track_id)
        if track is None:
            raise ApplicationError(
                f"There is no published track {track_id}.", code="not_found", status_code=404
            )
        return Response(
            {
                "track": track_id,
                "rating": selectors.track_rating_state(track_id=track_id),
                "mine": selectors.listener_track_mine(
                    listener_id=current_listener_id(request._request),
                    track_id=track_id,
                    duration_s=track.duration_s,
                ),
            }
        )

    def post(self, request: Request, track_id: int) -> Response:
        stars = self.body(request).get("stars")
        # Not resolved here: the vote checks the identity in the same round trip.
        result = ratings.rating_submit(
            listener_id=getattr(request._request, "listener_id", None),
            user_id=request.user.pk if request.user.is_authenticated else None,
            track_id=track_id,
            stars=stars,
        )
        return Response(
            {
                "track": track_id,
                "stars": result.stars,
                "rating": selectors.rating_state(result.stats),
            },
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    put = post

    def delete(self, request: Request, track_id: int) -> Response:
        listener_id = listeners.listener_for_request(request._request, create=False)
        if listener_id is None:
            rating = selectors.track_rating_state(track_id=track_id)
        else:
            result = ratings.rating_withdraw(listener_id=listener_id, track_id=track_id)
            rating = selectors.rating_state(result.stats)
        return Response({"track": track_id, "stars": None, "rating": rating})


class ListeningEventsApi(ListenerFeedbackApi):
    """POST {"track": id, "session": "...", "events": [{"type", "position", "seq", "t"}, ...]}."""

    throttle_classes = [throttles.EventsThrottle]

    def post(self, request: Request) -> Response:
        data = self.body(request)
        listener_id = listeners.listener_for_request(request._request, create=True)
        assert listener_id is not None
        result = listening.events_record(
            listener_id=listener_id,
            track_id=data.get("track"),
            session=data.get("session"),
            events=data.get("events"),
        )
        return Response(
            {
                "accepted": result.accepted,
                "listened_s": result.listened_s,
                "required_s": round(result.required_s, 1),
                "can_rate": result.can_rate,
            }
        )


class LiveStateApi(APIView):
    """GET ?topics=track:12,top,new: the state that live events then keep current."""

    def get(self, request: Request) -> Response:
        raw = request.query_params.get("topics", "")
        topics = [t for t in raw.split(",") if t]
        if not topics or len(topics) > 50:
            raise ApplicationError("Ask for 1 to 50 topics, e.g. ?topics=track:12,top,new.")
        unknown = [t for t in topics if realtime.topic_group(t) is None]
        if unknown:
            raise ApplicationError(
                f"Unknown topic(s): {', '.join(unknown)}. Topics are track:<id>, top and new.",
                details={"topics": unknown},
            )
        state: dict[str, Any] = {"tracks": {}}
        for topic in topics:
            if topic == "top":
                state["top"] = selectors.track_top_live()
            elif topic == "new":
                state["new"] = selectors.track_new_live()
            else:
                track_id = int(topic.removeprefix("track:"))
                state["tracks"][str(track_id)] = selectors.track_rating_state(track_id=track_id)
        return Response(state)
