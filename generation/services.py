"""Writes for generation: launching batches and taking one track from queued to a final status."""

import logging
import random
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from albumvote.exceptions import ApplicationError

from . import composer, dispatch, events, rerank, signals
from .models import BatchSchedule, GenerationBatch, Track
from .music import model_get

logger = logging.getLogger(__name__)

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class BatchParams:
    """What a launcher may choose; the rest is decided per track from the seed."""

    count: int
    preset: str | None = None
    seed: int | None = None
    temperature: float = 1.0
    tempo_bpm: float | None = None
    mode: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "seed": self.seed,
            "temperature": self.temperature,
            "tempo_bpm": self.tempo_bpm,
            "mode": self.mode,
        }


def batch_params_validate(raw: dict[str, Any]) -> BatchParams:
    """Check launch parameters; bad ones raise ApplicationError naming the field."""
    allowed = {"count", "preset", "seed", "temperature", "tempo_bpm", "mode"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ApplicationError(
            f"Unknown parameter(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}.",
            details={"fields": unknown},
        )
    count = raw.get("count")
    limit = settings.GENERATION_MAX_BATCH_SIZE
    if isinstance(count, bool) or not isinstance(count, int):
        raise ApplicationError("count must be a whole number.", details={"field": "count"})
    if not 1 <= count <= limit:
        raise ApplicationError(
            f"count must be between 1 and {limit}, got {count}.", details={"field": "count"}
        )
    seed = raw.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED
    ):
        raise ApplicationError(
            f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}.",
            details={"field": "seed"},
        )
    params = BatchParams(
        count=count,
        preset=raw.get("preset") or None,
        seed=seed,
        temperature=raw.get("temperature", 1.0),
        tempo_bpm=raw.get("tempo_bpm"),
        mode=raw.get("mode") or None,
    )
    # The composer owns the rules for musical parameters; check one track's worth now,
    # so a bad preset fails the launch instead of every track.
    try:
        composer.params_from_dict(_track_compose_params(params, position=0, base_seed=0))
    except composer.ComposerParamError as exc:
        raise ApplicationError(str(exc), details={"field": exc.field}) from exc
    return params


def batch_launch(
    *,
    params: BatchParams,
    source: str,
    launched_by: AbstractBaseUser | AnonymousUser | None = None,
    schedule: BatchSchedule | None = None,
    schedule_slot: datetime | None = None,
) -> GenerationBatch:
    """Create a batch and its queued tracks, then fan out one task per track after commit."""
    base_seed = batch_seed(params)
    return batch_create(
        source=source,
        batch_params={**params.as_json(), "seed": base_seed},
        track_params=batch_track_params(params, base_seed=base_seed),
        launched_by=launched_by,
        schedule=schedule,
        schedule_slot=schedule_slot,
    )


def batch_seed(params: BatchParams) -> int:
    """The batch's base seed: the one asked for, or a fresh one."""
    return params.seed if params.seed is not None else random.SystemRandom().randrange(MAX_SEED)


def batch_track_params(params: BatchParams, *, base_seed: int) -> list[dict[str, Any]]:
    """Each track's compose parameters, as an unsteered batch composes them."""
    return [
        _track_compose_params(params, position=position, base_seed=base_seed)
        for position in range(params.count)
    ]


def batch_create(
    *,
    source: str,
    batch_params: dict[str, Any],
    track_params: list[dict[str, Any]],
    launched_by: AbstractBaseUser | AnonymousUser | None = None,
    schedule: BatchSchedule | None = None,
    schedule_slot: datetime | None = None,
    remix_of: Track | None = None,
    composer_versions: list[str] | None = None,
) -> GenerationBatch:
    """A batch with one queued track per compose-params dict, dispatched after commit;
    `composer_versions`, one per track, names the version to compose each with (a duel's).

    Callers validate the params first (batch_params_validate, remix.remix_variations_validate).
    """
    versions = composer_versions or [""] * len(track_params)
    user = launched_by if isinstance(launched_by, get_user_model()) else None
    with transaction.atomic():
        batch = GenerationBatch.objects.create(
            source=source,
            launched_by=user,
            schedule=schedule,
            schedule_slot=schedule_slot,
            count=len(track_params),
            params=batch_params,
            remix_of=remix_of,
        )
        tracks = Track.objects.bulk_create(
            [
                _new_track(batch, compose_params, position, version)
                for position, (compose_params, version) in enumerate(
                    zip(track_params, versions, strict=True)
                )
            ]
        )
        events.send_batch_launched(batch)
        track_ids = [track.pk for track in tracks]
        transaction.on_commit(lambda: dispatch.generate_tracks(track_ids))
    return batch


