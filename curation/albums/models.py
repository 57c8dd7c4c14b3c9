"""Albums and producer picks: the producer's private side of curation.

- TrackPick: the producers' shortlist, veto, notes and tags for one track (never public).
- Album / AlbumTrack: a working tracklist that producers edit freely.
- AlbumVersion: an immutable snapshot made by finalizing; later edits make the next version.
- AlbumAudit: who did what to an album, when.
- AlbumJob: a preview mix, an export archive or a track's stems built by a Celery task, with
  its progress.

Imported by curation.models so that Django registers them under the curation app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from generation.models import Track


class TrackPick(models.Model):
    """What the producers think of a track. Shared by the producer team, hidden from listeners."""

    track = models.OneToOneField(
        Track, on_delete=models.CASCADE, primary_key=True, related_name="pick"
    )
    shortlisted = models.BooleanField(default=False)
    vetoed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Short lower-case labels")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~(Q(shortlisted=True) & Q(vetoed=True)),
                name="pick_not_shortlisted_and_vetoed",
            )
        ]

    def __str__(self) -> str:
        state = "vetoed" if self.vetoed else "shortlisted" if self.shortlisted else "noted"
        return f"Track {self.track_id}: {state}"


class Album(models.Model):
    """A producer's album in the making; published once a version has been finalized."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Concept, liner notes")
    target_count = models.PositiveSmallIntegerField(null=True, blank=True)
    target_length_s = models.PositiveIntegerField(null=True, blank=True)
    # The suggestion slider: 1 = crowd score only, 0 = producer picks only.
    crowd_weight = models.FloatField(default=0.6)
    pinned_first = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_last = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="albums"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Listeners may download the published version's export archive (once one is built).
    allow_download = models.BooleanField(default=False)
    # The latest finalized version: what the public album page and API show.
    published_version = models.ForeignKey(
        "AlbumVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_version_id is not None


class AlbumTrack(models.Model):
    """One place in an album's working tracklist."""

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="album_entries")
    position = models.PositiveIntegerField(help_text="From 1")

    class Meta:
        ordering = ["album", "position"]
        constraints = [
            models.UniqueConstraint(fields=["album", "track"], name="album_track_once"),
        ]

    def __str__(self) -> str:
        return f"{self.album_id} #{self.position}: track {self.track_id}"


class AlbumVersion(models.Model):
    """A finalized tracklist. Never changed after it is made (services only ever insert)."""

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # [{position, track_id, title, duration_s, key, camelot, tempo_bpm, energy, preset, seed,
    #   model_version, params, crowd: {...}, arena: {...} | None}], in album order.
    tracklist = models.JSONField()
    transitions = models.JSONField(default=list, help_text="Score and reason of each transition")
    total_s = models.FloatField()
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_at = models.DateTimeField()

    class Meta:
        ordering = ["album", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["album", "number"], name="one_album_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class AlbumAudit(models.Model):
    """The album's audit log: finalizations, exports and edits, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created"
        EDITED = "edited"
        FINALIZED = "finalized"
        PREVIEW = "preview"
        EXPORTED = "exported"

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="audit")
    version = models.ForeignKey(
        AlbumVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.album_id} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


def album_job_path(job: "AlbumJob", filename: str) -> str:
    folder = f"albums/{job.album_id}" if job.album_id else f"track-stems/{job.track_id}"
    return f"{folder}/{job.kind}-{job.pk}{'.' + filename.rsplit('.', 1)[-1]}"


class AlbumJob(models.Model):
    """Long work for producers (an album's preview mix or export archive, one track's stems)
    and how far it has got."""

    class Kind(models.TextChoices):
        PREVIEW = "preview"
        EXPORT = "export"
        STEMS = "stems"  # one track's stems: `track` is set and `album` is not

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    album = models.ForeignKey(
        Album, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    version = models.ForeignKey(
        AlbumVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # An export with a stem set per track (stems/ in the archive); off unless asked for.
    include_stems = models.BooleanField(default=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="0..1")
    stage = models.CharField(max_length=120, blank=True, help_text="What it is doing now")
    # The tracks (ids, in order) the job was asked for: a preview of the same list is reused.
    track_ids = models.JSONField(default=list)
    file = models.FileField(upload_to=album_job_path, max_length=255, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(album__isnull=False) | Q(track__isnull=False),
                name="album_job_has_album_or_track",
            )
        ]

    def __str__(self) -> str:
        owner = f"album {self.album_id}" if self.album_id else f"track {self.track_id}"
        return f"{self.kind} of {owner}: {self.status}"
