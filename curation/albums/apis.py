"""Album and pick API: published albums for everyone; albums in the making, suggestions,
finalizing and picks for producers. The serializers only describe the JSON (OpenAPI); the
views build it directly and tests/test_openapi.py checks real responses against them."""

import math
from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.exceptions import ApplicationError
from albumvote.openapi import PAGE_PARAMETERS, errors, page_of
from albumvote.pagination import NewestFirst
from albumvote.permissions import IsProducer, is_producer
from curation.albums import selectors, services
from curation.albums.models import Album, AlbumTrack, AlbumVersion, TrackPick

MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_TEXT = 10_000
CANDIDATES_SHOWN = 50
MAX_SUGGESTION_COUNT = 100

# --- the JSON, described ---------------------------------------------------------------------


# Built with type(): a transition's "from" cannot be a class attribute's name.
TransitionSerializer: type[serializers.Serializer] = type(
    "AlbumTransitionSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.IntegerField(help_text="Track id"),
        "to": serializers.IntegerField(help_text="Track id"),
        "cost": serializers.FloatField(help_text="Lower is smoother"),
        "why": serializers.CharField(),
    },
)


class CrowdSerializer(serializers.Serializer):
    rating_count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    crowd_score = serializers.FloatField(allow_null=True)
    plays = serializers.IntegerField()
    unique_listeners = serializers.IntegerField()
    listen_through = serializers.FloatField(allow_null=True)
    skip_rate = serializers.FloatField(allow_null=True)


class PublicRowSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    id = serializers.IntegerField(help_text="Track id")
    title = serializers.CharField()
    duration_s = serializers.FloatField(allow_null=True)
    key = serializers.CharField(allow_null=True)
    camelot = serializers.CharField(allow_null=True)
    tempo_bpm = serializers.FloatField(allow_null=True)
    audio_url = serializers.CharField()
    crowd = CrowdSerializer(help_text="The crowd's figures when the album was finalized")


class PublishedAlbumSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="The published version's number")
    finalized_at = serializers.DateTimeField()
    total_s = serializers.FloatField()
    track_count = serializers.IntegerField()
    url = serializers.CharField(help_text="The public album page")
    tracklist = PublicRowSerializer(many=True)


class PickStateSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField()
    vetoed = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())


class WorkingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Track id")
    position = serializers.IntegerField()
    title = serializers.CharField()
    duration_s = serializers.FloatField(allow_null=True)
    key = serializers.CharField(allow_null=True)
    camelot = serializers.CharField(allow_null=True)
    tempo_bpm = serializers.FloatField(allow_null=True)
    energy = serializers.FloatField(allow_null=True)
    crowd_score = serializers.FloatField(allow_null=True)
    rating_count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    arena_rating = serializers.FloatField(allow_null=True)
    pick = PickStateSerializer()
    audio_url = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    length_s = serializers.FloatField()
    keys = serializers.ListField(child=serializers.CharField(), help_text="Camelot codes")
    tempo_min = serializers.FloatField(allow_null=True)
    tempo_max = serializers.FloatField(allow_null=True)


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    finalized_at = serializers.DateTimeField()
    finalized_by = serializers.CharField(allow_null=True, help_text="Username")
    track_count = serializers.IntegerField()
    total_s = serializers.FloatField()


class WorkspaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    target_count = serializers.IntegerField(allow_null=True)
    target_length_s = serializers.IntegerField(allow_null=True)
    crowd_weight = serializers.FloatField(help_text="1 = crowd only, 0 = picks only")
    pinned_first = serializers.IntegerField(allow_null=True, help_text="Track id")
    pinned_last = serializers.IntegerField(allow_null=True, help_text="Track id")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The public album page")
    published_version = serializers.IntegerField(allow_null=True)
    tracks = WorkingRowSerializer(many=True)
    totals = TotalsSerializer()
    transitions = TransitionSerializer(many=True)
    versions = VersionSummarySerializer(many=True)


class AlbumDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(allow_null=True, help_text="Null: not published")
    finalized_at = serializers.DateTimeField(allow_null=True)
    total_s = serializers.FloatField(allow_null=True)
    track_count = serializers.IntegerField()
    url = serializers.CharField()
    tracklist = PublicRowSerializer(many=True)
    workspace = WorkspaceSerializer(required=False, help_text="Producers only")


class VersionSerializer(serializers.Serializer):
    album_id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    finalized_at = serializers.DateTimeField()
    finalized_by = serializers.CharField(allow_null=True, help_text="Username")
    total_s = serializers.FloatField()
    track_count = serializers.IntegerField()
    tracklist = serializers.ListField(
        child=serializers.DictField(),
        help_text="Rows as stored: position, track_id, title, duration_s, key, camelot, "
        "tempo_bpm, energy, preset, seed, model_version, params, batch_id, crowd, arena",
    )
    transitions = TransitionSerializer(many=True)


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Track id")
    title = serializers.CharField()
    crowd = serializers.FloatField(help_text="0..1")
    pick = serializers.FloatField(help_text="1 shortlisted, else 0")
    score = serializers.FloatField(help_text="weight * crowd + (1 - weight) * pick")
    camelot = serializers.CharField(allow_null=True)
    tempo_bpm = serializers.FloatField(allow_null=True)
    energy = serializers.FloatField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)


class SuggestionSerializer(serializers.Serializer):
    weight = serializers.FloatField()
    count = serializers.IntegerField()
    candidates = CandidateSerializer(many=True, help_text=f"The best {CANDIDATES_SHOWN}")
    order = serializers.ListField(child=serializers.IntegerField(), help_text="Track ids")
    transitions = TransitionSerializer(many=True)
    cost = serializers.FloatField()


class SuggestionQuerySerializer(serializers.Serializer):
    weight = serializers.FloatField(
        required=False, min_value=0, max_value=1, help_text="The album's own by default"
    )
    count = serializers.IntegerField(required=False, min_value=1, max_value=100)


class AlbumCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    target_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100
    )
    target_length_s = serializers.IntegerField(
        required=False, allow_null=True, min_value=60, max_value=21600
    )


class AlbumUpdateSerializer(AlbumCreateSerializer):
    title = serializers.CharField(max_length=200, required=False)
    crowd_weight = serializers.FloatField(required=False, min_value=0, max_value=1)
    pinned_first = serializers.IntegerField(required=False, allow_null=True)
    pinned_last = serializers.IntegerField(required=False, allow_null=True)


class TracklistSerializer(serializers.Serializer):
    tracks = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=100, help_text="In order"
    )


class PickSerializer(serializers.Serializer):
    track_id = serializers.IntegerField()
    title = serializers.CharField()
    shortlisted = serializers.BooleanField()
    vetoed = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    updated_by = serializers.CharField(allow_null=True, help_text="Username")
    updated_at = serializers.DateTimeField()


class PickInputSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField(required=False, help_text="Clears a veto")
    vetoed = serializers.BooleanField(required=False, help_text="Clears the shortlist")
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=12
    )


class PickFilterSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField(required=False)
    vetoed = serializers.BooleanField(required=False)
    tag = serializers.CharField(required=False, max_length=32)


# --- input -----------------------------------------------------------------------------------

# A body field: the JSON types it takes (bool is never an int here), and whether null is allowed.
Field = tuple[tuple[type, ...], bool]
TEXT: Field = ((str,), False)
WHOLE: Field = ((int,), False)
WHOLE_OR_NULL: Field = ((int,), True)
NUMBER: Field = ((int, float), False)
FLAG: Field = ((bool,), False)
LIST: Field = ((list,), False)
KINDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
}


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(f"{field}: {message}", details={"field": field})


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and lone surrogates are not UTF-8: refuse them here
    rather than fail at the database."""
    if "\x00" in text or len(text) > MAX_TEXT:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def body_of(request: Request, fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, strictly: known fields only, each of its own JSON type."""
    data = request.data
    if not isinstance(data, dict):
        raise ApplicationError("Send a JSON object.", details={"field": "non_field_errors"})
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        raise ApplicationError(
            f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(fields)}.",
            details={"field": unknown[0], "fields": unknown},
        )
    for name, value in data.items():
        kinds, nullable = fields[name]
        if value is None:
            if not nullable:
                raise _refuse(name, "may not be null.")
            continue
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise _refuse(name, f"must be {' or '.join(KINDS[k] for k in kinds)}.")
        if isinstance(value, str) and not _storable(value):
            raise _refuse(name, f"must be text of at most {MAX_TEXT} characters, without NUL.")
        if isinstance(value, float) and not math.isfinite(value):
            raise _refuse(name, "must be a finite number.")
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
            raise _refuse(name, "is out of range.")
    return dict(data)