def _new_track(
    batch: GenerationBatch, compose_params: dict[str, Any], position: int, version: str
) -> Track:
    return Track(
        batch=batch,
        position=position,
        preset=compose_params["preset"],
        seed=compose_params["seed"],
        params=compose_params,
        composer_version=version,
    )


def track_seed(base_seed: int, position: int) -> int:
    """Seeds of one batch are spread out so neighbouring tracks do not sound alike."""
    return (base_seed * 1_000_003 + position * 7_919) % (MAX_SEED + 1)


def _track_compose_params(params: BatchParams, *, position: int, base_seed: int) -> dict[str, Any]:
    presets = sorted(composer.PRESETS)
    # A mixed batch walks through the presets in turn, from a place the base seed picks.
    preset = params.preset or presets[(base_seed + position) % len(presets)]
    seed = track_seed(base_seed, position)
    raw: dict[str, Any] = {"preset": preset, "seed": seed, "temperature": params.temperature}
    if params.tempo_bpm is not None:
        raw["tempo_bpm"] = params.tempo_bpm
    if params.mode is not None:
        raw["mode"] = params.mode
    return raw


# --- one track, from queued to ready/rejected/failed -------------------------------------------


def track_generate(*, track_id: int) -> None:
    """Compose, render and analyse one track. Safe to run again for the same track.

    A redelivered task finds the row in a final state and does nothing, or takes the track
    over: each run bumps `attempts`, and a stage commits only while the row still carries its
    attempt number, so a run that was overtaken cannot write over the newer one. Files have
    fixed names per track and are moved into place whole.
    """
    attempt = _track_begin(track_id)
    if attempt is None:
        return
    track = Track.objects.select_related("batch").get(pk=track_id)
    try:
        # A steered slot composes several candidates and keeps the best (generation.rerank).
        composed = rerank.compose_best(model_get(track.composer_version or None), track.params)
    except composer.ComposerError as exc:
        _track_fail(track_id, attempt, f"Composer error: {exc}")
        return

    with transaction.atomic():
        locked = _locked_if_current(track_id, attempt)
        if locked is None:
            return
        piece, reasons = composed.piece, composed.reasons
        locked.title = piece.title
        locked.resolved_params = piece.params
        locked.model_version = piece.model_version
        locked.key = piece.key
        locked.tempo_bpm = piece.tempo_bpm
        locked.sections = piece.sections
        locked.metrics = composed.metrics
        locked.candidates = composed.candidates
        locked.rejection_reasons = reasons
        locked.midi.save("track.mid", ContentFile(piece.midi_bytes()), save=False)
        if reasons:
            # Rejected pieces are never published, so they are not worth rendering.
            _finish(locked, Track.Status.REJECTED)
            return
        locked.status = Track.Status.RENDERING
        locked.save()
        events.send_track_status(locked)

    _track_render(track_id, attempt, piece)


def _track_render(track_id: int, attempt: int, piece: "composer.Piece") -> None:
    from . import audio  # the renderer loads a soundfont; only workers need it

    scratch_root = Path(settings.MEDIA_ROOT) / ".scratch"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        opus_path = Path(scratch) / "audio.opus"
        mp3_path = Path(scratch) / "audio.mp3"
        try:
            rendered = audio.render_midi(
                piece.midi,
                opus_path=opus_path,
                mp3_path=mp3_path,
                soundfont=audio.soundfont_choose(settings.SOUNDFONT_PATH),
            )
            key, camelot = audio.analyse_key(piece.midi)
        except audio.AudioError as exc:
            _track_fail(track_id, attempt, f"Rendering failed: {exc}")
            return
        with transaction.atomic():
            locked = _locked_if_current(track_id, attempt)
            if locked is None:
                return
            with opus_path.open("rb") as opus, mp3_path.open("rb") as mp3:
                locked.audio_opus.save("audio.opus", File(opus), save=False)
                locked.audio_mp3.save("audio.mp3", File(mp3), save=False)
            locked.duration_s = round(rendered.duration_s, 3)
            locked.loudness_lufs = round(rendered.loudness_lufs, 2)
            locked.peak_dbfs = round(rendered.peak_dbfs, 2)
            locked.energy = round(rendered.energy, 3)
            locked.peaks = rendered.peaks
            locked.soundfont = rendered.soundfont
            locked.key = key
            locked.camelot = camelot
            locked.tempo_bpm = round(audio.midi_tempo(piece.midi), 2)
            _finish(locked, Track.Status.READY)


