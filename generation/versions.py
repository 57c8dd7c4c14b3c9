"""Composer versions: training a crowd-tuned candidate, promoting a version, rolling back.

The "current" pointer file in COMPOSER_MODEL_DIR is what composes (generation.music); the
ComposerVersion rows mirror it and record who moved it, when and how. A promotion or a
rollback updates the rows and swaps the pointer in one transaction, the pointer last (an
atomic rename), so a failed swap leaves the rows as they were; composer_version_sync repairs
the rows if the pointer was moved outside (manage.py train_composer).

Which tracks the crowd approved, and how much each weighs, is curation's to say: it calls
composer_version_train with plain (track id, weight) pairs.
"""

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from albumvote.exceptions import ApplicationError

from . import composer
from .composer.model import artifact_name, artifact_path, current_version, pointer_set
from .composer.records import Tune
from .composer.train import train_tuned
from .models import ComposerVersion, Track
from .music import model_get

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser | None


def _model_dir() -> Path:
    return Path(settings.COMPOSER_MODEL_DIR)


def _user(user: User) -> Any:
    return user if isinstance(user, get_user_model()) else None


def _no_model(exc: composer.ModelNotFoundError) -> ApplicationError:
    return ApplicationError(str(exc), code="no_model", status_code=409)


def composer_version_sync() -> ComposerVersion:
    """The row of the version the pointer names, marked current (made if that model was
    trained by train_composer and has no row yet); a row left marked current is retired."""
    with transaction.atomic():
        _lock()
        return _sync_locked()


def _lock() -> None:
    # Versions are few (one per tuning): locking them all serialises every swap.
    list(ComposerVersion.objects.select_for_update().order_by("pk").values_list("pk"))


def _sync_locked() -> ComposerVersion:
    try:
        version = current_version(_model_dir())
    except composer.ModelNotFoundError as exc:
        raise _no_model(exc) from exc
    now = timezone.now()
    for stale in ComposerVersion.objects.filter(status=ComposerVersion.Status.CURRENT).exclude(
        version=version
    ):
        stale.status = ComposerVersion.Status.RETIRED
        stale.retired_at = now
        stale.save(update_fields=["status", "retired_at"])
    row = ComposerVersion.objects.filter(version=version).first()
    if row is None:
        info = model_get(version).info
        row = ComposerVersion.objects.create(
            version=version,
            artifact=artifact_name(version),
            status=ComposerVersion.Status.CURRENT,
            training=training_summary(info, tuned=[], skipped=[], seconds=None),
            promoted_at=now,
            promoted_how=ComposerVersion.How.TRAINED,
        )
    elif row.status != ComposerVersion.Status.CURRENT:
        row.status = ComposerVersion.Status.CURRENT
        row.promoted_at, row.promoted_by, row.retired_at = now, None, None
        row.promoted_how = ComposerVersion.How.TRAINED
        row.save()
    return row


