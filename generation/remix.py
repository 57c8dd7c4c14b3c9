"""Remixes: variations of one finished track (other tempo, key, instruments or temperature).

A remix is a small batch linked to its parent track. Every variation starts from the parent's
resolved parameters (preset, seed, tempo, key, length, temperature, instruments) and changes
only what the producer asked for, so the batch is one "seed family": every track in it has
the parent's seed.

What stays the same, given the composer (generation.composer):
- instrumentation: only the MIDI programs change; the notes are the parent's, bit for bit.
- tempo: the melody, harmony and form are the parent's as long as the new tempo is in the
  same tempo band (below 100, 100-149, 150 and up quarter notes per minute), because the
  rhythm model is conditioned on that band. The target length is scaled by the tempo ratio,
  so the piece keeps its number of bars. Across bands the rhythms, and so the tune, differ.
- key and temperature are inputs of the melody model, so the tune is a sibling of the
  parent (same seed, same form plan), not a transposition.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from rest_framework import status

from albumvote.exceptions import ApplicationError

from . import composer, services
from .composer.params import PARAM_NAMES, SECONDS_RANGE
from .models import GenerationBatch, Track

VARIATION_FIELDS = ("tempo_bpm", "tonic", "mode", "instrumentation", "temperature")
MAX_VARIATIONS = 4
REMIXABLE = (Track.Status.READY, Track.Status.REJECTED)


def remix_base_params(parent: Track) -> dict[str, Any]:
    """The parent's compose parameters with every choice pinned, as the composer resolved them."""
    resolved = parent.resolved_params or {}
    base = {name: resolved[name] for name in PARAM_NAMES if resolved.get(name) is not None}
    base.setdefault("preset", parent.preset)
    base.setdefault("seed", parent.seed)
    return base


def remix_variations_validate(
    *, parent: Track, variations: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(changes, compose params) per variation; ApplicationError names the bad field.

    `changes` is what each variation changes, normalised by the composer (e.g. "f#" → "F#").
    """
    if not isinstance(variations, list):
        raise ApplicationError(
            "variations must be a list of objects.", details={"field": "variations"}
        )
    if not 1 <= len(variations) <= MAX_VARIATIONS:
        raise ApplicationError(
            f"Ask for 1 to {MAX_VARIATIONS} variations, got {len(variations)}.",
            details={"field": "variations"},
        )
    base = remix_base_params(parent)
    changes: list[dict[str, Any]] = []
    track_params: list[dict[str, Any]] = []
    for index, raw in enumerate(variations):
        change, params = _variation(base, raw, index)
        if change in changes:
            raise ApplicationError(
                f"Variation {index + 1} is the same as variation {changes.index(change) + 1}.",
                details={"field": "variations", "variation": index},
            )
        changes.append(change)
        track_params.append(params)
    return changes, track_params


def _variation(base: dict[str, Any], raw: Any, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    label = f"Variation {index + 1}"
    if not isinstance(raw, dict):
        raise ApplicationError(
            f'{label} must be an object such as {{"tempo_bpm": 140}}.',
            details={"field": "variations", "variation": index},
        )
    unknown = sorted(str(key) for key in raw if key not in VARIATION_FIELDS)
    if unknown:
        raise ApplicationError(
            f"{label}: unknown field(s) {', '.join(unknown)}. "
            f"A variation may change: {', '.join(VARIATION_FIELDS)}.",
            details={"fields": unknown, "variation": index},
        )
    for field, value in raw.items():
        # null would hand the choice back to the seed, i.e. a different piece; only the
        # instrument set has a meaningful "default" (the preset's own).
        if value is None and field != "instrumentation":
            raise ApplicationError(
                f"{label}: {field} needs a value.", details={"field": field, "variation": index}
            )
    params = {**base, **raw}
    if params.get("instrumentation") is None:
        params.pop("instrumentation", None)
    validated = _compose_params(params, label, index)
    change = {
        field: getattr(validated, field)
        for field in raw
        if getattr(validated, field) != base.get(field)
    }
    if not change:
        raise ApplicationError(
            f"{label} changes nothing: give a tempo_bpm, tonic, mode, instrumentation or "
            "temperature different from the track's.",
            details={"field": "variations", "variation": index},
        )
    params = {**base, **change}
    if params.get("instrumentation") is None:
        params.pop("instrumentation", None)
    old_tempo, seconds = base.get("tempo_bpm"), base.get("target_seconds")
    if "tempo_bpm" in change and old_tempo and seconds:
        # The same number of bars at the new tempo: the form plan stays the parent's.
        low, high = SECONDS_RANGE
        params["target_seconds"] = round(
            min(high, max(low, seconds * old_tempo / change["tempo_bpm"])), 1
        )
    _compose_params(params, label, index)
    return change, params


def _compose_params(params: dict[str, Any], label: str, index: int) -> composer.ComposeParams:
    try:
        return composer.params_from_dict(params)
    except composer.ComposerParamError as exc:
        raise ApplicationError(
            f"{label}: {exc}", details={"field": exc.field, "variation": index}
        ) from exc


def remix_launch(
    *,
    track_id: int,
    variations: Any,
    user: AbstractBaseUser | AnonymousUser | None,
) -> GenerationBatch:
    """Queue one track per variation of a finished track, as a remix batch linked to it."""
    parent = Track.objects.filter(pk=track_id).first()
    if parent is None:
        raise ApplicationError(
            f"No track {track_id}.", code="not_found", status_code=status.HTTP_404_NOT_FOUND
        )
    if parent.status not in REMIXABLE or not parent.resolved_params:
        raise ApplicationError(
            f"Track {track_id} is {parent.status}; only ready or rejected tracks can be remixed.",
            code="not_remixable",
            details={"status": parent.status},
        )
    changes, track_params = remix_variations_validate(parent=parent, variations=variations)
    return services.batch_create(
        source=GenerationBatch.Source.REMIX,
        batch_params={
            "remix_of": parent.pk,
            "preset": track_params[0]["preset"],
            "seed": parent.seed,
            "variations": changes,
        },
        track_params=track_params,
        launched_by=user,
        remix_of=parent,
    )
