"""The listening side's JSON: one output serializer per shape, which both builds it (compiled
by albumvote.builders: these run on the hottest paths) and documents it (drf-spectacular).

A track (its summary, its figures, as the catalogue and the rankings feed list it), its
rating state and a listener's own view of it, and the live state pages start from.
"""

import functools
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from albumvote.builders import build
from curation.models import TrackStats
from curation.rules import PROVEN_LISTENING_S
from generation.models import Track

# --- fields ----------------------------------------------------------------------------------


@functools.cache
def _url_pattern(name: str, extra: tuple[str, ...]) -> str:
    # reverse() costs ~20 µs; a page of 100 entries needs 300 URLs, so resolve once and fill in.
    return reverse(name, args=[987654321, *extra]).replace("987654321", "{}")


class Route(serializers.CharField):
    """The path of a page or file of the track whose id it is given: Route(name, *extra)
    reverses the URL name with the id and the extra arguments."""

    def __init__(self, name: str, *extra: str, **kwargs: Any) -> None:
        self.route = (name, extra)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return _url_pattern(*self.route).format(value)


class Rounded(serializers.FloatField):
    """A number to `places` decimals."""

    def __init__(self, places: int, **kwargs: Any) -> None:
        self.places = places
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> float:  # type: ignore[override]  # stubs say str
        return round(value, self.places)


