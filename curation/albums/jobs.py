"""Album jobs: asking for a preview mix, an export archive or a track's stems, and running
one (in a worker).

Requests create an AlbumJob row and enqueue it after commit. job_run is what the Celery task
calls: it guards on the row's state under select_for_update, so a redelivered message for a
finished job does nothing and one for a job whose worker died takes it over (and counts the
attempt). Progress is written in short transactions of their own, so a page polling the job
sees it move while the work goes on.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.albums import export, mix
from curation.albums.models import AlbumAudit, AlbumJob, AlbumVersion
from curation.albums.services import User, actor, album_lock
from generation import dispatch
from generation import stems as track_stems
from generation.models import Track

logger = logging.getLogger(__name__)

# A job whose worker keeps dying (out of memory, killed) is given up after this many tries.
MAX_ATTEMPTS = 3
# A queued or running job this old is presumed lost: asking again makes a new one.
STALE_AFTER = timedelta(minutes=30)
_ACTIVE = (AlbumJob.Status.QUEUED, AlbumJob.Status.RUNNING)


class _Superseded(Exception):
    """Another delivery of the same job took it over; this one stops quietly."""


# --- reads ---------------------------------------------------------------------------------


def job_get(*, job_id: int) -> AlbumJob | None:
    return AlbumJob.objects.select_related("version", "album", "track").filter(pk=job_id).first()


def job_stems_latest(*, track_id: int) -> AlbumJob | None:
    """The newest stems job of a track: the one its producer page shows."""
    return (
        AlbumJob.objects.filter(kind=AlbumJob.Kind.STEMS, track_id=track_id)
        .order_by("-created_at", "-id")
        .first()
    )


def job_file_exists(job: AlbumJob) -> bool:
    return bool(job.file) and job.file.storage.exists(job.file.name or "")


# --- requests ------------------------------------------------------------------------------


def _reusable(**same: Any) -> AlbumJob | None:
    """A job asked for with the same fields that is done (its file still there) or under way."""
    fresh = timezone.now() - STALE_AFTER
    candidates = AlbumJob.objects.filter(
        **same, status__in=[*_ACTIVE, AlbumJob.Status.DONE]
    ).order_by("-created_at", "-id")
    for job in candidates:
        if job.status == AlbumJob.Status.DONE and job_file_exists(job):
            return job
        if job.status in _ACTIVE and job.created_at >= fresh:
            return job
    return None


def _create(*, user: User, **fields: Any) -> AlbumJob:
    existing = _reusable(**fields)
    if existing is not None:
        return existing
    job = AlbumJob.objects.create(**fields, requested_by=actor(user), stage="Waiting for a worker")
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


@transaction.atomic
def job_request_preview(*, album_id: int, user: User) -> AlbumJob:
    """A preview mix of the album's working tracklist as it is now (or the same one again)."""
    album = album_lock(album_id)
    track_ids = list(album.entries.order_by("position").values_list("track_id", flat=True))
    if not track_ids:
        raise ApplicationError("Add tracks to the album before asking for a preview.",
                               code="empty_album")  # fmt: skip
    return _create(
        album=album, kind=AlbumJob.Kind.PREVIEW, track_ids=track_ids, version=None, user=user
    )


@transaction.atomic
def job_request_export(
    *, album_id: int, version_number: int, user: User, stems: bool = False
) -> AlbumJob:
    """An export archive of a finalized version (versions never change, so one is reused);
    with `stems`, one that also holds a stem set per track (a separate archive)."""
    album = album_lock(album_id)
    version = album.versions.filter(number=version_number).first()
    if version is None:
        if not album.versions.exists():
            raise ApplicationError("Finalize the album before exporting it.", code="not_finalized")
        raise ApplicationError(
            f"This album has no version {version_number}.", code="not_found", status_code=404
        )
    track_ids = [row["track_id"] for row in version.tracklist]
    return _create(
        album=album,
        kind=AlbumJob.Kind.EXPORT,
        track_ids=track_ids,
        version=version,
        include_stems=stems,
        user=user,
    )


@transaction.atomic
def job_request_stems(*, track_id: int, user: User) -> AlbumJob:
    """A ZIP of one track's stems (a track's MIDI never changes, so a built one is reused)."""
    # Locked so that two clicks at once make one job, not two.
    track = Track.objects.select_for_update().filter(pk=track_id).first()
    if track is None:
        raise ApplicationError("No such track.", code="not_found", status_code=404)
    if not track.midi:
        raise ApplicationError(
            "This track has no MIDI yet, so it has no stems.", code="no_midi", status_code=409
        )
    return _create(kind=AlbumJob.Kind.STEMS, track=track, track_ids=[track.pk], user=user)


BUILD_ALBUM_JOB = "curation.build_album_job"


def enqueue(job_id: int) -> None:
    """To a worker. If queueing fails the job stays queued; asking again after STALE_AFTER
    makes a new one."""
    dispatch.send(BUILD_ALBUM_JOB, {"job_id": job_id})


# --- running -------------------------------------------------------------------------------


def _job_lock(job_id: int) -> AlbumJob | None:
    """The job's row, locked until the transaction ends: one delivery at a time changes it."""
    return AlbumJob.objects.select_for_update().filter(pk=job_id).first()