def _query_number(request: Request, name: str, low: float, high: float, whole: bool) -> Any:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise _refuse(name, f"must be {kind} from {low:g} to {high:g}.")
    return value


def _query_flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise _refuse(name, "must be true or false.")
    return raw.lower() == "true"


def _not_found(what: str) -> ApplicationError:
    return ApplicationError(f"There is no {what}.", code="not_found", status_code=404)


# --- output ----------------------------------------------------------------------------------


def _when(moment: Any) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment else None


def _audio_url(track_id: int) -> str:
    return reverse("curation:track-audio", args=[track_id, "mp3"])


def album_url(album_id: int) -> str:
    try:
        return reverse("curation:album", args=[album_id])
    except NoReverseMatch:  # the public album page is not wired in
        return f"/albums/{album_id}/"


def _crowd(crowd: dict[str, Any] | None) -> dict[str, Any]:
    """The crowd's figures stored at finalization, always with the same keys."""
    crowd = crowd or {}
    return {
        "rating_count": crowd.get("rating_count") or 0,
        "mean": crowd.get("mean"),
        "crowd_score": crowd.get("crowd_score"),
        "plays": crowd.get("plays") or 0,
        "unique_listeners": crowd.get("unique_listeners") or 0,
        "listen_through": crowd.get("listen_through"),
        "skip_rate": crowd.get("skip_rate"),
    }


def public_rows(version: AlbumVersion) -> list[dict[str, Any]]:
    """What listeners see of a snapshot's rows: never picks, notes or the generation recipe."""
    return [
        {
            "position": row["position"],
            "id": row["track_id"],
            "title": row["title"],
            "duration_s": row.get("duration_s"),
            "key": row.get("key"),
            "camelot": row.get("camelot"),
            "tempo_bpm": row.get("tempo_bpm"),
            "audio_url": _audio_url(row["track_id"]),
            "crowd": _crowd(row.get("crowd")),
        }
        for row in sorted(version.tracklist, key=lambda r: r["position"])
    ]


def published_json(album: Album) -> dict[str, Any]:
    """The album as published; an unpublished album (producers only) has no version yet."""
    version = album.published_version
    return {
        "id": album.pk,
        "title": version.title if version else album.title,
        "description": version.description if version else album.description,
        "version": version.number if version else None,
        "finalized_at": _when(version.finalized_at) if version else None,
        "total_s": version.total_s if version else None,
        "track_count": len(version.tracklist) if version else 0,
        "url": album_url(album.pk),
        "tracklist": public_rows(version) if version else [],
    }


def _pick_state(pick: TrackPick | None) -> dict[str, Any]:
    if pick is None:
        return {"shortlisted": False, "vetoed": False, "tags": []}
    return {"shortlisted": pick.shortlisted, "vetoed": pick.vetoed, "tags": pick.tags}


def _working_row(entry: AlbumTrack) -> dict[str, Any]:
    track = entry.track
    stats = getattr(track, "stats", None)
    arena = getattr(track, "arena", None)
    return {
        "id": track.pk,
        "position": entry.position,
        "title": track.title or f"Track {track.pk}",
        "duration_s": track.duration_s,
        "key": track.key,
        "camelot": track.camelot,
        "tempo_bpm": track.tempo_bpm,
        "energy": track.energy,
        "crowd_score": stats.crowd_score if stats else None,
        "rating_count": stats.rating_count if stats else 0,
        "mean": stats.mean if stats else None,
        "arena_rating": arena.rating if arena else None,
        "pick": _pick_state(getattr(track, "pick", None)),
        "audio_url": _audio_url(track.pk),
    }


