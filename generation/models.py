"""Batches of generated tracks, the tracks themselves, and nightly batch schedules."""

from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .composer import PRESETS
from .templatetags.formats import duration

# The share of a steered batch composed as an unsteered one is, unless its launcher says.
EXPLORATION = 0.2

MIXED_PRESETS = "A mix of presets"  # what a blank preset means at launch and on a schedule


def preset_label(name: str | None) -> str:
    """A preset by its display name ("irish_jig" -> "Irish jig"); blank is a mix of presets,
    and a name no longer known is shown as it is."""
    if not name:
        return MIXED_PRESETS
    preset = PRESETS.get(name)
    return preset.label if preset is not None else name


class GenerationBatch(models.Model):
    """N tracks launched together, by a producer, a command or a schedule."""

    class Source(models.TextChoices):
        ADMIN = "admin", "Django admin"
        COMMAND = "command", "Management command"
        API = "api", "API"
        DASHBOARD = "dashboard", "Dashboard"  # the producer dashboard's launch form
        SCHEDULE = "schedule", "Schedule"
        REMIX = "remix", "Remix"

    source = models.CharField(max_length=16, choices=Source.choices)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    schedule = models.ForeignKey(
        "BatchSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    # The schedule's fire time this batch belongs to: beat can fire one entry twice.
    schedule_slot = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField()
    params = models.JSONField(default=dict, help_text="Launch parameters (preset, seed, ...)")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set for a remix: variations of this track (same seed family, some parameters changed).
    remix_of = models.ForeignKey(
        "Track", null=True, blank=True, on_delete=models.SET_NULL, related_name="remix_batches"
    )
    # Set for a duel: pairs of tracks with the same parameters and seed, one composed by each
    # version (positions 2k and 2k + 1), for the arena to compare (generation.duels).
    duel_candidate = models.ForeignKey(
        "ComposerVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duels_as_candidate",
    )
    duel_incumbent = models.ForeignKey(
        "ComposerVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duels_as_incumbent",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "schedule_slot"],
                condition=Q(schedule__isnull=False),
                name="one_batch_per_schedule_slot",
            )
        ]

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.count} tracks)"


def track_file_path(track: "Track", filename: str) -> str:
    """Fixed names per track, so a retried task replaces its own files instead of adding more."""
    return f"tracks/{track.batch_id}/{track.pk}{Path(filename).suffix}"