def _track_begin(track_id: int) -> int | None:
    """Claim the track for this run; None means there is nothing (more) to do."""
    with transaction.atomic():
        track = Track.objects.select_for_update().filter(pk=track_id).first()
        if track is None or track.is_terminal:
            return None
        track.attempts += 1
        if track.attempts > settings.GENERATION_MAX_ATTEMPTS:
            track.error = (
                f"Gave up after {settings.GENERATION_MAX_ATTEMPTS} attempts "
                "(the task kept failing or killing its worker)."
            )
            _finish(track, Track.Status.FAILED)
            return None
        track.status = Track.Status.COMPOSING
        track.started_at = track.started_at or timezone.now()
        track.error = ""
        track.save()
        events.send_track_status(track)
        return track.attempts


def _locked_if_current(track_id: int, attempt: int) -> Track | None:
    track = Track.objects.select_for_update().filter(pk=track_id).first()
    if track is None or track.is_terminal or track.attempts != attempt:
        logger.info("track %s: attempt %s was overtaken; dropping its result", track_id, attempt)
        return None
    return track


def _track_fail(track_id: int, attempt: int, error: str) -> None:
    with transaction.atomic():
        track = _locked_if_current(track_id, attempt)
        if track is None:
            return
        track.error = error[:2000]
        _finish(track, Track.Status.FAILED)


def track_mark_failed(*, track_id: int, error: str) -> None:
    """Called when the task gives up (retries exhausted, time limit): record why."""
    with transaction.atomic():
        track = Track.objects.select_for_update().filter(pk=track_id).first()
        if track is None or track.is_terminal:
            return
        track.error = error[:2000]
        _finish(track, Track.Status.FAILED)


def _finish(track: Track, status: str) -> None:
    """Move a locked track to a final status; close its batch when it was the last one."""
    track.status = status
    track.finished_at = timezone.now()
    track.save()
    events.send_track_status(track)
    signals.track_finished.send(sender=Track, track=track)
    batch = GenerationBatch.objects.select_for_update().get(pk=track.batch_id)
    pending = (
        Track.objects.filter(batch_id=batch.pk)
        .exclude(status__in=Track.TERMINAL)
        .exclude(pk=track.pk)
        .exists()
    )
    if not pending and batch.finished_at is None:
        batch.finished_at = timezone.now()
        batch.save(update_fields=["finished_at"])
        events.send_batch_finished(batch)


def tracks_retry(*, track_ids: list[int]) -> list[int]:
    """Queue failed tracks again from scratch; other statuses are left alone."""
    with transaction.atomic():
        tracks = list(
            Track.objects.select_for_update().filter(pk__in=track_ids, status=Track.Status.FAILED)
        )
        for track in tracks:
            track.status = Track.Status.QUEUED
            track.attempts = 0
            track.error = ""
            track.finished_at = None
            track.save()
            events.send_track_status(track)
        GenerationBatch.objects.filter(pk__in={t.batch_id for t in tracks}).update(finished_at=None)
        retried = [track.pk for track in tracks]
        if retried:
            transaction.on_commit(lambda: dispatch.generate_tracks(retried))
    return retried


def scratch_sweep(*, now: datetime | None = None) -> list[str]:
    """Remove render scratch folders that no task can still be using: a render killed outright
    (its time limit, a dead worker) never gets to remove its own."""
    scratch_root = Path(settings.MEDIA_ROOT) / ".scratch"
    if not scratch_root.is_dir():
        return []
    cutoff = (now or timezone.now()).timestamp() - settings.GENERATION_TASK_TIME_LIMIT - 60
    removed = []
    for folder in scratch_root.iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        logger.warning("removed %d abandoned render scratch folder(s)", len(removed))
    return removed


def tracks_requeue_stalled(*, now: datetime | None = None) -> list[int]:
    """Send unfinished tracks that nothing has touched for too long to the queue again.

    Redis here keeps nothing on disk, so a restart loses queued messages; a duplicate message is
    harmless because the task is idempotent.
    """
    stale_after = timedelta(seconds=settings.GENERATION_REQUEUE_AFTER_S)
    cutoff = (now or timezone.now()) - stale_after
    track_ids = list(
        Track.objects.exclude(status__in=Track.TERMINAL)
        .filter(updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    if track_ids:
        logger.warning("requeueing %d stalled track(s): %s", len(track_ids), track_ids)
        dispatch.generate_tracks(track_ids)
    return track_ids
