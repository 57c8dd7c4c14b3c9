"""Listener API: ratings, batched listening events, and the live state pages start from.
The JSON shapes are curation.serializers'."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote import parsers
from albumvote.builders import build
from albumvote.exceptions import ApplicationError, error_response
from albumvote.openapi import described_by, errors
from curation import gate, realtime, selectors, votes
from curation.identity import current_listener_id
from curation.serializers import (
    ListeningResultSerializer,
    LiveStateSerializer,
    MyRatingSerializer,
    RatingChangeSerializer,
    StarsSerializer,
)
from curation.services import listeners, listening, ratings
from curation.services.ratings import RatingResult


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

    parser_classes = [parsers.JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    # Who gives the feedback is settled by the gate (token, or session + CSRF), not by DRF;
    # anonymous listeners may give it too, so the schema lists no required scheme.
    authentication_classes: list[Any] = []

    # The feedback limits this endpoint counts against (CURATION_RATE_LIMITS), if any.
    feedback_kind: str | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Token, CSRF and limits exactly as on the rating view (curation.gate); DRF then sees
        # the user the gate settled on.
        gate.feedback_gate(
            request._request,
            kind=self.feedback_kind,
            track_id=lambda: _track_id(request, kwargs),
        )
        request.user = request._request.user
        super().initial(request, *args, **kwargs)

    def listener(self, request: Request) -> int:
        """The listener behind the request, created on its first piece of feedback."""
        listener_id = listeners.listener_for_request(request._request, create=True)
        assert listener_id is not None
        return listener_id

    def body(self, request: Request) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise ApplicationError("Send a JSON object.")
        return request.data


RATING_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")


class RatingOperations(APIView):
    """A track's rating: its figures and mine; rate after listening, change, withdraw."""

    # How /api/v1/tracks/<id>/rating/ is described: track_rating is a plain Django view,
    # which drf-spectacular cannot read, so this view carries its description (it is never
    # dispatched). The serializers named here are the ones track_rating builds its JSON with.

    authentication_classes: list[Any] = []  # the gate settles who rates (token or CSRF)
    changes = {
        **errors(400, 401, 403, 404, 429),
        200: OpenApiResponse(RatingChangeSerializer, description="Changed"),
    }

    @extend_schema(
        operation_id="rating_retrieve",
        summary="The track's rating figures, and mine (stars, listen time, may I rate)",
        tags=["ratings"],
        responses={200: OpenApiResponse(MyRatingSerializer, description="Figures"), **errors(404)},
    )
    def get(self, request: Request, track_id: int) -> Response:
        raise NotImplementedError  # never dispatched: see track_rating

    @extend_schema(
        operation_id="rating_create",
        summary="Rate 1-5 stars (after listening 20 s or 30% of the track)",
        tags=["ratings"],
        request=StarsSerializer,
        responses={201: OpenApiResponse(RatingChangeSerializer, description="Rated"), **changes},
    )
    def post(self, request: Request, track_id: int) -> Response:
        raise NotImplementedError

    @extend_schema(
        operation_id="rating_update",
        summary="Change my rating",
        tags=["ratings"],
        request=StarsSerializer,
        responses={201: OpenApiResponse(RatingChangeSerializer, description="Rated"), **changes},
    )
    def put(self, request: Request, track_id: int) -> Response:
        raise NotImplementedError

    @extend_schema(
        operation_id="rating_destroy",
        summary="Withdraw my rating (withdrawing none is not an error)",
        tags=["ratings"],
        responses={
            **changes,
            200: OpenApiResponse(RatingChangeSerializer, description="Withdrawn"),
        },
    )
    def delete(self, request: Request, track_id: int) -> Response:
        raise NotImplementedError


@described_by(RatingOperations)
@csrf_exempt  # checked in the view: token clients have no CSRF token to send
def track_rating(request: HttpRequest, track_id: int) -> JsonResponse:
    """GET the track's rating figures and mine; POST/PUT {"stars": 1-5}; DELETE to withdraw.

    A plain Django view rather than a DRF one: voting is the hottest path of the site, and
    DRF's request and response machinery cost about a third of a vote's CPU (measured with
    bench/votes.py). Browsers pass Django's CSRF check; API clients send a token instead
    (curation.gate, shared with the DRF feedback views). Errors keep the one JSON shape; the
    JSON is built by the output serializers RatingOperations documents.
    """
    allow = {"Allow": ", ".join(RATING_METHODS)}
    if request.method == "OPTIONS":
        return JsonResponse({"methods": list(RATING_METHODS)}, headers=allow)
    if request.method not in RATING_METHODS:
        error = ApplicationError(
            f"{request.method} is not allowed here.",
            code="method_not_allowed",
            status_code=405,
            headers=allow,
        )
        return error_response(error)
    try:
        if request.method in ("GET", "HEAD"):
            return JsonResponse(_rating_view(request, track_id))
        gate.feedback_gate(request, kind="rating", track_id=lambda: track_id)
        if request.method == "DELETE":
            return JsonResponse(_rating_withdraw(request, track_id))
        result = ratings.rating_submit(
            listener_id=getattr(request, "listener_id", None),
            user_id=request.user.pk if request.user.is_authenticated else None,
            track_id=track_id,
            stars=_json_object(request).get("stars"),
        )
    except ApplicationError as exc:
        return error_response(exc)
    status = 201 if result.created else 200
    return JsonResponse(votes.rating_change_body(track_id, result), status=status)


