"""Listeners, their ratings and listening events, and the per-track aggregates built from them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least

from curation import scoring
from generation.models import Track


class Listener(models.Model):
    """Anyone who listens: an anonymous browser (signed cookie) or a signed-up user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listener",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_ip = models.GenericIPAddressField(null=True, blank=True)
    # Set when a signed-up user adopted this anonymous listener's history.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # When its credited listening over all tracks reached curation.rules.PROVEN_LISTENING_S.
    # Until then its ratings are stored but left out of every figure; at that moment they
    # all count, as if given then.
    proven_at = models.DateTimeField(null=True, blank=True)
    # The listening clock over all tracks: the server time up to which their listening has
    # been credited. Listening is credited no faster than the server's clock runs, whatever
    # the number of tracks played at once (curation.services.listening).
    credited_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Listener {self.pk}" + (f" ({self.user})" if self.user_id else "")


class Rating(models.Model):
    """1 to 5 stars from one listener for one track; changing it updates the row."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="ratings")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When its stars entered the figures (trending weighs it from then): the last change, or
    # the moment its listener was proven if that came later.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "track"], name="one_rating_per_listener"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="stars_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["track", "-updated_at"], name="rating_track_recent")]

    def __str__(self) -> str:
        return f"{self.stars} stars for track {self.track_id} by listener {self.listener_id}"


class ListeningEvent(models.Model):
    """One thing the player reported: the raw record behind listen time and retention."""

    class Type(models.TextChoices):
        PLAY = "play"
        PROGRESS = "progress"
        PAUSE = "pause"
        SEEK = "seek"
        SKIP = "skip"
        COMPLETE = "complete"
        REPLAY = "replay"

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="events")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="listening_events")
    session = models.CharField(max_length=36, help_text="One page's playback of the track")
    seq = models.PositiveIntegerField(help_text="Order within the session, from the player")
    type = models.CharField(max_length=16, choices=Type.choices)
    position_s = models.FloatField()
    from_position_s = models.FloatField(null=True, blank=True, help_text="Seeks: where from")
    client_ms = models.BigIntegerField(help_text="Player clock (ms) when it happened")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A batch sent twice (a retry after a lost response) is stored once.
            models.UniqueConstraint(
                fields=["listener", "track", "session", "seq"], name="one_event_per_session_seq"
            )
        ]
        indexes = [models.Index(fields=["track", "type"], name="event_track_type")]

    def __str__(self) -> str:
        return f"{self.type} at {self.position_s:.1f} s of track {self.track_id}"


class ListenerTrack(models.Model):
    """How one listener has listened to one track, kept current as events arrive."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="track_states")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="listener_states")
    listened_s = models.FloatField(default=0.0, help_text="Sum of played intervals")
    max_position_s = models.FloatField(default=0.0)
    plays = models.PositiveIntegerField(default=0)
    completes = models.PositiveIntegerField(default=0)
    skips = models.PositiveIntegerField(default=0)
    replays = models.PositiveIntegerField(default=0)
    early_skips = models.PositiveIntegerField(
        default=0, help_text="Skips in the first 30 s, at most one per listening window"
    )
    # The server's clock, not the player's: credited listening never exceeds the time since
    # the server first saw this listener play this track, whatever the sessions.
    heard_since = models.DateTimeField(null=True, blank=True)
    # Plays, replays, skips and completes count at most once per listening window
    # (curation.rules.LISTEN_WINDOW), so a flood of events weighs as one honest listen.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_counted = models.PositiveSmallIntegerField(
        default=0, help_text="Which kinds of event this window has counted (bits)"
    )
    # Playback state of the latest session, so the next batch can close an open interval.
    session = models.CharField(max_length=36, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    playing_from_s = models.FloatField(null=True, blank=True)
    playing_since_ms = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listener", "track"], name="one_state_per_listener")
        ]

    def __str__(self) -> str:
        return f"Listener {self.listener_id} on track {self.track_id}: {self.listened_s:.0f} s"