def workspace_json(album_id: int) -> dict[str, Any]:
    album = selectors.album_get(album_id=album_id)
    if album is None:
        raise _not_found(f"album {album_id}")
    entries = selectors.album_entries(album_id=album.pk)
    versions = list(selectors.album_versions(album_id=album.pk))
    return {
        "id": album.pk,
        "title": album.title,
        "description": album.description,
        "target_count": album.target_count,
        "target_length_s": album.target_length_s,
        "crowd_weight": album.crowd_weight,
        "pinned_first": album.pinned_first_id,
        "pinned_last": album.pinned_last_id,
        "created_at": _when(album.created_at),
        "updated_at": _when(album.updated_at),
        "url": album_url(album.pk),
        "published_version": album.published_version.number if album.published_version else None,
        "tracks": [_working_row(entry) for entry in entries],
        "totals": selectors.album_totals(entries),
        "transitions": selectors.entry_transitions(entries),
        "versions": [
            {
                "number": version.number,
                "finalized_at": _when(version.finalized_at),
                "finalized_by": version.finalized_by.get_username()
                if version.finalized_by
                else None,
                "track_count": len(version.tracklist),
                "total_s": version.total_s,
            }
            for version in versions
        ],
    }


def version_json(version: AlbumVersion) -> dict[str, Any]:
    """A snapshot as producers see it: every stored row, with the generation recipe."""
    return {
        "album_id": version.album_id,
        "number": version.number,
        "title": version.title,
        "description": version.description,
        "finalized_at": _when(version.finalized_at),
        "finalized_by": version.finalized_by.get_username() if version.finalized_by else None,
        "total_s": version.total_s,
        "track_count": len(version.tracklist),
        "tracklist": version.tracklist,
        "transitions": version.transitions,
    }


def pick_json(pick: TrackPick) -> dict[str, Any]:
    return {
        "track_id": pick.track_id,
        "title": pick.track.title or f"Track {pick.track_id}",
        "shortlisted": pick.shortlisted,
        "vetoed": pick.vetoed,
        "notes": pick.notes,
        "tags": pick.tags,
        "updated_by": pick.updated_by.get_username() if pick.updated_by else None,
        "updated_at": _when(pick.updated_at),
    }


# --- albums ----------------------------------------------------------------------------------


class NewestReleaseFirst(CursorPagination):
    ordering = ("-released_at", "-id")
    page_size = NewestFirst.page_size
    page_size_query_param = NewestFirst.page_size_query_param
    max_page_size = NewestFirst.max_page_size