class Moment(serializers.DateTimeField):
    """UTC to the microsecond, always six digits (the rankings feed's form)."""

    def to_representation(self, value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- a track ---------------------------------------------------------------------------------


class TrackAudioSerializer(serializers.Serializer):
    # From a track id.
    opus = Route("curation:track-audio", "opus", source="*")
    mp3 = Route("curation:track-audio", "mp3", source="*")


class TrackSummarySerializer(serializers.Serializer):
    # From a Track.
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    preset = serializers.CharField()
    preset_label = serializers.SerializerMethodField()
    key = serializers.CharField()
    camelot = serializers.CharField()
    tempo_bpm = serializers.FloatField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    batch = serializers.IntegerField(source="batch_id")
    url = Route("curation:track", source="pk")
    audio = TrackAudioSerializer(source="pk")
    peaks_url = Route("curation:track-peaks", source="pk")

    @extend_schema_field(serializers.CharField())
    def get_preset_label(self, track: Track) -> str:
        return track.get_preset_label()


# --- rating state: what the live events carry, also served over HTTP -------------------------


class RatingStateSerializer(serializers.Serializer):
    # From a TrackStats.
    count = serializers.IntegerField(source="rating_count")
    average = Rounded(3, allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="'1'..'5'")
    version = serializers.IntegerField(help_text="Drop live events older than this")


def stats_or_empty(stats: TrackStats | None) -> TrackStats:
    """A track nobody has rated or played yet has no stats row: it shows an empty one's."""
    return TrackStats() if stats is None else stats


def rating_state(stats: TrackStats | None) -> dict[str, Any]:
    return build(RatingStateSerializer, stats_or_empty(stats))


class LiveTrackSerializer(TrackSummarySerializer):
    # From a Track, its stats joined in (a top list's entry).
    rating = serializers.SerializerMethodField()

    @extend_schema_field(RatingStateSerializer)
    def get_rating(self, track: Track) -> dict[str, Any]:
        return rating_state(getattr(track, "stats", None))


class LiveStateSerializer(serializers.Serializer):
    # From {"tracks": {id: TrackStats}, "top": [Track], "new": [Track]}, as asked for.
    tracks = serializers.DictField(child=RatingStateSerializer())
    top = LiveTrackSerializer(many=True, required=False)
    new = TrackSummarySerializer(many=True, required=False)


# --- a rating, and a listener's own view of a track -------------------------------------------


class StarsSerializer(serializers.Serializer):
    """The body of a rating (documents it; ratings.rating_submit checks it)."""

    stars = serializers.IntegerField(min_value=1, max_value=5)


COUNTED_HELP = (
    "Whether my rating counts in the crowd's figures. A new listener's ratings are kept but "
    f"count only once they have listened for {PROVEN_LISTENING_S / 60:g} minutes in all, "
    "as the server counts it (see /how-ranking-works/); then they all count."
)


class MineSerializer(serializers.Serializer):
    stars = serializers.IntegerField(allow_null=True, help_text="Mine, if I rated it")
    counted = serializers.BooleanField(help_text=COUNTED_HELP)
    listened_s = Rounded(1, help_text="How long I have listened, as the server counts it")
    required_s = Rounded(1, help_text="How long I must listen before I may rate")
    can_rate = serializers.BooleanField()


class RatingChangeSerializer(serializers.Serializer):
    track = serializers.IntegerField()
    stars = serializers.IntegerField(allow_null=True, help_text="Null once withdrawn")
    counted = serializers.BooleanField(help_text=COUNTED_HELP + " False once withdrawn.")
    rating = RatingStateSerializer()


class MyRatingSerializer(serializers.Serializer):
    track = serializers.IntegerField()
    rating = RatingStateSerializer()
    mine = MineSerializer()


class ListeningResultSerializer(serializers.Serializer):
    # From a listening.ListeningResult.
    accepted = serializers.IntegerField()
    listened_s = serializers.FloatField()
    required_s = Rounded(1)
    can_rate = serializers.BooleanField()


# --- a track's figures, as the catalogue and the rankings feed list them ----------------------


class RatingFiguresSerializer(serializers.Serializer):
    # From a verdict.Figures.
    count = serializers.IntegerField(source="stats.rating_count")
    distribution = serializers.DictField(child=serializers.IntegerField())
    mean = serializers.FloatField(source="stats.mean", allow_null=True)
    bayesian_average = serializers.FloatField(help_text="Pseudo-votes at the site mean")
    lower_bound = serializers.FloatField(
        source="stats.lower_bound", help_text="Evan Miller's bound, 1..5"
    )


class ListeningFiguresSerializer(serializers.Serializer):
    # From stats columns.
    plays = serializers.IntegerField()
    unique_listeners = serializers.IntegerField()
    listen_through = serializers.FloatField(allow_null=True, help_text="Share heard, 0..1")
    skip_rate = serializers.FloatField(allow_null=True, help_text="Skips in the first 30 s")
    replays = serializers.IntegerField()


class FiguresFields(serializers.Serializer):
    """A track's figures, beside its other fields: from anything with a `figures`
    (verdict.figures)."""

    crowd_score = serializers.FloatField(
        source="figures.stats.crowd_score",
        allow_null=True,
        help_text="0.6·(lower bound - 1)/4 + 0.25·listen-through + 0.15·(1 - skip rate); "
        "see /how-ranking-works/",
    )
    ratings = RatingFiguresSerializer(source="figures")
    listening = ListeningFiguresSerializer(source="figures.stats")
    trending = serializers.FloatField(
        source="figures.trending", help_text="Plays + stars/2.5, halving every 24 h"
    )
    controversy = serializers.FloatField(source="figures.stats.controversy")


class PublishedTrackSerializer(TrackSummarySerializer):
    status = serializers.ChoiceField(choices=Track.Status.values)
    published_at = serializers.DateTimeField(source="finished_at", allow_null=True)


class CatalogTrackSerializer(PublishedTrackSerializer, FiguresFields):
    # From a Track with its `figures`.
    pass


class TrackDetailSerializer(CatalogTrackSerializer):
    sections = serializers.ListField(child=serializers.JSONField())
    model_version = serializers.CharField()
    seed = serializers.IntegerField()


class RankedTrackSerializer(serializers.Serializer):
    # From a rankings feed row (curation.ranking.selectors.Row).
    id = serializers.IntegerField(source="track_id")
    title = serializers.CharField(source="track_title")
    preset = serializers.CharField(source="track_preset")
    key = serializers.CharField(source="track_key")
    camelot = serializers.CharField(source="track_camelot")
    tempo_bpm = serializers.FloatField(source="track_tempo_bpm", allow_null=True)
    duration_s = serializers.FloatField(source="track_duration_s", allow_null=True)
    batch = serializers.IntegerField(source="track_batch_id")
    published_at = Moment(source="track_finished_at", allow_null=True)
    url = Route("curation:track", source="track_id")
    audio_mp3 = Route("curation:track-audio", "mp3", source="track_id")
    audio_opus = Route("curation:track-audio", "opus", source="track_id")


class RankedSerializer(serializers.Serializer):
    track = RankedTrackSerializer()


class RankingEntrySerializer(RankedSerializer, FiguresFields):
    # From a curation.ranking.selectors.Entry.
    pass


class RankingPageSerializer(serializers.Serializer):
    sort = serializers.CharField()
    window = serializers.CharField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RankingEntrySerializer(many=True)