class TrackStats(models.Model):
    """Per-track aggregates, updated in the same transaction as each rating or event."""

    track = models.OneToOneField(
        Track, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    plays = models.PositiveIntegerField(default=0)
    unique_listeners = models.PositiveIntegerField(default=0)
    listen_seconds = models.FloatField(default=0.0)
    completes = models.PositiveIntegerField(default=0)
    skips = models.PositiveIntegerField(default=0)
    replays = models.PositiveIntegerField(default=0)
    listen_through_sum = models.FloatField(
        default=0.0, help_text="Sum over listeners of the share of the track each has heard"
    )
    trend_log = models.FloatField(
        default=scoring.TREND_EMPTY, help_text="log of the time-weighted engagement (scoring)"
    )
    # Bumped on every change of the rating figures; clients drop events older than their copy.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived in the database on every write (curation.scoring has the formulas).
    mean = models.GeneratedField(
        expression=scoring.db_mean(), output_field=models.FloatField(), db_persist=True
    )
    lower_bound = models.GeneratedField(
        expression=scoring.db_lower_bound(), output_field=models.FloatField(), db_persist=True
    )
    controversy = models.GeneratedField(
        expression=scoring.db_controversy(), output_field=models.FloatField(), db_persist=True
    )
    listen_through = models.GeneratedField(
        expression=scoring.db_listen_through(), output_field=models.FloatField(), db_persist=True
    )
    skip_rate = models.GeneratedField(
        expression=scoring.db_skip_rate(), output_field=models.FloatField(), db_persist=True
    )
    crowd_score = models.GeneratedField(
        expression=scoring.db_crowd_score(), output_field=models.FloatField(), db_persist=True
    )

    class Meta:
        verbose_name_plural = "track stats"
        indexes = [
            models.Index(F("crowd_score").desc(), F("track_id").desc(), name="stats_crowd"),
            models.Index(F("trend_log").desc(), F("track_id").desc(), name="stats_trend"),
            models.Index(F("controversy").desc(), F("track_id").desc(), name="stats_controversy"),
        ]

    def __str__(self) -> str:
        return f"Stats of track {self.track_id}"

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def distribution(self) -> dict[str, int]:
        return {str(k): getattr(self, f"stars_{k}") for k in range(1, 6)}


class RefusedAttempt(models.Model):
    """Counts of refused or throttled feedback, per track, reason and day, for producers."""

    class Reason(models.TextChoices):
        NOT_LISTENED = "not_listened", "Rated before listening long enough"
        THROTTLED_LISTENER = "throttled_listener", "Too many requests from one listener"
        THROTTLED_IP = "throttled_ip", "Too many requests from one IP address"
        IDENTITY_BURST = "identity_burst", "Too many new listeners from one IP address"
        INVALID = "invalid", "Malformed request"

    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="refused_attempts"
    )
    kind = models.CharField(max_length=16, help_text="rating or events")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "kind", "reason", "day"],
                name="one_count_per_track_kind_reason_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.reason} ({self.kind}) on {self.day}"


class ArenaVote(models.Model):
    """One listener's verdict on two tracks of a batch, heard as anonymous A and B."""

    class Outcome(models.TextChoices):
        A = "a", "A is better"
        B = "b", "B is better"
        TIE = "tie", "Tie"
        BOTH_BAD = "both_bad", "Both bad"

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="arena_votes")
    track_a = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    track_b = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    # One verdict per listener per pair counts: a later one replaces it. Replaced verdicts
    # stay stored, for audit and for the anomaly test (repeating a verdict is a sign).
    replaced = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(track_a=F("track_b")), name="arena_two_different_tracks"
            ),
            models.UniqueConstraint(
                "listener",
                Least("track_a", "track_b"),
                Greatest("track_a", "track_b"),
                condition=Q(replaced=False),
                name="arena_one_verdict_per_listener_and_pair",
            ),
        ]
        indexes = [models.Index(fields=["track_a", "track_b"], name="arena_pair")]

    def __str__(self) -> str:
        return f"{self.track_a_id} vs {self.track_b_id}: {self.outcome}"


class ArenaRating(models.Model):
    """A track's Bradley-Terry rating within its batch, with its bootstrap 95% interval."""

    track = models.OneToOneField(
        Track, on_delete=models.CASCADE, primary_key=True, related_name="arena"
    )
    rating = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    votes = models.PositiveIntegerField(help_text="Votes counted (ties included, both-bad not)")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(F("rating").desc(), F("track_id").desc(), name="arena_order")]

    def __str__(self) -> str:
        return f"Arena rating of track {self.track_id}: {self.rating:.0f}"


class VoterFlag(models.Model):
    """A listener whose votes look insincere: arena verdicts the fitted model finds too
    unlikely, one pair's verdict repeated, or ratings far from the rest of the crowd's (each
    found by Fisher's method over their votes, curation.anomalies). Their votes stay stored,
    for audit, and are left out of every figure: arena fits, stars, crowd score, trending and
    listening (curation.services.flags)."""

    class Reason(models.TextChoices):
        UNLIKELY = "unlikely", "Arena verdicts the model finds too unlikely"
        REPEATS = "repeats", "The same verdict repeated on one pair"
        RATINGS = "ratings", "Ratings far from the rest of the crowd's"

    listener = models.OneToOneField(
        Listener, on_delete=models.CASCADE, primary_key=True, related_name="voter_flag"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.UNLIKELY)
    p_value = models.FloatField(help_text="Combined p-value of their votes")
    votes = models.PositiveIntegerField()
    flagged_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Listener {self.listener_id} flagged (p = {self.p_value:.2g})"


# Albums and picks live in their own module; importing them registers them with this app.
from curation.albums.models import (  # noqa: E402, F401
    Album,
    AlbumAudit,
    AlbumJob,
    AlbumTrack,
    AlbumVersion,
    TrackPick,
)
from curation.steering.models import PreferenceModel, TrackSteering  # noqa: E402, F401