def _rating_view(request: HttpRequest, track_id: int) -> dict[str, Any]:
    track = selectors.track_detail(track_id=track_id)
    if track is None:
        raise ApplicationError(
            f"There is no published track {track_id}.", code="not_found", status_code=404
        )
    mine = selectors.listener_track_listening(
        listener_id=current_listener_id(request), track_id=track_id, duration_s=track.duration_s
    )
    rating = selectors.track_stats(track_id=track_id)
    return build(MyRatingSerializer, {"track": track_id, "rating": rating, "mine": mine})


def _rating_withdraw(request: HttpRequest, track_id: int) -> dict[str, Any]:
    listener_id = listeners.listener_for_request(request, create=False)
    if listener_id is None:
        stats = selectors.track_stats(track_id=track_id)
        return votes.rating_change_body(track_id, RatingResult(None, stats, created=False))
    result = ratings.rating_withdraw(listener_id=listener_id, track_id=track_id)
    return votes.rating_change_body(track_id, result)


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = parsers.loads(request.body)
    except ValueError as exc:
        raise ApplicationError(f"JSON parse error - {exc}", code="parse_error") from exc
    if not isinstance(data, dict):
        raise ApplicationError("Send a JSON object.")
    return data


class ListeningEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["play", "progress", "pause", "seek", "skip", "complete", "replay"]
    )
    position = serializers.FloatField(min_value=0, help_text="Seconds into the track")
    from_position = serializers.FloatField(min_value=0, required=False, help_text="Seeks")
    seq = serializers.IntegerField(min_value=1, help_text="Increasing within the session")
    t = serializers.IntegerField(help_text="Player clock, ms")


class ListeningBatchSerializer(serializers.Serializer):
    """Documents the body; listening.events_record applies the rules."""

    track = serializers.IntegerField()
    session = serializers.CharField(max_length=36)
    events = ListeningEventSerializer(many=True)


class ListeningEventsApi(ListenerFeedbackApi):
    """POST {"track": id, "session": "...", "events": [{"type", "position", "seq", "t"}, ...]}."""

    feedback_kind = "events"
    throttle_classes: list[Any] = []  # the gate counts the feedback limits

    @extend_schema(
        operation_id="listening_events_create",
        request=ListeningBatchSerializer,
        responses={200: ListeningResultSerializer, **errors(400, 403, 404, 429)},
    )
    def post(self, request: Request) -> Response:
        data = self.body(request)
        listener_id = self.listener(request)
        result = listening.events_record(
            listener_id=listener_id,
            track_id=data.get("track"),
            session=data.get("session"),
            events=data.get("events"),
        )
        return Response(build(ListeningResultSerializer, result))


TOPIC = "(track:[1-9][0-9]{0,17}|top|new)"


class LiveStateApi(APIView):
    """GET ?topics=track:12,top,new: the state that live events then keep current."""

    @extend_schema(
        operation_id="live_state_retrieve",
        parameters=[
            OpenApiParameter(
                "topics",
                str,
                required=True,
                description="1 to 50, comma-separated: track:<id>, top, new",
                pattern=f"^{TOPIC}(,{TOPIC}){{0,49}}$",
            )
        ],
        responses={200: LiveStateSerializer, **errors(400)},
    )
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
        track_ids = [int(t.removeprefix("track:")) for t in topics if t.startswith("track:")]
        # One query for all the tracks' figures.
        state: dict[str, Any] = {"tracks": selectors.track_stats_many(track_ids=track_ids)}
        if "top" in topics:
            state["top"] = selectors.track_top_rated(selectors.LIVE_LIST_LENGTH)
        if "new" in topics:
            state["new"] = selectors.track_newest()
        return Response(build(LiveStateSerializer, state))


def _track_id(request: Request, kwargs: dict[str, Any]) -> int | None:
    """The track the feedback is about, for counting refusals per track."""
    track_id = kwargs.get("track_id")
    if track_id is None:
        try:
            data = parsers.loads(request._request.body or b"null")
        except ValueError:
            return None
        track_id = data.get("track") if isinstance(data, dict) else None
    return track_id if isinstance(track_id, int) and not isinstance(track_id, bool) else None
