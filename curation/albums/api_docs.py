"""The album and pick API's JSON, described for OpenAPI (drf-spectacular). The views build
the JSON directly (curation.albums.api_json); tests/test_openapi.py checks real responses
against these."""

from rest_framework import serializers

CANDIDATES_SHOWN = 50
CROWD_SCORE_HELP = (
    "The track's crowd score, 0..1, as the rankings use it (an unrated track scores what an "
    "empty stats row does)"
)

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
    crowd_score = serializers.FloatField(help_text=CROWD_SCORE_HELP)
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
    matches_version = serializers.IntegerField(
        allow_null=True,
        help_text="The latest version's number while the album (title, description, tracks "
        "in order) is the same as it: finalizing now would be refused as unchanged",
    )
    allow_download = serializers.BooleanField(
        help_text="Listeners may download the published version's export archive"
    )
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
    crowd = serializers.FloatField(help_text=CROWD_SCORE_HELP)
    pick = serializers.FloatField(help_text="1 shortlisted, else 0")
    score = serializers.FloatField(
        help_text="weight * crowd + (1 - weight) * pick; at an equal score, rated tracks first"
    )
    rated = serializers.BooleanField(help_text="The crowd has rated it at least once")
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
    allow_download = serializers.BooleanField(
        required=False, help_text="Let listeners download the published version's export"
    )


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
