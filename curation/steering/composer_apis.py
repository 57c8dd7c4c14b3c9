"""Producers' API for the crowd-tuned composer: its versions with their training and arena
record, training a candidate, a duel batch, promotion by hand and rollback."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build, build_many
from albumvote.exceptions import ApplicationError
from albumvote.openapi import errors
from albumvote.permissions import IsProducer
from curation.steering.composer_versions import VersionRow, composer_version_rows
from curation.steering.tuning import composer_tune_request
from generation.duels import duel_launch
from generation.models import ComposerVersion, GenerationBatch
from generation.versions import (
    composer_version_promote,
    composer_version_rollback,
    composer_version_sync,
)


class TunedTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="track_id")
    title = serializers.CharField()
    weight = serializers.IntegerField(help_text="Times its counts were added (1 to 8)")
    crowd_score = serializers.FloatField(
        allow_null=True, help_text="Its crowd score when the version was trained"
    )


class TrainingSerializer(serializers.Serializer):
    corpus_pieces = serializers.IntegerField(help_text="Public-domain pieces (they stay in)")
    collections = serializers.ListField(child=serializers.CharField())
    tuned = TunedTrackSerializer(many=True, help_text="Crowd-approved tracks added")
    tuned_weight = serializers.IntegerField(help_text="Their weights added up")
    skipped = serializers.IntegerField(help_text="Chosen tracks that could not be used")
    seconds = serializers.FloatField(source="training_seconds", allow_null=True)


class ArenaRecordSerializer(serializers.Serializer):
    # From a curation.arena.duels.DuelRecord.
    wins = serializers.IntegerField()
    ties = serializers.IntegerField()
    losses = serializers.IntegerField()
    verdicts = serializers.IntegerField(help_text="Counted verdicts on same-parameter pairs")
    win_rate = serializers.FloatField(allow_null=True, help_text="A tie counts half")
    ci95 = serializers.SerializerMethodField(help_text="95% credible interval of the win rate")
    decision = serializers.ChoiceField(
        choices=["promote", "retire", "undecided"], help_text="What the rule says now"
    )

    def get_ci95(self, record: Any) -> list[float]:
        return [round(record.low, 4), round(record.high, 4)]


class ComposerVersionSerializer(serializers.Serializer):
    """One composer version, from a curation.steering.composer_versions.VersionRow."""

    id = serializers.IntegerField()
    version = serializers.CharField(help_text="Content hash of the artifact (a track's model)")
    # Plain text: a second enum on a field named "status" would rename the track's in the
    # schema (drf-spectacular's enum naming).
    status = serializers.CharField(help_text=f"One of: {', '.join(ComposerVersion.Status.values)}")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)
    trained_from = serializers.CharField(
        source="parent", allow_null=True, help_text="The version it was trained from"
    )
    promoted_at = serializers.DateTimeField(allow_null=True)
    promoted_by = serializers.CharField(allow_null=True)
    promoted_how = serializers.CharField(help_text="trained, arena, hand or rollback; or blank")
    replaced = serializers.CharField(allow_null=True, help_text="Where a rollback returns")
    training = TrainingSerializer(source="*")
    arena = ArenaRecordSerializer(help_text="Its duels as a candidate")
    duels = serializers.IntegerField(help_text="Duel batches it fought")
    last_duel = serializers.IntegerField(allow_null=True, help_text="The newest duel batch")


class TrainQueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()
    tracks = serializers.IntegerField(help_text="Crowd-approved tracks it will be tuned on")


class DuelInputSerializer(serializers.Serializer):
    pairs = serializers.IntegerField(help_text="Same-parameter pairs to compose (1 to 50)")
    preset = serializers.CharField(required=False, help_text="A preset; mixed if left out")
    seed = serializers.IntegerField(required=False, min_value=0)


class DuelOutputSerializer(serializers.Serializer):
    batch = serializers.IntegerField(source="pk")
    count = serializers.IntegerField(help_text="Tracks: two per pair")


def _row(version_id: int) -> VersionRow:
    return next(row for row in composer_version_rows() if row.id == version_id)


def _body(request: Request, allowed: set[str]) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise ApplicationError(
            f"Unknown field(s): {', '.join(unknown)}.", details={"fields": unknown}
        )
    return dict(data)


class ComposerVersionsApi(APIView):
    """GET: every composer version, newest first, with what it was trained on and its arena
    record. POST {}: train a crowd-tuned candidate from the tracks the crowd approved (queued:
    202; it appears in the list when trained)."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="composer_versions_list",
        responses={200: ComposerVersionSerializer(many=True), **errors(403, 409)},
    )
    def get(self, request: Request) -> Response:
        composer_version_sync()  # rows follow the pointer, if a model was trained outside
        return Response(build_many(ComposerVersionSerializer, composer_version_rows()))

    @extend_schema(
        operation_id="composer_versions_create",
        request=None,
        responses={202: TrainQueuedSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        _body(request, set())
        tracks = composer_tune_request(created_by=request.user)
        return Response(
            build(TrainQueuedSerializer, {"queued": True, "tracks": tracks}),
            status=status.HTTP_202_ACCEPTED,
        )


class ComposerVersionPromoteApi(APIView):
    """POST: make this version the current one, by hand (every next track composes with it)."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="composer_versions_promote",
        request=None,
        responses={200: ComposerVersionSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, version_id: int) -> Response:
        row = composer_version_promote(version_id=version_id, by=request.user)
        return Response(build(ComposerVersionSerializer, _row(row.pk)))


class ComposerRollbackApi(APIView):
    """POST: return to the version the current one replaced."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="composer_versions_rollback",
        request=None,
        responses={200: ComposerVersionSerializer, **errors(403, 409)},
    )
    def post(self, request: Request) -> Response:
        row = composer_version_rollback(by=request.user)
        return Response(build(ComposerVersionSerializer, _row(row.pk)))


class ComposerDuelApi(APIView):
    """POST {"pairs": 10}: a duel batch, this candidate against the current version, each
    pair composed from the same parameters and seed, for the arena to judge."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="composer_versions_duel",
        request=DuelInputSerializer,
        responses={201: DuelOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, version_id: int) -> Response:
        data = _body(request, {"pairs", "preset", "seed"})
        batch = duel_launch(
            candidate_id=version_id,
            pairs=data.get("pairs"),
            preset=data.get("preset"),
            seed=data.get("seed"),
            source=GenerationBatch.Source.API,
            launched_by=request.user,
        )
        return Response(build(DuelOutputSerializer, batch), status=status.HTTP_201_CREATED)
