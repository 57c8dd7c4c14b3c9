"""The public catalogue API: tracks, with filters, search and their aggregates.

GET /api/v1/tracks/?batch=&preset=&key=&tempo_min=&tempo_max=&status=&search=&cursor=
(filters: curation.filters, shared with the track list page)
GET /api/v1/tracks/<id>/
(The batch list, GET /api/v1/batches/, is generation's: generation.apis.)
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.exceptions import ApplicationError
from albumvote.filtering import FilterBackend
from albumvote.openapi import errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import is_producer
from curation import api_docs
from curation.filters import CatalogFilterSet
from curation.ranking import verdict
from curation.selectors import track_summary
from generation.models import Track


def _entry(track: Track, prior: float) -> dict[str, Any]:
    return {
        **track_summary(track),
        "status": track.status,
        "published_at": track.finished_at,
        **verdict.figures(getattr(track, "stats", None), prior=prior, now=verdict.trend_clock()),
    }


class TrackListApi(GenericAPIView):
    """Published tracks, newest first, with their figures; filters combine (AND) and are the
    track list page's (curation.filters)."""

    filter_backends = [FilterBackend]
    filterset_class = CatalogFilterSet
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Track]:
        # Only the columns an entry shows: a track row also carries peaks and analysis JSON.
        return Track.objects.select_related("stats").defer(
            "peaks", "metrics", "resolved_params", "sections", "midi"
        )

    @extend_schema(
        operation_id="tracks_list",
        responses={200: page_of(api_docs.CatalogTrackSerializer), **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        tracks = self.filter_queryset(self.get_queryset())  # refuses bad filters first
        status = request.query_params.get("status", Track.Status.READY)
        if status != Track.Status.READY and not is_producer(request.user):
            raise ApplicationError(
                "Only producers can list tracks that are not published.",
                code="permission_denied",
                details={"field": "status"},
                status_code=403,
            )
        page = self.paginate_queryset(tracks)
        prior = verdict.site_mean_rating()
        return self.get_paginated_response([_entry(t, prior) for t in page or []])


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
