"""Producer-only API for generation: launch a batch and follow its progress."""

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.permissions import IsProducer

from . import selectors, services
from .models import GenerationBatch


class BatchOutputSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = GenerationBatch
        fields = ["id", "source", "count", "params", "created_at", "finished_at", "counts"]

    def get_counts(self, batch: GenerationBatch) -> dict[str, int]:
        return selectors.batch_status_counts(batch_id=batch.pk)


class BatchLaunchApi(APIView):
    """POST a batch: {"count": 5, "preset": "celtic_reel", "seed": 42, "temperature": 1.0}."""

    permission_classes = [IsProducer]
    # The service checks types strictly (a seed of "12" or true is refused), so input stays JSON.
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        raw: dict[str, Any] = dict(request.data)
        params = services.batch_params_validate(raw)
        batch = services.batch_launch(
            params=params, source=GenerationBatch.Source.API, launched_by=request.user
        )
        return Response(BatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    permission_classes = [IsProducer]

    def get(self, request: Request, batch_id: int) -> Response:
        batch = get_object_or_404(GenerationBatch, pk=batch_id)
        return Response(BatchOutputSerializer(batch).data)
