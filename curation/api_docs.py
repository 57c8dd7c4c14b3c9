"""Response shapes of the curation API, for its OpenAPI description (drf-spectacular).

The views build their JSON directly (the hot paths skip serializers); these serializers only
describe it, and tests/test_openapi.py checks real responses against the schema.
"""

from rest_framework import serializers

from generation.models import Track


class RatingStateSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="'1'..'5'")
    version = serializers.IntegerField(help_text="Drop live events older than this")


class AudioSerializer(serializers.Serializer):
    opus = serializers.CharField()
    mp3 = serializers.CharField()


class TrackSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    preset = serializers.CharField()
    preset_label = serializers.CharField()
    key = serializers.CharField()
    camelot = serializers.CharField()
    tempo_bpm = serializers.FloatField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    batch = serializers.IntegerField()
    url = serializers.CharField()
    audio = AudioSerializer()
    peaks_url = serializers.CharField()


class RatingFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    distribution = serializers.DictField(child=serializers.IntegerField())
    mean = serializers.FloatField(allow_null=True)
    bayesian_average = serializers.FloatField(help_text="Pseudo-votes at the site mean")
    lower_bound = serializers.FloatField(help_text="Evan Miller's bound, 1..5")


class ListeningFiguresSerializer(serializers.Serializer):
    plays = serializers.IntegerField()
    unique_listeners = serializers.IntegerField()
    listen_through = serializers.FloatField(allow_null=True, help_text="Share heard, 0..1")
    skip_rate = serializers.FloatField(allow_null=True, help_text="Skips in the first 30 s")
    replays = serializers.IntegerField()


class FiguresMixin(serializers.Serializer):
    crowd_score = serializers.FloatField(
        allow_null=True,
        help_text="0.6·(lower bound - 1)/4 + 0.25·listen-through + 0.15·(1 - skip rate); "
        "see /how-ranking-works/",
    )
    ratings = RatingFiguresSerializer()
    listening = ListeningFiguresSerializer()
    trending = serializers.FloatField(help_text="Plays + stars/2.5, halving every 24 h")
    controversy = serializers.FloatField()


class CatalogTrackSerializer(TrackSummarySerializer, FiguresMixin):
    status = serializers.ChoiceField(choices=Track.Status.values)
    published_at = serializers.DateTimeField(allow_null=True)


class TrackDetailSerializer(CatalogTrackSerializer):
    sections = serializers.ListField(child=serializers.JSONField())
    model_version = serializers.CharField()
    seed = serializers.IntegerField()


class RankedTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    preset = serializers.CharField()
    key = serializers.CharField()
    camelot = serializers.CharField()
    tempo_bpm = serializers.FloatField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    batch = serializers.IntegerField()
    published_at = serializers.CharField(allow_null=True)
    url = serializers.CharField()
    audio_mp3 = serializers.CharField()
    audio_opus = serializers.CharField()


class RankingEntrySerializer(FiguresMixin):
    track = RankedTrackSerializer()


class RankingPageSerializer(serializers.Serializer):
    sort = serializers.CharField()
    window = serializers.CharField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RankingEntrySerializer(many=True)


class ListeningEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["play", "progress", "pause", "seek", "skip", "complete", "replay"]
    )
    position = serializers.FloatField(min_value=0, help_text="Seconds into the track")
    from_position = serializers.FloatField(min_value=0, required=False, help_text="Seeks")
    seq = serializers.IntegerField(min_value=1, help_text="Increasing within the session")
    t = serializers.IntegerField(help_text="Player clock, ms")


class ListeningBatchSerializer(serializers.Serializer):
    track = serializers.IntegerField()
    session = serializers.CharField(max_length=36)
    events = ListeningEventSerializer(many=True)


class ListeningResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    listened_s = serializers.FloatField()
    required_s = serializers.FloatField()
    can_rate = serializers.BooleanField()


class LiveTrackSerializer(TrackSummarySerializer):
    rating = RatingStateSerializer(required=False)


class LiveStateSerializer(serializers.Serializer):
    tracks = serializers.DictField(child=RatingStateSerializer())
    top = LiveTrackSerializer(many=True, required=False)
    new = TrackSummarySerializer(many=True, required=False)
