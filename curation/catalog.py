"""The public catalogue API: tracks, with filters, search and their aggregates.

GET /api/v1/tracks/?batch=&preset=&key=&tempo_min=&tempo_max=&status=&search=&cursor=
(filters: curation.filters, shared with the track list page)
GET /api/v1/tracks/<id>/
(The batch list, GET /api/v1/batches/, is generation's: generation.apis.)
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build, build_many
from albumvote.exceptions import ApplicationError
from albumvote.filtering import FilterBackend
from albumvote.openapi import errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import is_producer
from curation.filters import CatalogFilterSet
from curation.ranking import verdict
from curation.serializers import CatalogTrackSerializer, TrackDetailSerializer
from generation.models import Track


def _with_figures(tracks: Iterable[Track]) -> list[Track]:
    """The tracks, each with its `figures` (verdict.figures), as the serializers read them."""
    prior, now = verdict.site_mean_rating(), verdict.trend_clock()
    listed = list(tracks)
    for track in listed:
        track.figures = verdict.figures(  # type: ignore[attr-defined]
            getattr(track, "stats", None), prior=prior, now=now
        )
    return listed


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
        responses={200: page_of(CatalogTrackSerializer), **errors(400, 403, 404)},
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
        page = _with_figures(self.paginate_queryset(tracks) or [])
        return self.get_paginated_response(build_many(CatalogTrackSerializer, page))


class TrackDetailApi(APIView):
    @extend_schema(
        operation_id="tracks_retrieve",
        responses={200: TrackDetailSerializer, **errors(404)},
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
        return Response(build(TrackDetailSerializer, _with_figures([track])[0]))
