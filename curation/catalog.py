"""The public catalogue API: tracks, with filters, search and their aggregates.

GET /api/v1/tracks/?batch=&preset=&key=&tempo_min=&tempo_max=&status=&search=&cursor=
GET /api/v1/tracks/<id>/
(The batch list, GET /api/v1/batches/, is generation's: generation.apis.)
"""

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.exceptions import ApplicationError
from albumvote.openapi import PAGE_PARAMETERS, errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import is_producer
from curation import api_docs
from curation.ranking import verdict
from curation.selectors import track_summary
from generation.composer import PRESETS
from generation.models import Track


class TrackFilterSerializer(serializers.Serializer):
    batch = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    preset = serializers.ChoiceField(choices=sorted(PRESETS), required=False)
    key = serializers.CharField(max_length=20, required=False, help_text="e.g. D major or 10B")
    tempo_min = serializers.FloatField(min_value=0, max_value=400, required=False)
    tempo_max = serializers.FloatField(min_value=0, max_value=400, required=False)
    status = serializers.ChoiceField(
        choices=Track.Status.values, required=False, help_text="Producers only, except ready"
    )
    search = serializers.CharField(max_length=100, required=False, help_text="In the title")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("tempo_min"), attrs.get("tempo_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"tempo_min": ["must not be above tempo_max."]})
        return attrs


def track_catalog(filters: dict[str, Any]) -> QuerySet[Track]:
    """Tracks with their figures (one query); published ones unless a status is given."""
    tracks = Track.objects.filter(status=filters.get("status", Track.Status.READY))
    if "batch" in filters:
        tracks = tracks.filter(batch_id=filters["batch"])
    if "preset" in filters:
        tracks = tracks.filter(preset=filters["preset"])
    if "key" in filters:
        tracks = tracks.filter(Q(key__iexact=filters["key"]) | Q(camelot__iexact=filters["key"]))
    if "tempo_min" in filters:
        tracks = tracks.filter(tempo_bpm__gte=filters["tempo_min"])
    if "tempo_max" in filters:
        tracks = tracks.filter(tempo_bpm__lte=filters["tempo_max"])
    if "search" in filters:
        tracks = tracks.filter(title__icontains=filters["search"])
    return tracks.select_related("stats").defer(
        "peaks", "metrics", "resolved_params", "sections", "midi"
    )


def _entry(track: Track, prior: float) -> dict[str, Any]:
    return {
        **track_summary(track),
        "status": track.status,
        "published_at": track.finished_at,
        **verdict.figures(getattr(track, "stats", None), prior=prior, now=verdict.trend_clock()),
    }


class TrackListApi(APIView):
    """Published tracks, newest first, with their figures; filters combine (AND)."""

    @extend_schema(
        operation_id="tracks_list",
        parameters=[TrackFilterSerializer, *PAGE_PARAMETERS],
        responses={200: page_of(api_docs.CatalogTrackSerializer), **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = TrackFilterSerializer(data=request.query_params)
        if not params.is_valid():
            field, problems = next(iter(params.errors.items()))
            raise ApplicationError(f"{field}: {problems[0]}", details={"field": field})
        filters = params.validated_data
        if filters.get("status", Track.Status.READY) != Track.Status.READY and not is_producer(
            request.user
        ):
            raise ApplicationError(
                "Only producers can list tracks that are not published.",
                code="permission_denied",
                details={"field": "status"},
                status_code=403,
            )
        paginator = NewestFirst()
        page = paginator.paginate_queryset(track_catalog(filters), request, view=self)
        prior = verdict.site_mean_rating()
        return paginator.get_paginated_response([_entry(t, prior) for t in page or []])


class TrackDetailApi(APIView):
    @extend_schema(
        operation_id="tracks_retrieve",
        responses={200: api_docs.TrackDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, track_id: int) -> Response:
        track = (
            Track.objects.filter(pk=track_id)
            .select_related("stats")
            .defer("peaks", "metrics", "resolved_params", "midi")
            .first()
        )
        visible = track is not None and (
            track.status == Track.Status.READY or is_producer(request.user)
        )
        if not visible:
            raise ApplicationError(
                f"There is no published track {track_id}.", code="not_found", status_code=404
            )
        assert track is not None
        body = {
            **_entry(track, verdict.site_mean_rating()),
            "sections": track.sections,
            "model_version": track.model_version,
            "seed": track.seed,
        }
        return Response(body)
