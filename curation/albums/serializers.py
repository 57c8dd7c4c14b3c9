"""The album and pick API's JSON: one output serializer per shape, which both builds it
(albumvote.builders) and documents it (drf-spectacular).

Listeners see published versions only (PublishedAlbumSerializer: never picks, notes or the
generation recipe); producers also see the working album (WorkspaceSerializer), versions as
stored, suggestions and picks.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from albumvote.builders import build, build_many
from curation.albums import selectors
from curation.albums.api_input import not_found
from curation.albums.models import Album, AlbumTrack, AlbumVersion, TrackPick
from curation.serializers import Route
from generation.models import Track

CANDIDATES_SHOWN = 50
CROWD_SCORE_HELP = (
    "The track's crowd score, 0..1, as the rankings use it (an unrated track scores what an "
    "empty stats row does)"
)


def album_url(album_id: int) -> str:
    return reverse("curation:album", args=[album_id])


def track_title(track: Track) -> str:
    return track.title or f"Track {track.pk}"


class AlbumPage(serializers.CharField):
    """The public page of the album whose id it is given."""

    def to_representation(self, value: Any) -> str:
        return album_url(value)


def _track_audio() -> Route:
    return Route("curation:track-audio", "mp3", source="track_id")


# Built with type(): a transition's "from" cannot be a class attribute's name.
TransitionSerializer: type[serializers.Serializer] = type(
    "AlbumTransitionSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "From a transition as selectors and versions hold it.",
        "from": serializers.IntegerField(help_text="Track id"),
        "to": serializers.IntegerField(help_text="Track id"),
        "cost": serializers.FloatField(help_text="Lower is smoother"),
        "why": serializers.CharField(),
    },
)


# --- what listeners see ----------------------------------------------------------------------


class CrowdSerializer(serializers.Serializer):
    # From the crowd's figures a version stored (older rows hold fewer of them).
    rating_count = serializers.IntegerField(read_only=True, default=0)
    mean = serializers.FloatField(allow_null=True)
    crowd_score = serializers.FloatField(allow_null=True)
    plays = serializers.IntegerField(read_only=True, default=0)
    unique_listeners = serializers.IntegerField(read_only=True, default=0)
    listen_through = serializers.FloatField(allow_null=True)
    skip_rate = serializers.FloatField(allow_null=True)


class PublicRowSerializer(serializers.Serializer):
    # From a row of a version's tracklist, as stored.
    position = serializers.IntegerField()
    id = serializers.IntegerField(source="track_id", help_text="Track id")
    title = serializers.CharField()
    duration_s = serializers.FloatField(allow_null=True)
    key = serializers.CharField(allow_null=True)
    camelot = serializers.CharField(allow_null=True)
    tempo_bpm = serializers.FloatField(allow_null=True)
    audio_url = _track_audio()
    crowd = serializers.SerializerMethodField(
        help_text="The crowd's figures when the album was finalized"
    )

    @extend_schema_field(CrowdSerializer)
    def get_crowd(self, row: dict[str, Any]) -> dict[str, Any]:
        return build(CrowdSerializer, row.get("crowd") or {})


class PublishedAlbumSerializer(serializers.Serializer):
    # From an Album with its published version (producers also see unpublished albums:
    # no version yet, the album's own title and description).
    id = serializers.IntegerField(source="pk")
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        source="published_version.number",
        allow_null=True,
        help_text="The published version's number (null: not published)",
    )
    finalized_at = serializers.DateTimeField(
        source="published_version.finalized_at", allow_null=True
    )
    total_s = serializers.FloatField(source="published_version.total_s", allow_null=True)
    track_count = serializers.SerializerMethodField()
    url = AlbumPage(source="pk", help_text="The public album page")
    tracklist = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_title(self, album: Album) -> str:
        version = album.published_version
        return version.title if version else album.title

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_description(self, album: Album) -> str:
        version = album.published_version
        return version.description if version else album.description

    @extend_schema_field(serializers.IntegerField())
    def get_track_count(self, album: Album) -> int:
        version = album.published_version
        return len(version.tracklist) if version else 0

    @extend_schema_field(PublicRowSerializer(many=True))
    def get_tracklist(self, album: Album) -> list[dict[str, Any]]:
        """What listeners see of a snapshot's rows: never picks, notes or the recipe."""
        version = album.published_version
        rows = sorted(version.tracklist, key=lambda r: r["position"]) if version else []
        return build_many(PublicRowSerializer, rows)