class ProducerWrites(APIView):
    """Reads for everyone, writes for producers; bodies are JSON only."""

    parser_classes = [JSONParser]

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
        return paginator.get_paginated_response([published_json(album) for album in page or []])

    @extend_schema(
        operation_id="albums_create",
        request=AlbumCreateSerializer,
        responses={201: WorkspaceSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = body_of(request, self.FIELDS)
        if "title" not in data:
            raise _refuse("title", "an album needs a title.")
        album = services.album_create(user=request.user, **data)
        return Response(workspace_json(album.pk), status=status.HTTP_201_CREATED)


class AlbumDetailApi(ProducerWrites):
    """GET: the published album (producers also get its working state, even unpublished).
    PATCH (producers): any of the album's details; the workspace comes back."""

    FIELDS = {
        **AlbumListApi.FIELDS,
        "crowd_weight": NUMBER,
        "pinned_first": WHOLE_OR_NULL,
        "pinned_last": WHOLE_OR_NULL,
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
            raise _not_found(f"published album {album_id}")
        body = published_json(album)
        if producer:
            body["workspace"] = workspace_json(album.pk)
        return Response(body)

    @extend_schema(
        operation_id="albums_partial_update",
        request=AlbumUpdateSerializer,
        responses={200: WorkspaceSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, album_id: int) -> Response:
        data = body_of(request, self.FIELDS)
        services.album_update(album_id=album_id, user=request.user, **data)
        return Response(workspace_json(album_id))


class AlbumWorkspaceApi(APIView):
    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_workspace_retrieve",
        responses={200: WorkspaceSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, album_id: int) -> Response:
        return Response(workspace_json(album_id))


class AlbumTracksApi(APIView):
    """PUT {"tracks": [track ids in order]}: add, remove and reorder in one call."""

    permission_classes = [IsProducer]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="albums_tracks_update",
        request=TracklistSerializer,
        responses={200: WorkspaceSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, album_id: int) -> Response:
        data = body_of(request, {"tracks": LIST})
        track_ids = data.get("tracks")
        if track_ids is None:
            raise _refuse("tracks", "a list of track ids is required.")
        if not all(
            isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= MAX_ID for t in track_ids
        ):
            raise _refuse("tracks", "must be a list of track ids.")
        services.album_tracklist_set(album_id=album_id, user=request.user, track_ids=track_ids)
        return Response(workspace_json(album_id))


class AlbumSuggestionsApi(APIView):
    """GET ?weight=0..1&count=1..100: the best tracks by crowd and picks, sequenced for flow."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_suggestions_retrieve",
        parameters=[SuggestionQuerySerializer],
        responses={200: SuggestionSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request, album_id: int) -> Response:
        weight = _query_number(request, "weight", 0.0, 1.0, whole=False)
        count = _query_number(request, "count", 1, MAX_SUGGESTION_COUNT, whole=True)
        album = selectors.album_get(album_id=album_id)
        if album is None:
            raise _not_found(f"album {album_id}")
        weight = album.crowd_weight if weight is None else weight
        count = count or album.target_count or selectors.DEFAULT_SUGGESTION_COUNT
        suggestion = selectors.album_suggest(album=album, weight=weight, count=count)
        candidates = [
            {
                "id": c.track.pk,
                "title": c.track.title or f"Track {c.track.pk}",
                "crowd": c.crowd,
                "pick": c.pick,
                "score": c.score,
                "camelot": c.track.camelot,
                "tempo_bpm": c.track.tempo_bpm,
                "energy": c.track.energy,
                "duration_s": c.track.duration_s,
            }
            for c in suggestion.candidates[:CANDIDATES_SHOWN]
        ]
        return Response(
            {
                "weight": weight,
                "count": count,
                "candidates": candidates,
                "order": suggestion.order,
                "transitions": suggestion.transitions,
                "cost": suggestion.cost,
            }
        )


class AlbumFinalizeApi(APIView):
    """POST: lock the working tracklist as the next version, and publish it."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="albums_finalize_create",
        request=None,
        responses={201: VersionSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, album_id: int) -> Response:
        version = services.album_finalize(album_id=album_id, user=request.user)
        return Response(version_json(version), status=status.HTTP_201_CREATED)


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
            raise _not_found(f"version {number} of album {album_id}")
        return Response(version_json(version))


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
            raise _refuse("tag", "must be a tag of 1 to 32 characters.")
        picks = selectors.pick_list(
            shortlisted=_query_flag(request, "shortlisted"),
            vetoed=_query_flag(request, "vetoed"),
            tag=tag.strip().lower() if tag is not None else None,
        )
        paginator = RecentPicksFirst()
        page = paginator.paginate_queryset(picks, request, view=self)
        return paginator.get_paginated_response([pick_json(pick) for pick in page or []])


class TrackPickApi(APIView):
    """PUT or PATCH any of {"shortlisted", "vetoed", "notes", "tags"}; the rest stays."""

    permission_classes = [IsProducer]
    parser_classes = [JSONParser]
    FIELDS = {"shortlisted": FLAG, "vetoed": FLAG, "notes": TEXT, "tags": LIST}

    def _update(self, request: Request, track_id: int) -> Response:
        data = body_of(request, self.FIELDS)
        pick = services.pick_update(track_id=track_id, user=request.user, **data)
        return Response(pick_json(pick))

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