class Track(models.Model):
    """One generated piece: its parameters, MIDI, audio, analysis and quality metrics."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        COMPOSING = "composing"
        RENDERING = "rendering"
        READY = "ready"
        REJECTED = "rejected"
        FAILED = "failed"

    TERMINAL = (Status.READY, Status.REJECTED, Status.FAILED)

    batch = models.ForeignKey(GenerationBatch, on_delete=models.CASCADE, related_name="tracks")
    position = models.PositiveIntegerField(help_text="Index within the batch, from 0")
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(blank=True)
    # Counted on the row because a task that keeps killing its worker is requeued forever.
    attempts = models.PositiveSmallIntegerField(default=0)

    # Provenance: with the same model version, seed and params the MIDI is identical.
    preset = models.CharField(max_length=32)
    seed = models.BigIntegerField()
    params = models.JSONField(default=dict, help_text="Parameters asked for at launch")
    resolved_params = models.JSONField(
        default=dict, blank=True, help_text="Every parameter the composer used, defaults included"
    )
    model_version = models.CharField(
        max_length=64, blank=True, help_text="The composer version that composed it"
    )
    composer_version = models.CharField(
        max_length=64,
        blank=True,
        help_text="The composer version asked for at launch (a duel's); blank: the current one",
    )
    soundfont = models.CharField(
        max_length=100,
        blank=True,
        help_text="File name of the soundfont the audio was rendered with",
    )

    midi = models.FileField(upload_to=track_file_path, max_length=255, blank=True)
    audio_opus = models.FileField(upload_to=track_file_path, max_length=255, blank=True)
    audio_mp3 = models.FileField(upload_to=track_file_path, max_length=255, blank=True)

    # Analysis of the rendered piece.
    duration_s = models.FloatField(null=True, blank=True)
    key = models.CharField(max_length=16, blank=True, help_text="e.g. 'A minor'")
    camelot = models.CharField(max_length=3, blank=True, help_text="Camelot wheel code, e.g. 8A")
    tempo_bpm = models.FloatField(null=True, blank=True)
    energy = models.FloatField(null=True, blank=True, help_text="0..1")
    loudness_lufs = models.FloatField(null=True, blank=True)
    peak_dbfs = models.FloatField(null=True, blank=True)
    peaks = models.JSONField(default=list, blank=True, help_text="Waveform peaks, 0..1")
    sections = models.JSONField(default=list, blank=True, help_text="Form: label, start, end")

    # Quality gate, against the training corpus.
    metrics = models.JSONField(default=dict, blank=True)
    rejection_reasons = models.JSONField(default=list, blank=True)
    # A steered slot's candidates (generation.rerank): which was rendered, each one's seed,
    # predicted crowd score and gate verdict. Empty when the track was composed alone.
    candidates = models.JSONField(
        default=dict, blank=True, help_text="Reranked candidates: chosen, rank, each one's score"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="one_track_per_batch_slot")
        ]
        indexes = [models.Index(fields=["status", "-finished_at"], name="track_status_finished")]

    def __str__(self) -> str:
        return self.title or f"Track {self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def duration_label(self) -> str:
        return duration(self.duration_s)  # the site's one rule for lengths

    def get_preset_label(self) -> str:
        return preset_label(self.preset)


class BatchSchedule(models.Model):
    """A recurring batch ("every night, 20 tracks, preset X"), run by django-celery-beat."""

    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    count = models.PositiveIntegerField(default=20)
    preset = models.CharField(max_length=32, blank=True, help_text="Blank: a mix of presets")
    temperature = models.FloatField(default=1.0)
    steer = models.BooleanField(
        "steer by the crowd's taste",
        default=False,
        help_text="Draw each track's parameters from the crowd's preference model; "
        "the preset and temperature above are pinned",
    )
    exploration = models.FloatField(
        default=EXPLORATION,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="When steered: the share of tracks composed as an unsteered batch (0 to 1)",
    )
    # Crontab fields, in the schedule's time zone (CELERY_TIMEZONE).
    minute = models.CharField(max_length=64, default="0")
    hour = models.CharField(max_length=64, default="3")
    day_of_week = models.CharField(max_length=64, default="*")
    day_of_month = models.CharField(max_length=64, default="*")
    month_of_year = models.CharField(max_length=64, default="*")
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batch_schedule",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_preset_label(self) -> str:
        return preset_label(self.preset)

    @property
    def crontab_text(self) -> str:
        return " ".join(
            [self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week]
        )


class ComposerVersion(models.Model):
    """A composer model version: its artifact, what it was trained on, and its standing.

    The "current" pointer file in COMPOSER_MODEL_DIR says which version composes; these rows
    mirror it (generation.versions keeps them in step and records who moved it, when, how).
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        CURRENT = "current", "Current"
        RETIRED = "retired", "Retired"

    class How(models.TextChoices):
        TRAINED = "trained", "Trained on the corpus"  # train_composer: current from the start
        ARENA = "arena", "Won its arena duel"
        HAND = "hand", "Promoted by hand"
        ROLLBACK = "rollback", "Rolled back to"

    version = models.CharField(
        max_length=64, unique=True, help_text="Content hash of the artifact (Track.model_version)"
    )
    artifact = models.CharField(max_length=100, help_text="File name in COMPOSER_MODEL_DIR")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The version that was current when this one was trained",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    training = models.JSONField(
        default=dict,
        help_text="What it learnt from: corpus collections, limit and pieces; the tuned tracks "
        "and their weights; seconds",
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted_how = models.CharField(max_length=16, choices=How.choices, blank=True)
    replaced = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version current before this one was promoted: where a rollback goes",
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="current"), name="one_current_composer"
            )
        ]

    def __str__(self) -> str:
        return f"Composer {self.version} ({self.status})"