# --- the album in the making (producers) ------------------------------------------------------


class PickStateSerializer(serializers.Serializer):
    # From a TrackPick.
    shortlisted = serializers.BooleanField()
    vetoed = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())


class WorkingRowSerializer(serializers.Serializer):
    # From an AlbumTrack of selectors.album_entries.
    id = serializers.IntegerField(source="track_id", help_text="Track id")
    position = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    duration_s = serializers.FloatField(source="track.duration_s", allow_null=True)
    key = serializers.CharField(source="track.key", allow_null=True)
    camelot = serializers.CharField(source="track.camelot", allow_null=True)
    tempo_bpm = serializers.FloatField(source="track.tempo_bpm", allow_null=True)
    energy = serializers.FloatField(source="track.energy", allow_null=True)
    crowd_score = serializers.SerializerMethodField(help_text=CROWD_SCORE_HELP)
    rating_count = serializers.SerializerMethodField()
    mean = serializers.FloatField(source="track.stats.mean", allow_null=True)
    arena_rating = serializers.FloatField(source="track.arena.rating", allow_null=True)
    pick = serializers.SerializerMethodField()
    audio_url = _track_audio()

    @extend_schema_field(serializers.CharField())
    def get_title(self, entry: AlbumTrack) -> str:
        return track_title(entry.track)

    @extend_schema_field(serializers.FloatField())
    def get_crowd_score(self, entry: AlbumTrack) -> float:
        return selectors.crowd_score(entry.track)

    @extend_schema_field(serializers.IntegerField())
    def get_rating_count(self, entry: AlbumTrack) -> int:
        stats = getattr(entry.track, "stats", None)
        return stats.rating_count if stats else 0

    @extend_schema_field(PickStateSerializer)
    def get_pick(self, entry: AlbumTrack) -> dict[str, Any]:
        # A track nobody has picked shows as an unsaved, empty pick.
        return build(PickStateSerializer, getattr(entry.track, "pick", None) or TrackPick())


class TotalsSerializer(serializers.Serializer):
    # From selectors.album_totals.
    count = serializers.IntegerField()
    length_s = serializers.FloatField()
    keys = serializers.ListField(child=serializers.CharField(), help_text="Camelot codes")
    tempo_min = serializers.FloatField(allow_null=True)
    tempo_max = serializers.FloatField(allow_null=True)


class VersionSummarySerializer(serializers.Serializer):
    # From an AlbumVersion.
    number = serializers.IntegerField()
    finalized_at = serializers.DateTimeField()
    finalized_by = serializers.CharField(
        source="finalized_by.username", allow_null=True, help_text="Username"
    )
    track_count = serializers.SerializerMethodField()
    total_s = serializers.FloatField()

    @extend_schema_field(serializers.IntegerField())
    def get_track_count(self, version: AlbumVersion) -> int:
        return len(version.tracklist)


@dataclass(frozen=True)
class Workspace:
    """What the workspace JSON is made of."""

    album: Album
    entries: list[AlbumTrack]
    versions: list[AlbumVersion]  # the latest first
    matches_version: int | None
    totals: dict[str, Any]
    transitions: list[dict[str, Any]]


def album_workspace(album_id: int) -> Workspace:
    album = selectors.album_get(album_id=album_id)
    if album is None:
        raise not_found(f"album {album_id}")
    entries = selectors.album_entries(album_id=album.pk)
    versions = list(selectors.album_versions(album_id=album.pk))
    held = bool(versions) and selectors.version_holds(
        versions[0],
        title=album.title,
        description=album.description,
        track_ids=[entry.track_id for entry in entries],
    )
    return Workspace(
        album,
        entries,
        versions,
        versions[0].number if held else None,
        selectors.album_totals(entries),
        selectors.entry_transitions(entries),
    )


