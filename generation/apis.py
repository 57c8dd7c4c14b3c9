"""API for generation: the public batch list; producers launch batches and follow them."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build, build_many
from albumvote.exceptions import ApplicationError
from albumvote.openapi import PAGE_PARAMETERS, errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import IsProducer

from . import planning, remix, selectors, services
from .models import GenerationBatch


class BatchOutputSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = GenerationBatch
        fields = ["id", "source", "count", "params", "created_at", "finished_at", "counts"]

    def get_counts(self, batch: GenerationBatch) -> dict[str, int]:
        return selectors.batch_status_counts(batch_id=batch.pk)


class BatchSummarySerializer(serializers.Serializer):
    # From a batch of selectors.batch_published.
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    tracks = serializers.IntegerField(source="ready", help_text="Published tracks")


class BatchLaunchSerializer(serializers.Serializer):
    """Documents the launch body; services.batch_params_validate applies the rules."""

    count = serializers.IntegerField(min_value=1)
    preset = serializers.CharField(required=False, help_text="A style preset; mixed if left out")
    seed = serializers.IntegerField(required=False, min_value=0)
    temperature = serializers.FloatField(required=False)
    steer = serializers.BooleanField(
        required=False,
        help_text="Draw each track's parameters from the crowd's preference model; the "
        "parameters given here are pinned (docs/steering.md)",
    )
    exploration = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        help_text="With steer: the share of tracks composed as an unsteered batch (default 0.2)",
    )


class BatchLaunchApi(APIView):
    """GET: batches with published tracks, newest first (public).
    POST (producers): {"count": 5, "preset": "celtic_reel", "seed": 42, "temperature": 1.0},
    with "steer": true (and "exploration": 0.2) for a batch steered by the crowd's taste."""

    # The service checks types strictly (a seed of "12" or true is refused), so input stays JSON.

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsProducer()]

    @extend_schema(
        operation_id="batches_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(BatchSummarySerializer), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        paginator = NewestFirst()
        page = paginator.paginate_queryset(selectors.batch_published(), request, view=self)
        return paginator.get_paginated_response(build_many(BatchSummarySerializer, page or []))

    @extend_schema(
        operation_id="batches_create",
        request=BatchLaunchSerializer,
        responses={201: BatchOutputSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        raw: dict[str, Any] = dict(request.data)
        steer, exploration = planning.steer_options_validate(raw)
        batch = planning.launch(
            params=services.batch_params_validate(raw),
            source=GenerationBatch.Source.API,
            launched_by=request.user,
            steer=steer,
            exploration=exploration,
        )
        return Response(build(BatchOutputSerializer, batch), status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="batches_retrieve",
        responses={200: BatchOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, batch_id: int) -> Response:
        batch = get_object_or_404(GenerationBatch, pk=batch_id)
        return Response(build(BatchOutputSerializer, batch))


class RemixVariationSerializer(serializers.Serializer):
    """Documents one variation; generation.remix validates. Give at least one field."""

    tempo_bpm = serializers.FloatField(required=False, help_text="40 to 220")
    tonic = serializers.CharField(required=False, help_text="A note name: 'E', 'F#', 'Bb'")
    mode = serializers.ChoiceField(choices=["major", "minor"], required=False)
    instrumentation = serializers.CharField(
        required=False, allow_null=True, help_text="An instrument set; null for the preset's own"
    )
    temperature = serializers.FloatField(required=False, help_text="0.1 to 2.0")


class RemixInputSerializer(serializers.Serializer):
    variations = RemixVariationSerializer(many=True, help_text="1 to 4 variations")


class TrackRemixApi(APIView):
    """POST (producers): variations of a finished track, queued as a remix batch linked to it.
    {"variations": [{"tempo_bpm": 140}, {"tonic": "E", "mode": "minor"}]}."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="tracks_remix_create",
        request=RemixInputSerializer,
        responses={201: BatchOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, track_id: int) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        unknown = sorted(str(key) for key in data if key != "variations")
        if unknown:
            raise ApplicationError(
                f'Unknown field(s): {", ".join(unknown)}. Send {{"variations": [...]}}.',
                details={"fields": unknown},
            )
        batch = remix.remix_launch(
            track_id=track_id, variations=data.get("variations"), user=request.user
        )
        return Response(build(BatchOutputSerializer, batch), status=status.HTTP_201_CREATED)