def job_run(*, job_id: int) -> None:
    """Build the job's file. Safe to run again: a finished job is left as it is."""
    with transaction.atomic():
        job = _job_lock(job_id)
        if job is None or job.status not in _ACTIVE:
            return
        if job.attempts >= MAX_ATTEMPTS:
            _finish_failed(job, f"Gave up after {job.attempts} attempts.")
            return
        job.status = AlbumJob.Status.RUNNING
        job.attempts += 1
        job.progress = 0.0
        job.stage = "Starting"
        job.error = ""
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "progress", "stage", "error", "started_at"])
        attempt = job.attempts

    def progress(value: float, stage: str) -> None:
        # Its own short transaction (autocommit); matches only while this attempt owns the job.
        updated = AlbumJob.objects.filter(
            pk=job_id, status=AlbumJob.Status.RUNNING, attempts=attempt
        ).update(progress=round(min(max(value, 0.0), 0.99), 3), stage=stage[:120])
        if not updated:
            raise _Superseded

    try:
        with tempfile.TemporaryDirectory(prefix="album-job-") as tmp:
            if job.kind == AlbumJob.Kind.PREVIEW:
                path, details = _build_preview(job, Path(tmp), progress)
            elif job.kind == AlbumJob.Kind.STEMS:
                path, details = _build_stems(job, Path(tmp), progress)
            else:
                path, details = _build_export(job, Path(tmp), progress)
            progress(0.99, "Saving")
            _finish_done(job_id, attempt, path, details)
    except _Superseded:
        logger.info("album job %s was taken over by another delivery", job_id)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task retries, and the retry takes the job over
    except Exception as exc:
        logger.exception("album job %s failed", job_id)
        with transaction.atomic():
            locked = _job_lock(job_id)
            if (
                locked is not None
                and locked.status == AlbumJob.Status.RUNNING
                and locked.attempts == attempt
            ):
                _finish_failed(locked, readable(exc))


def job_mark_failed(*, job_id: int, error: str) -> None:
    """For the task when Celery itself gives up (time limit, retries exhausted)."""
    with transaction.atomic():
        job = _job_lock(job_id)
        if job is not None and job.status in _ACTIVE:
            _finish_failed(job, error)


def readable(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "SoftTimeLimitExceeded":
        return "Took too long and was stopped."
    message = str(exc).strip() or name
    plain = isinstance(exc, export.ExportError | ApplicationError)
    return message if plain else f"{name}: {message}"[:2000]


def _tracks(track_ids: list[int]) -> dict[int, Track]:
    return {
        track.pk: track
        for track in Track.objects.filter(pk__in=track_ids).only(
            "pk",
            "title",
            "status",
            "audio_mp3",
            "audio_opus",
            "midi",
            "peaks",
            "duration_s",
            "soundfont",
        )
    }


def _build_preview(job: AlbumJob, workdir: Path, progress: export.Progress) -> tuple[Path, dict]:
    tracks = _tracks(job.track_ids)
    sources = []
    for track_id in job.track_ids:
        track = tracks.get(track_id)
        if track is None or not track.audio_mp3:
            raise export.ExportError(f"Track {track_id} has no audio (it may have been deleted).")
        sources.append(Path(track.audio_mp3.path))
    progress(0.02, "Mixing the album")
    out = workdir / "preview.mp3"
    result = mix.build(
        sources, out, on_progress=lambda done: progress(0.02 + 0.95 * done, "Mixing the album")
    )
    return out, {"tracks": job.track_ids, "duration_s": result.duration_s}


def _build_export(job: AlbumJob, workdir: Path, progress: export.Progress) -> tuple[Path, dict]:
    if job.version_id is None:
        raise export.ExportError("This export job has no album version.")
    version = AlbumVersion.objects.select_related("finalized_by").get(pk=job.version_id)
    tracks = _tracks([row["track_id"] for row in version.tracklist])
    archive = export.build(
        version, tracks, workdir=workdir, progress=progress, stems=job.include_stems
    )
    return archive, {"number": version.number, "tracks": job.track_ids, "stems": job.include_stems}


def _build_stems(job: AlbumJob, workdir: Path, progress: export.Progress) -> tuple[Path, dict]:
    track = Track.objects.filter(pk=job.track_id).first() if job.track_id else None
    if track is None:
        raise export.ExportError(f"Track {job.track_id} no longer exists.")
    root = workdir / "stems"
    progress(0.02, "Rendering the parts")
    result = track_stems.track_stems_write(
        track=track,
        folder=root / stems_folder(track),
        on_progress=lambda done: progress(0.02 + 0.93 * done, "Rendering the parts"),
    )
    progress(0.96, "Packing the archive")
    archive = export.pack(root, workdir / "stems.zip")
    return archive, {"parts": len(result.stems), "sum_error": result.sum_error}


def stems_folder(track: Track) -> str:
    """The one folder in a track's stems ZIP, and the ZIP's name without `.zip`."""
    return f"{export.safe_name(track.title or f'Track {track.pk}')} stems"


def _finish_done(job_id: int, attempt: int, path: Path, details: dict) -> None:
    with transaction.atomic():
        job = _job_lock(job_id)
        if job is None or job.status != AlbumJob.Status.RUNNING or job.attempts != attempt:
            raise _Superseded
        with path.open("rb") as file:
            # The storage writes a temporary file and renames it into place.
            job.file.save(f"{job.kind}{path.suffix}", File(file), save=False)
        job.status = AlbumJob.Status.DONE
        job.progress = 1.0
        job.stage = "Done"
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "stage", "finished_at"])
        if job.album_id is None:
            return  # a track's stems: no album to audit
        AlbumAudit.objects.create(
            album_id=job.album_id,
            version_id=job.version_id,
            actor_id=job.requested_by_id,
            action=AlbumAudit.Action.PREVIEW
            if job.kind == AlbumJob.Kind.PREVIEW
            else AlbumAudit.Action.EXPORTED,
            details={"job_id": job.pk, "bytes": job.file.size, **details},
        )


def _finish_failed(job: AlbumJob, error: str) -> None:
    job.status = AlbumJob.Status.FAILED
    job.error = error
    job.stage = "Failed"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "stage", "finished_at"])
