"""Arena API: the next anonymous pair, votes (revealing the names), and the leaderboard."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build, build_many
from albumvote.exceptions import ApplicationError
from albumvote.openapi import errors
from curation.apis import ListenerFeedbackApi
from curation.arena import selectors, services
from curation.models import ArenaRating
from curation.serializers import Route, TrackAudioSerializer

BATCH = OpenApiParameter("batch", int, required=True, description="A batch id")


class ArenaSideSerializer(serializers.Serializer):
    # From a track id: how to play the track, never its name (the vote reveals it).
    id = serializers.IntegerField(source="*")
    audio = TrackAudioSerializer(source="*")
    peaks_url = Route("curation:track-peaks", source="*")


class ArenaPairSerializer(serializers.Serializer):
    # From {"a": track id, "b": track id}.
    a = ArenaSideSerializer()
    b = ArenaSideSerializer()


class ArenaRevealedTrackSerializer(serializers.Serializer):
    # From a side of services.Reveal.
    id = serializers.IntegerField()
    title = serializers.CharField()
    preset = serializers.CharField()


class ArenaRevealedSerializer(serializers.Serializer):
    a = ArenaRevealedTrackSerializer()
    b = ArenaRevealedTrackSerializer()


class ArenaRevealSerializer(serializers.Serializer):
    # From a services.Reveal.
    revealed = ArenaRevealedSerializer(source="*")
    counted = serializers.BooleanField(
        help_text="Whether the verdict counts in the arena's fits now; a new listener's is "
        "kept and counts once they have listened a while (see /how-ranking-works/)."
    )


def _batch(request: Request) -> int:
    raw = request.query_params.get("batch", "")
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise ApplicationError("batch: a batch id is required.", details={"field": "batch"})
    return int(raw)


class ArenaPairApi(APIView):
    """Two tracks of the batch as A and B: audio only, names hidden until the vote."""

    @extend_schema(
        operation_id="arena_pair_retrieve",
        parameters=[BATCH],
        responses={
            200: ArenaPairSerializer,
            **errors(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        pair = selectors.arena_next_pair(batch_id=_batch(request))
        if pair is None:
            raise ApplicationError(
                "This batch has fewer than two published tracks.",
                code="not_found",
                status_code=404,
            )
        return Response(build(ArenaPairSerializer, {"a": pair[0], "b": pair[1]}))


class ArenaVoteApi(ListenerFeedbackApi):
    """POST {"track_a": id, "track_b": id, "outcome": "a" | "b" | "tie" | "both_bad"}."""

    class InputSerializer(serializers.Serializer):
        track_a = serializers.IntegerField()
        track_b = serializers.IntegerField()
        outcome = serializers.ChoiceField(choices=["a", "b", "tie", "both_bad"])

    @extend_schema(
        operation_id="arena_votes_create",
        request=InputSerializer,
        responses={
            201: ArenaRevealSerializer,
            **errors(400, 403, 404),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.body(request)
        listener_id = self.listener(request)
        reveal = services.arena_vote_submit(
            listener_id=listener_id,
            track_a=data.get("track_a"),
            track_b=data.get("track_b"),
            outcome=data.get("outcome"),
        )
        return Response(build(ArenaRevealSerializer, reveal), status=status.HTTP_201_CREATED)


class ArenaStandingTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="track_id")
    title = serializers.CharField(source="track.title")
    batch = serializers.IntegerField(source="track.batch_id")


class ArenaStandingSerializer(serializers.Serializer):
    """One leaderboard entry, from an ArenaRating: this both builds the JSON and documents it."""

    track = ArenaStandingTrackSerializer(source="*")
    rating = serializers.SerializerMethodField(help_text="Bradley-Terry rating (mean 1000).")
    ci95 = serializers.SerializerMethodField(help_text="The 95% interval: [low, high].")
    votes = serializers.IntegerField(help_text="Votes counted (ties included, both-bad not).")
    needs_more_votes = serializers.SerializerMethodField(
        help_text=f"True until the rating means something: {selectors.arena_rule_text()} "
        "Show that rather than the rating and interval."
    )

    @extend_schema_field(serializers.FloatField())
    def get_rating(self, row: ArenaRating) -> float:
        return round(row.rating, 1)

    @extend_schema_field(serializers.ListField(child=serializers.FloatField()))
    def get_ci95(self, row: ArenaRating) -> list[float]:
        return [round(row.low, 1), round(row.high, 1)]

    @extend_schema_field(serializers.BooleanField())
    def get_needs_more_votes(self, row: ArenaRating) -> bool:
        return not selectors.arena_interval_is_meaningful(row)


class ArenaLeaderboardApi(APIView):
    """The batch's arena ratings: those that mean something first, best first; then those
    that need more votes."""

    @extend_schema(
        operation_id="arena_leaderboard_list",
        parameters=[BATCH],
        responses={200: ArenaStandingSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.arena_leaderboard(batch_id=_batch(request))
        return Response(build_many(ArenaStandingSerializer, rows))