def training_summary(
    info: dict[str, Any],
    *,
    tuned: list[dict[str, Any]],
    skipped: list[dict[str, Any]],
    seconds: float | None,
    selection: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a version learnt from, as its row keeps it (the one shape pages and API show)."""
    return {
        "collections": list(info.get("collections") or []),
        "limit": info.get("limit"),
        "corpus_pieces": int(info.get("pieces", 0)),
        "tokens": int(info.get("tokens", 0)),
        "tuned": tuned,
        "tuned_weight": sum(int(t["weight"]) for t in tuned),
        "skipped": skipped,
        "seconds": None if seconds is None else round(seconds, 2),
        "selection": selection or {},
    }


def composer_version_train(
    *,
    tuned: Sequence[tuple[int, int]],
    created_by: User = None,
    selection: dict[str, Any] | None = None,
) -> ComposerVersion:
    """Train a candidate: the current version's corpus with these generated tracks added,
    each counted `weight` times (reward-weighted training). The pointer is left alone: a
    candidate composes only when asked for by name (a duel) until it is promoted.

    Each track is composed again from its parameters and seed with the version that composed
    it, and used only if that gives the very MIDI the crowd heard (recorded as skipped
    otherwise). `selection` says how curation chose them, kept for the record.
    """
    weights: dict[int, int] = {}
    for track_id, weight in tuned:
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ApplicationError(
                f"Track {track_id}: a weight is a whole number from 1, not {weight!r}.",
                details={"field": "weight"},
            )
        weights[int(track_id)] = weight
    base = composer_version_sync()
    started = time.monotonic()
    tunes: list[tuple[Tune, int]] = []
    used: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    tracks = Track.objects.filter(pk__in=weights, status=Track.Status.READY).order_by("pk")
    found = {track.pk: track for track in tracks}
    for track_id in sorted(weights):
        track = found.get(track_id)
        tune, reason = (None, "not a published track") if track is None else track_tune(track)
        if tune is None:
            skipped.append({"track": track_id, "reason": reason})
            continue
        tunes.append((tune, weights[track_id]))
        used.append({"track": track_id, "weight": weights[track_id]})
    if not tunes:
        raise ApplicationError(
            "None of the chosen tracks could be composed again as the crowd heard it, so "
            "there is nothing to tune on.",
            code="nothing_to_tune",
            details={"skipped": skipped},
            status_code=409,
        )
    try:
        result = train_tuned(
            model_get(base.version),
            tunes,
            cache_dir=Path(settings.COMPOSER_CACHE_DIR),
            model_dir=_model_dir(),
        )
    except composer.ComposerError as exc:
        raise ApplicationError(f"Training failed: {exc}", code="training_failed") from exc
    summary = training_summary(
        model_get(result.version).info,
        tuned=used,
        skipped=skipped,
        seconds=time.monotonic() - started,
        selection=selection,
    )
    row, created = ComposerVersion.objects.get_or_create(
        version=result.version,
        defaults={
            "artifact": result.path.name,
            "parent": base,
            "created_by": _user(created_by),
            "training": summary,
        },
    )
    logger.info(
        "composer version %s %s: %d tuned tracks (weight %d), %d skipped, %.1f s",
        row.version,
        "trained" if created else "already there",
        len(used),
        summary["tuned_weight"],
        len(skipped),
        result.seconds,
    )
    return row


def track_tune(track: Track) -> tuple[Tune | None, str]:
    """A published track as a training tune: composed again with the version that composed it
    (same parameters, same seed, so the same MIDI), or None and why not."""
    try:
        model = model_get(track.model_version)
        piece = composer.compose(model, composer.params_from_dict(track.params))
    except composer.ComposerError as exc:
        return None, f"cannot compose it again: {exc}"
    if track.midi:
        with track.midi.open("rb") as handle:
            heard = handle.read()
        if heard != piece.midi_bytes():
            return None, "composing it again gives other MIDI than the crowd heard"
    return piece.tune, ""


def composer_version_get(version_id: int) -> ComposerVersion:
    row = ComposerVersion.objects.filter(pk=version_id).first()
    if row is None:
        raise ApplicationError(
            f"There is no composer version {version_id}.", code="not_found", status_code=404
        )
    return row


def composer_version_promote(
    *, version_id: int, by: User = None, how: str = ComposerVersion.How.HAND
) -> ComposerVersion:
    """Make a version the current one (by hand, or because it won its arena duel); the one it
    replaces is retired and is where a rollback returns."""
    with transaction.atomic():
        _lock()
        current = _sync_locked()
        target = composer_version_get(version_id)
        if target.pk == current.pk:
            raise ApplicationError(
                f"Composer version {target.version} is already the current one.",
                code="already_current",
                status_code=409,
            )
        _swap(current, target, by=by, how=how, replaced=current)
    return target


def composer_version_rollback(*, by: User = None) -> ComposerVersion:
    """Return to the version the current one replaced (one step back in its history)."""
    with transaction.atomic():
        _lock()
        current = _sync_locked()
        target = current.replaced
        if target is None:
            raise ApplicationError(
                f"Composer version {current.version} replaced no other: there is nothing to "
                "roll back to.",
                code="nothing_to_roll_back",
                status_code=409,
            )
        # The version rolled back to keeps what it replaced: a second rollback steps further.
        _swap(current, target, by=by, how=ComposerVersion.How.ROLLBACK, replaced=target.replaced)
    return target


def _swap(
    current: ComposerVersion,
    target: ComposerVersion,
    *,
    by: User,
    how: str,
    replaced: ComposerVersion | None,
) -> None:
    now = timezone.now()
    current.status = ComposerVersion.Status.RETIRED
    current.retired_at = now
    current.save(update_fields=["status", "retired_at"])
    target.status = ComposerVersion.Status.CURRENT
    target.promoted_at, target.promoted_by, target.promoted_how = now, _user(by), how
    target.replaced, target.retired_at = replaced, None
    target.save()
    try:
        artifact_path(_model_dir(), target.version)
        # Last, inside the transaction: if the swap fails, the rows roll back with it.
        pointer_set(_model_dir(), target.version)
    except composer.ModelNotFoundError as exc:
        raise _no_model(exc) from exc
    logger.info("composer version %s is current (%s), replacing %s", target, how, current)


def composer_version_retire(*, version_id: int) -> ComposerVersion:
    """Set a candidate aside (it lost its arena duel); a producer may still promote it."""
    with transaction.atomic():
        _lock()
        row = composer_version_get(version_id)
        if row.status == ComposerVersion.Status.CANDIDATE:
            row.status = ComposerVersion.Status.RETIRED
            row.retired_at = timezone.now()
            row.save(update_fields=["status", "retired_at"])
    return row
