"""Album and pick API: published albums for everyone; albums in the making, suggestions,
finalizing and picks for producers. api_input parses the input; the output serializers
(curation.albums.serializers) build the JSON and document it."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build, build_many
from albumvote.openapi import PAGE_PARAMETERS, ErrorSerializer, errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import IsProducer, is_producer
from curation.albums import selectors, services
from curation.albums.api_input import (
    FLAG,
    LIST,
    MAX_ID,
    NUMBER,
    TEXT,
    WHOLE_OR_NULL,
    AlbumCreateSerializer,
    AlbumUpdateSerializer,
    PickFilterSerializer,
    PickInputSerializer,
    SuggestionQuerySerializer,
    TracklistSerializer,
    body_of,
    not_found,
    query_flag,
    query_number,
    refuse,
)
from curation.albums.serializers import (
    AlbumDetailSerializer,
    PickSerializer,
    PublishedAlbumSerializer,
    SuggestionSerializer,
    VersionSerializer,
    WorkspaceSerializer,
    album_workspace,
)

MAX_SUGGESTION_COUNT = 100


# --- albums ----------------------------------------------------------------------------------


def workspace(album_id: int) -> dict[str, Any]:
    return build(WorkspaceSerializer, album_workspace(album_id))


class NewestReleaseFirst(CursorPagination):
    ordering = ("-released_at", "-id")
    page_size = NewestFirst.page_size
    page_size_query_param = NewestFirst.page_size_query_param
    max_page_size = NewestFirst.max_page_size


class ProducerWrites(APIView):
    """Reads for everyone, writes for producers; bodies are JSON only."""

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsProducer()]


class AlbumListApi(ProducerWrites):
    """GET: published albums, newest release first, with their tracklists.
    POST (producers): {"title", "description", "target_count", "target_length_s"}."""

    FIELDS = {
        "title": TEXT,
        "description": TEXT,
        "target_count": WHOLE_OR_NULL,
        "target_length_s": WHOLE_OR_NULL,
    }

    @extend_schema(
        operation_id="albums_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(PublishedAlbumSerializer), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        paginator = NewestReleaseFirst()
        page = paginator.paginate_queryset(selectors.album_published_feed(), request, view=self)
        return paginator.get_paginated_response(build_many(PublishedAlbumSerializer, page or []))

    @extend_schema(
        operation_id="albums_create",
        request=AlbumCreateSerializer,
        responses={201: WorkspaceSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = body_of(request, self.FIELDS)
        if "title" not in data:
            raise refuse("title", "an album needs a title.")
        album = services.album_create(user=request.user, **data)
        return Response(workspace(album.pk), status=status.HTTP_201_CREATED)


class AlbumDetailApi(ProducerWrites):
    """GET: the published album (producers also get its working state, even unpublished).
    PATCH (producers): any of the album's details; the workspace comes back."""

    FIELDS = {
        **AlbumListApi.FIELDS,
        "crowd_weight": NUMBER,
        "pinned_first": WHOLE_OR_NULL,
        "pinned_last": WHOLE_OR_NULL,
        "allow_download": FLAG,
    }

    @extend_schema(
        operation_id="albums_retrieve",
        responses={200: AlbumDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, album_id: int) -> Response:
        producer = is_producer(request.user)
        if producer:
            album = selectors.album_get(album_id=album_id)
        else:
            album = selectors.album_published_get(album_id=album_id)
        if album is None:
            raise not_found(f"published album {album_id}")
        if producer:
            album.workspace = album_workspace(album.pk)  # type: ignore[attr-defined]
        return Response(build(AlbumDetailSerializer, album))

    @extend_schema(
        operation_id="albums_partial_update",
        request=AlbumUpdateSerializer,
        responses={200: WorkspaceSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, album_id: int) -> Response:
        data = body_of(request, self.FIELDS)
        services.album_update(album_id=album_id, user=request.user, **data)
        return Response(workspace(album_id))


class AlbumWorkspaceApi(APIView):
    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_workspace_retrieve",
        responses={200: WorkspaceSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, album_id: int) -> Response:
        return Response(workspace(album_id))


class AlbumTracksApi(APIView):
    """PUT {"tracks": [track ids in order]}: add, remove and reorder in one call."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_tracks_update",
        request=TracklistSerializer,
        responses={200: WorkspaceSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, album_id: int) -> Response:
        data = body_of(request, {"tracks": LIST})
        track_ids = data.get("tracks")
        if track_ids is None:
            raise refuse("tracks", "a list of track ids is required.")
        if not all(
            isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= MAX_ID for t in track_ids
        ):
            raise refuse("tracks", "must be a list of track ids.")
        services.album_tracklist_set(album_id=album_id, user=request.user, track_ids=track_ids)
        return Response(workspace(album_id))


class AlbumSuggestionsApi(APIView):
    """GET ?weight=0..1&count=1..100: the best tracks by crowd and picks, sequenced for flow."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_suggestions_retrieve",
        parameters=[SuggestionQuerySerializer],
        responses={200: SuggestionSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request, album_id: int) -> Response:
        weight = query_number(request, "weight", 0.0, 1.0, whole=False)
        count = query_number(request, "count", 1, MAX_SUGGESTION_COUNT, whole=True)
        album = selectors.album_get(album_id=album_id)
        if album is None:
            raise not_found(f"album {album_id}")
        weight = album.crowd_weight if weight is None else weight
        count = count or album.target_count or selectors.DEFAULT_SUGGESTION_COUNT
        suggestion = selectors.album_suggest(album=album, weight=weight, count=count)
        shown = {"weight": weight, "count": count, "suggestion": suggestion}
        return Response(build(SuggestionSerializer, shown))


class AlbumFinalizeApi(APIView):
    """POST: lock the working tracklist as the next version, and publish it. 409 (code
    "unchanged") when the album is the same as its latest version."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_finalize_create",
        request=None,
        responses={
            201: VersionSerializer,
            **errors(400, 403, 404),
            409: OpenApiResponse(
                ErrorSerializer,
                description="Code unchanged: the title, description and tracks in order are "
                "the same as the latest version's, so no new version is made",
            ),
        },
    )
    def post(self, request: Request, album_id: int) -> Response:
        version = services.album_finalize(album_id=album_id, user=request.user)
        return Response(build(VersionSerializer, version), status=status.HTTP_201_CREATED)


class AlbumVersionApi(APIView):
    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_versions_retrieve",
        responses={200: VersionSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, album_id: int, number: int) -> Response:
        # AlbumVersion.number is a 32-bit column; a larger number names no version.
        version = (
            selectors.album_version_get(album_id=album_id, number=number)
            if number < 2**31
            else None
        )
        if version is None:
            raise not_found(f"version {number} of album {album_id}")
        return Response(build(VersionSerializer, version))


# --- picks -----------------------------------------------------------------------------------


class RecentPicksFirst(NewestReleaseFirst):
    ordering = ("-updated_at", "-track_id")


class PickListApi(APIView):
    """GET ?shortlisted=true|false&vetoed=true|false&tag=...: picks, last changed first."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="picks_list",
        parameters=[PickFilterSerializer, *PAGE_PARAMETERS],
        responses={200: page_of(PickSerializer), **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        tag = request.query_params.get("tag")
        if tag is not None and (not tag.strip() or len(tag) > 32 or "\x00" in tag):
            raise refuse("tag", "must be a tag of 1 to 32 characters.")
        picks = selectors.pick_list(
            shortlisted=query_flag(request, "shortlisted"),
            vetoed=query_flag(request, "vetoed"),
            tag=tag.strip().lower() if tag is not None else None,
        )
        paginator = RecentPicksFirst()
        page = paginator.paginate_queryset(picks, request, view=self)
        return paginator.get_paginated_response(build_many(PickSerializer, page or []))


class TrackPickApi(APIView):
    """PUT or PATCH any of {"shortlisted", "vetoed", "notes", "tags"}; the rest stays."""

    permission_classes = [IsProducer]
    FIELDS = {"shortlisted": FLAG, "vetoed": FLAG, "notes": TEXT, "tags": LIST}

    def _update(self, request: Request, track_id: int) -> Response:
        data = body_of(request, self.FIELDS)
        pick = services.pick_update(track_id=track_id, user=request.user, **data)
        return Response(build(PickSerializer, pick))

    @extend_schema(
        operation_id="tracks_pick_update",
        request=PickInputSerializer,
        responses={200: PickSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, track_id: int) -> Response:
        return self._update(request, track_id)

    @extend_schema(
        operation_id="tracks_pick_partial_update",
        request=PickInputSerializer,
        responses={200: PickSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, track_id: int) -> Response:
        return self._update(request, track_id)