class WorkspaceSerializer(serializers.Serializer):
    # From a Workspace.
    id = serializers.IntegerField(source="album.pk")
    title = serializers.CharField(source="album.title")
    description = serializers.CharField(source="album.description", allow_blank=True)
    target_count = serializers.IntegerField(source="album.target_count", allow_null=True)
    target_length_s = serializers.IntegerField(source="album.target_length_s", allow_null=True)
    crowd_weight = serializers.FloatField(
        source="album.crowd_weight", help_text="1 = crowd only, 0 = picks only"
    )
    pinned_first = serializers.IntegerField(
        source="album.pinned_first_id", allow_null=True, help_text="Track id"
    )
    pinned_last = serializers.IntegerField(
        source="album.pinned_last_id", allow_null=True, help_text="Track id"
    )
    created_at = serializers.DateTimeField(source="album.created_at")
    updated_at = serializers.DateTimeField(source="album.updated_at")
    url = AlbumPage(source="album.pk", help_text="The public album page")
    published_version = serializers.IntegerField(
        source="album.published_version.number", allow_null=True
    )
    matches_version = serializers.IntegerField(
        allow_null=True,
        help_text="The latest version's number while the album (title, description, tracks "
        "in order) is the same as it: finalizing now would be refused as unchanged",
    )
    allow_download = serializers.BooleanField(
        source="album.allow_download",
        help_text="Listeners may download the published version's export archive",
    )
    tracks = WorkingRowSerializer(source="entries", many=True)
    totals = TotalsSerializer()
    transitions = TransitionSerializer(many=True)
    versions = VersionSummarySerializer(many=True)


class AlbumDetailSerializer(PublishedAlbumSerializer):
    # From an Album; for producers, with its `workspace` (a Workspace).
    workspace = WorkspaceSerializer(required=False, help_text="Producers only")


class VersionSerializer(serializers.Serializer):
    # From an AlbumVersion: a snapshot as producers see it, every row as stored.
    album_id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    finalized_at = serializers.DateTimeField()
    finalized_by = serializers.CharField(
        source="finalized_by.username", allow_null=True, help_text="Username"
    )
    total_s = serializers.FloatField()
    track_count = serializers.SerializerMethodField()
    tracklist = serializers.ListField(
        child=serializers.DictField(),
        help_text="Rows as stored: position, track_id, title, duration_s, key, camelot, "
        "tempo_bpm, energy, preset, seed, model_version, params, batch_id, crowd, arena",
    )
    transitions = TransitionSerializer(many=True)

    @extend_schema_field(serializers.IntegerField())
    def get_track_count(self, version: AlbumVersion) -> int:
        return len(version.tracklist)


# --- suggestions and picks (producers) --------------------------------------------------------


class CandidateSerializer(serializers.Serializer):
    # From a selectors.Candidate.
    id = serializers.IntegerField(source="track.pk", help_text="Track id")
    title = serializers.SerializerMethodField()
    crowd = serializers.FloatField(help_text=CROWD_SCORE_HELP)
    pick = serializers.FloatField(help_text="1 shortlisted, else 0")
    score = serializers.FloatField(
        help_text="weight * crowd + (1 - weight) * pick; at an equal score, rated tracks first"
    )
    rated = serializers.BooleanField(help_text="The crowd has rated it at least once")
    camelot = serializers.CharField(source="track.camelot", allow_null=True)
    tempo_bpm = serializers.FloatField(source="track.tempo_bpm", allow_null=True)
    energy = serializers.FloatField(source="track.energy", allow_null=True)
    duration_s = serializers.FloatField(source="track.duration_s", allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_title(self, candidate: selectors.Candidate) -> str:
        return track_title(candidate.track)


class SuggestionSerializer(serializers.Serializer):
    # From {"weight", "count", "suggestion": a selectors.Suggestion}.
    weight = serializers.FloatField()
    count = serializers.IntegerField()
    candidates = serializers.SerializerMethodField()
    order = serializers.ListField(
        source="suggestion.order", child=serializers.IntegerField(), help_text="Track ids"
    )
    transitions = TransitionSerializer(source="suggestion.transitions", many=True)
    cost = serializers.FloatField(source="suggestion.cost")

    @extend_schema_field(CandidateSerializer(many=True, help_text=f"The best {CANDIDATES_SHOWN}"))
    def get_candidates(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        shown = data["suggestion"].candidates[:CANDIDATES_SHOWN]
        return build_many(CandidateSerializer, shown)


class PickSerializer(serializers.Serializer):
    # From a TrackPick, its track and who changed it last joined in.
    track_id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    shortlisted = serializers.BooleanField()
    vetoed = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    updated_by = serializers.CharField(
        source="updated_by.username", allow_null=True, help_text="Username"
    )
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_title(self, pick: TrackPick) -> str:
        return track_title(pick.track)
